//! Users: everyone who has signed in, the role each acts with and where it comes from, blocking
//! and signing out everywhere, roles given to an address before its first sign-in, and the
//! history of every change to who may do what.

use leptos::prelude::*;
use leptos_meta::Title;
use seatsync_domain::{Role, RoleOrigin};

use crate::{
    api::users::{
        access_history, list_users, AccessEntry, GrantRole, PendingGrant, SetUserBlocked, SetUserRole,
        SignOutEverywhere, UserRow, WithdrawGrant,
    },
    components::common::{
        button,
        mutation::{on_answer, send},
        ErrorLine, Loaded,
    },
    components::modal::Feedback,
};

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Every change the page makes. The answers are handled here, once, whatever part of the page
/// sent the change: each says what it did and reloads the list (`version`).
#[derive(Clone, Copy)]
struct Actions {
    set_role: ServerAction<SetUserRole>,
    set_blocked: ServerAction<SetUserBlocked>,
    sign_out: ServerAction<SignOutEverywhere>,
    grant: ServerAction<GrantRole>,
    withdraw: ServerAction<WithdrawGrant>,
    /// The address whose waiting role is being withdrawn, for the message.
    withdrawing: StoredValue<String>,
    /// The address typed for a role before the first sign-in; emptied once the role is given.
    grant_email: RwSignal<String>,
    version: RwSignal<u32>,
    feedback: RwSignal<Option<Result<String, String>>>,
    /// One change at a time: every button waits while any change runs.
    busy: Signal<bool>,
}

impl Actions {
    fn new() -> Self {
        let (set_role, set_blocked, sign_out) = (ServerAction::new(), ServerAction::new(), ServerAction::new());
        let (grant, withdraw) = (ServerAction::<GrantRole>::new(), ServerAction::<WithdrawGrant>::new());
        let busy = Signal::derive(move || {
            set_role.pending().get()
                || set_blocked.pending().get()
                || sign_out.pending().get()
                || grant.pending().get()
                || withdraw.pending().get()
        });
        let actions = Actions {
            set_role,
            set_blocked,
            sign_out,
            grant,
            withdraw,
            withdrawing: StoredValue::new(String::new()),
            grant_email: RwSignal::new(String::new()),
            version: RwSignal::new(0),
            feedback: RwSignal::new(None),
            busy,
        };
        on_answer(set_role, move |answer| {
            actions.answered(answer.map(|u| {
                format!("{} now acts as {}.", u.name, u.role.map(|r| r.label()).unwrap_or("nobody (no role)"))
            }))
        });
        on_answer(set_blocked, move |answer| {
            actions.answered(answer.map(|u| match u.blocked_at {
                Some(_) => format!("{} is blocked: their sessions have ended and sign-in is refused.", u.name),
                None => format!("{} may sign in again.", u.name),
            }))
        });
        on_answer(sign_out, move |answer| {
            actions.answered(answer.map(|u| format!("{} was signed out on every device.", u.name)))
        });
        on_answer(grant, move |answer| {
            if answer.is_ok() {
                actions.grant_email.set(String::new());
            }
            actions.answered(answer)
        });
        on_answer(withdraw, move |answer| {
            let address = actions.withdrawing.get_value();
            actions.answered(answer.map(|()| format!("The role waiting for {address} was withdrawn.")))
        });
        actions
    }

    /// Says what a change did (or why it failed) and reloads the list, which shows it.
    fn answered(self, answer: Result<String, crate::error::AppError>) {
        self.feedback.set(Some(answer.map_err(|e| e.to_string())));
        self.version.update(|v| *v += 1);
    }

