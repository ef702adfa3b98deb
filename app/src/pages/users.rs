//! Users: everyone who has signed in, with the role Entra ID grants and an Admin's override.

use leptos::prelude::*;
use leptos_meta::Title;
use seatsync_domain::Role;

use crate::{
    api::users::{list_users, SetUserRole, UserRow},
    components::layout::RequireRole,
};

#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <Title text="Users" />
        <RequireRole role=Role::Admin>
            <UsersTable />
        </RequireRole>
    }
}

#[component]
fn UsersTable() -> impl IntoView {
    let set_role = ServerAction::<SetUserRole>::new();
    let users = Resource::new(move || set_role.version().get(), |_| list_users());
    let feedback = move || {
        set_role.value().get().map(|result| match result {
            Ok(u) => view! {
                <p class="mb-4 rounded-md bg-emerald-50 p-3 text-sm text-emerald-800" role="status">
                    {format!("{} now acts as {}.", u.name, u.role.map(|r| r.label()).unwrap_or("nobody (no role)"))}
                </p>
            }.into_any(),
            Err(e) => view! {
                <p class="mb-4 rounded-md bg-red-50 p-3 text-sm text-red-800" role="alert">{e.to_string()}</p>
            }.into_any(),
        })
    };
    view! {
        <div class="flex items-baseline justify-between">
            <h1 class="text-2xl font-semibold">"Users"</h1>
            <p class="text-sm text-slate-500">"Roles come from Entra ID app roles; an override here wins."</p>
        </div>
        <div class="mt-6">{feedback}</div>
        <Suspense fallback=|| view! { <p class="text-slate-400">"Loading users…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(rows) => view! {
                        <table class="w-full overflow-hidden rounded-xl border border-slate-200 bg-white text-sm shadow-sm">
                            <thead class="bg-slate-100 text-left text-slate-600">
                                <tr>
                                    <th class="px-4 py-2">"Name"</th>
                                    <th class="px-4 py-2">"E-mail"</th>
                                    <th class="px-4 py-2">"From Entra ID"</th>
                                    <th class="px-4 py-2">"Role"</th>
                                    <th class="px-4 py-2">"Last sign-in"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows.into_iter().map(|u| view! { <UserLine user=u set_role /> }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <p class="text-red-700" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn UserLine(user: UserRow, set_role: ServerAction<SetUserRole>) -> impl IntoView {
    let id = user.id.clone();
    let current = user.role_override.map(|r| r.as_str()).unwrap_or("").to_string();
    let claimed = user.claimed_role.map(|r| r.label()).unwrap_or("none");
    let label = format!("Role of {}", user.name);
    let on_change = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let role = value.parse::<Role>().ok();
        set_role.dispatch(SetUserRole { user_id: id.clone(), role });
    };
    view! {
        <tr class="border-t border-slate-100">
            <td class="px-4 py-2 font-medium">
                {user.name.clone()}
                {user.is_you.then(|| view! { <span class="ml-2 rounded bg-slate-100 px-1.5 text-xs text-slate-500">"you"</span> })}
            </td>
            <td class="px-4 py-2 text-slate-600">{user.email.clone()}</td>
            <td class="px-4 py-2 text-slate-600">{claimed}</td>
            <td class="px-4 py-2">
                <select
                    aria-label=label
                    class="rounded-md border border-slate-300 px-2 py-1 disabled:bg-slate-100"
                    disabled=user.is_you
                    on:change=on_change
                    prop:value=current.clone()
                >
                    <option value="" selected=current.is_empty()>{format!("As in Entra ID ({claimed})")}</option>
                    {Role::ALL.iter().map(|r| {
                        let selected = current == r.as_str();
                        view! { <option value=r.as_str() selected=selected>{r.label()}</option> }
                    }).collect_view()}
                </select>
            </td>
            <td class="px-4 py-2 text-slate-600" title=user.last_sign_in_at.to_rfc3339()>
                {user.last_sign_in_at.format("%Y-%m-%d %H:%M UTC").to_string()}
            </td>
        </tr>
    }
}