    /// Clears the last message and sends one change, unless another is still running.
    fn start(self, change: impl FnOnce()) {
        if !self.busy.get_untracked() {
            self.feedback.set(None);
            change();
        }
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let actions = Actions::new();
    let view_data = Resource::new(move || actions.version.get(), |_| list_users());
    view! {
        <Title text="Users" />
        <div class="flex flex-wrap items-baseline justify-between gap-2">
            <h1 class="text-2xl font-semibold">"Users"</h1>
            <p class="text-sm text-slate-500">
                "Roles come from Entra ID app roles; an override here wins. Blocking takes effect on the user's next request."
            </p>
        </div>
        <div class="mt-4">
            <Feedback message=actions.feedback.into() />
        </div>
        <Loaded resource=view_data loading="Loading users…" let:v>
            {{
                view! {
                    <div class="mt-4 overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
                        <table class="w-full text-sm" aria-label="Users">
                            <thead class="bg-slate-100 text-left text-slate-600">
                                <tr>
                                    <th class="px-4 py-2">"Name"</th>
                                    <th class="px-4 py-2">"E-mail"</th>
                                    <th class="px-4 py-2">"Role"</th>
                                    <th class="px-4 py-2">"Role comes from"</th>
                                    <th class="px-4 py-2">"Access"</th>
                                    <th class="px-4 py-2">"Last sign-in"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {v.users.into_iter().map(|u| view! { <UserLine user=u actions /> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <PreAssign pending=v.pending actions />
                }
                    .into_any()
            }}
        </Loaded>
    }
}

#[component]
fn UserLine(user: UserRow, actions: Actions) -> impl IntoView {
    let id = StoredValue::new(user.id.clone());
    let name = StoredValue::new(user.name.clone());
    let current = user.role_override.map(|r| r.as_str()).unwrap_or("").to_string();
    let claimed = user.claimed_role.map(|r| r.label()).unwrap_or("none");
    let on_change = move |ev: leptos::ev::Event| {
        let role = event_target_value(&ev).parse::<Role>().ok();
        actions.start(|| send(actions.set_role, SetUserRole { user_id: id.get_value(), role }));
    };
    let blocked = user.blocked_at.is_some();
    let toggle_block = move |_| {
        actions.start(|| send(actions.set_blocked, SetUserBlocked { user_id: id.get_value(), blocked: !blocked }));
    };
    let sign_out = move |_| actions.start(|| send(actions.sign_out, SignOutEverywhere { user_id: id.get_value() }));
    let show_history = RwSignal::new(false);
    let origin = match user.role_origin {
        RoleOrigin::IdentityProvider => format!("Entra ID ({claimed})"),
        RoleOrigin::Override(_) => {
            let since = user.role_changed_at.map(|t| format!(", since {}", when(t))).unwrap_or_default();
            format!("{}{since}; Entra ID grants {claimed}", user.role_origin.label())
        }
        RoleOrigin::Nothing => "Nothing: Entra ID grants no SeatSync role".into(),
    };
    view! {
        <tr class="border-t border-slate-100 align-top" data-testid="user-row">
            <td class="px-4 py-2 font-medium">
                {user.name.clone()}
                {user
                    .is_you
                    .then(|| {
                        view! { <span class="ml-2 rounded bg-slate-100 px-1.5 text-xs text-slate-700">"you"</span> }
                    })}
                <button
                    class="ml-2 text-xs text-indigo-700 underline"
                    on:click=move |_| show_history.update(|s| *s = !*s)
                    aria-expanded=move || show_history.get().to_string()
                >
                    "History"
                </button>
            </td>
            <td class="px-4 py-2 text-slate-600">{user.email.clone()}</td>
            <td class="px-4 py-2">
                <select
                    aria-label=format!("Role of {}", user.name)
                    class="rounded-md border border-slate-300 px-2 py-1 disabled:bg-slate-100"
                    disabled=move || user.is_you || actions.busy.get()
                    on:change=on_change
                    prop:value=current.clone()
                >
                    <option value="" selected=current.is_empty()>
                        {format!("As in Entra ID ({claimed})")}
                    </option>
                    {Role::ALL
                        .iter()
                        .map(|r| {
                            let selected = current == r.as_str();
                            view! {
                                <option value=r.as_str() selected=selected>
                                    {r.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                {user
                    .is_you
                    .then(|| {
                        view! {
                            <span class="mt-1 block text-xs text-slate-500">"Another Admin changes your role."</span>
                        }
                    })}
            </td>
            <td class="px-4 py-2 text-slate-600" data-testid="role-origin">
                {origin}
            </td>
            <td class="px-4 py-2">
                {match user.blocked_at {
                    Some(at) => {
                        view! {
                            <span
                                class="rounded bg-red-100 px-1.5 text-xs font-medium text-red-800"
                                data-testid="access"
                            >
                                {format!("Blocked since {}", when(at))}
                            </span>
                        }
                            .into_any()
                    }
                    None => {
                        view! {
                            <span
                                class="rounded bg-emerald-100 px-1.5 text-xs font-medium text-emerald-800"
                                data-testid="access"
                            >
                                "Active"
                            </span>
                        }
                            .into_any()
                    }
                }} <div class="mt-1 flex flex-wrap gap-2">
                    <button
                        class=button::SMALL
                        disabled=move || (user.is_you && !blocked) || actions.busy.get()
                        on:click=toggle_block
                    >
                        {if blocked { "Unblock" } else { "Block" }}
                    </button>
                    <button class=button::SMALL disabled=move || actions.busy.get() on:click=sign_out>
                        "Sign out everywhere"
                    </button>
                </div>
                {(user.is_you && !blocked)
                    .then(|| {
                        view! { <span class="mt-1 block text-xs text-slate-500">"You cannot block yourself."</span> }
                    })}
            </td>
            <td class="px-4 py-2 text-slate-600" title=user.last_sign_in_at.to_rfc3339()>
                {when(user.last_sign_in_at)}
            </td>
        </tr>
        <Show when=move || show_history.get()>
            <tr class="bg-slate-50">
                <td colspan="6" class="px-4 py-2">
                    <History user_id=id.get_value() name=name.get_value() version=actions.version />
                </td>
            </tr>
        </Show>
    }
}

#[component]
fn History(user_id: String, name: String, version: RwSignal<u32>) -> impl IntoView {
    let entries = Resource::new(move || version.get(), move |_| access_history(user_id.clone()));
    view! {
        <Suspense fallback=|| {
            view! { <p class="text-xs text-slate-500">"Loading history…"</p> }
        }>
            {move || {
                let name = name.clone();
                Suspend::new(async move {
                    match entries.await {
                        Ok(list) if list.is_empty() => {
                            view! {
                                <p class="text-xs text-slate-500">{format!("No changes recorded for {name} yet.")}</p>
                            }
                                .into_any()
                        }
                        Ok(list) => {
                            view! {
                                <ul
                                    class="space-y-0.5 text-xs text-slate-700"
                                    aria-label=format!("Access history of {name}")
                                >
                                    {list
                                        .into_iter()
                                        .map(|e: AccessEntry| {
                                            view! {
                                                <li data-testid="history-entry">
                                                    <span class="text-slate-500">{when(e.at)}</span>
                                                    " "
                                                    {e.what}
                                                    {e
                                                        .by
                                                        .map(|b| {
                                                            view! {
                                                                <span class="text-slate-500">{format!(" (by {b})")}</span>
                                                            }
                                                        })}
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <ErrorLine message=e.to_string() class="text-xs" /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// Roles for people who have not signed in yet: given by e-mail, used up at the first sign-in.
#[component]
fn PreAssign(pending: Vec<PendingGrant>, actions: Actions) -> impl IntoView {
    let email = actions.grant_email;
    let role = RwSignal::new(Role::Viewer.as_str().to_string());
    let give = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let role = role.get_untracked().parse::<Role>().unwrap_or(Role::Viewer);
        actions.start(|| send(actions.grant, GrantRole { email: email.get_untracked(), role }));
    };
    view! {
        <section class="mt-8 max-w-3xl rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
            <h2 class="text-lg font-semibold">"Give a role before the first sign-in"</h2>
            <p class="mt-1 text-sm text-slate-500">
                "The person gets this role when they first sign in with this address, whatever Entra ID grants; an Admin can change it later."
            </p>
            <form class="mt-3 flex flex-wrap items-end gap-3" on:submit=give>
                <label class="text-sm font-medium">
                    "E-mail address"
                    <input
                        type="email"
                        required
                        class="mt-1 block w-72 rounded-md border border-slate-300 px-2 py-1.5"
                        prop:value=email
                        on:input=move |ev| email.set(event_target_value(&ev))
                    />
                </label>
                <label class="text-sm font-medium">
                    "Role"
                    <select
                        class="mt-1 block rounded-md border border-slate-300 px-2 py-1.5"
                        aria-label="Role to give"
                        prop:value=role
                        on:change=move |ev| role.set(event_target_value(&ev))
                    >
                        {Role::ALL
                            .iter()
                            .map(|r| view! { <option value=r.as_str()>{r.label()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <button type="submit" class=button::PRIMARY disabled=move || actions.busy.get()>
                    "Give role"
                </button>
            </form>
            {(!pending.is_empty())
                .then(|| {
                    view! {
                        <table class="mt-4 w-full text-sm" aria-label="Roles waiting for a first sign-in">
                            <thead class="text-left text-slate-500">
                                <tr>
                                    <th class="py-1">"Address"</th>
                                    <th class="py-1">"Role"</th>
                                    <th class="py-1">"Given"</th>
                                    <th></th>
                                </tr>
                            </thead>
                            <tbody>
                                {pending
                                    .into_iter()
                                    .map(|g| {
                                        let address = g.email.clone();
                                        let withdraw = move |_| {
                                            actions
                                                .start(|| {
                                                    actions.withdrawing.set_value(address.clone());
                                                    send(
                                                        actions.withdraw,
                                                        WithdrawGrant {
                                                            email: address.clone(),
                                                        },
                                                    );
                                                });
                                        };
                                        view! {
                                            <tr class="border-t border-slate-100" data-testid="pending-grant">
                                                <td class="py-1">{g.email.clone()}</td>
                                                <td class="py-1">{g.role.label()}</td>
                                                <td class="py-1 text-slate-500">
                                                    {format!(
                                                        "{} by {}",
                                                        when(g.granted_at),
                                                        g.granted_by.unwrap_or_else(|| "an Admin".into()),
                                                    )}
                                                </td>
                                                <td class="py-1 text-right">
                                                    <button
                                                        class="text-xs text-red-700 underline disabled:opacity-50"
                                                        disabled=move || actions.busy.get()
                                                        on:click=withdraw
                                                    >
                                                        "Withdraw"
                                                    </button>
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                })}
        </section>
    }
}
