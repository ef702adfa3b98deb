//! What the integration pages share: the ready badge, "Test connection", the test sends and how
//! tickets are filed.

use leptos::prelude::*;
use seatsync_domain::kinds::TicketPsa;

use crate::{
    api::settings::{
        connectwise_defaults, connectwise_statuses, halo_defaults, psa_companies, ticket_defaults,
        ConnectWiseDefaultsInfo, HaloDefaultsInfo, SaveConnectwiseDefaults, SaveHaloDefaults, SaveTicketDefaults,
        SendTestEmail, SendTestTicket, TestConnection as TestConnectionFn, TicketDefaultChoice, TicketDefaultsInfo,
    },
    components::{
        common::{
            button,
            mutation::{on_answer, send},
            Loaded,
        },
        modal::Feedback,
    },
};

/// "Configured" or "Not configured", as a badge.
#[component]
pub fn StatusBadge(configured: bool) -> impl IntoView {
    if configured {
        view! { <span class="rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-800">"Configured"</span> }
        .into_any()
    } else {
        view! { <span class="rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-800">"Not configured"</span> }
        .into_any()
    }
}

/// "Test connection": one harmless call to the integration, and what happened, in words.
#[component]
pub fn TestConnection(key: String, name: String) -> impl IntoView {
    let test = ServerAction::<TestConnectionFn>::new();
    let outcome = RwSignal::new(None::<Result<String, String>>);
    on_answer(test, move |answer| {
        outcome.set(Some(match answer {
            Ok(t) if t.ok => Ok(t.message),
            Ok(t) => Err(t.message),
            Err(e) => Err(e.to_string()),
        }))
    });
    let label = format!("Test connection to {name}");
    view! {
        <div>
            <button
                class=button::SMALL
                aria-label=label
                disabled=move || test.pending().get()
                on:click=move |_| {
                    outcome.set(None);
                    send(
                        test,
                        TestConnectionFn {
                            key: key.clone(),
                        },
                    );
                }
            >
                {move || if test.pending().get() { "Testing…" } else { "Test connection" }}
            </button>
            <Feedback message=outcome.into() />
        </div>
    }
}

/// The answer to a test send, as a feedback line.
fn said(answer: Result<crate::api::settings::TestDelivery, crate::error::AppError>) -> Result<String, String> {
    match answer {
        Ok(t) if t.ok => Ok(t.message),
        Ok(t) => Err(t.message),
        Err(e) => Err(e.to_string()),
    }
}

/// "Send a test e-mail": a message with a small attachment to an address the Admin gives.
#[component]
pub fn TestEmail() -> impl IntoView {
    let action = ServerAction::<SendTestEmail>::new();
    let to = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Result<String, String>>);
    on_answer(action, move |answer| outcome.set(Some(said(answer))));
    view! {
        <form
            class="mt-3 flex flex-wrap items-end gap-3"
            on:submit=move |ev| {
                ev.prevent_default();
                outcome.set(None);
                send(
                    action,
                    SendTestEmail {
                        to: to.get_untracked(),
                    },
                );
            }
        >
            <div class="text-sm font-medium">
                <label for="test-email-to">"Send a test e-mail to"</label>
                <input
                    id="test-email-to"
                    type="email"
                    required
                    class="mt-1 block w-72 rounded-md border border-slate-300 px-2 py-1.5"
                    placeholder="you@your-msp.example"
                    prop:value=move || to.get()
                    on:input=move |ev| to.set(event_target_value(&ev))
                />
            </div>
            <button type="submit" class=button::SECONDARY disabled=move || action.pending().get()>
                {move || if action.pending().get() { "Sending…" } else { "Send test e-mail" }}
            </button>
        </form>
        <Feedback message=outcome.into() />
    }
}

/// "Open a test ticket": a ticket with a small attachment for a company the Admin picks.
#[component]
pub fn TestTicket(psa: TicketPsa) -> impl IntoView {
    let companies = Resource::new(move || psa, psa_companies);
    let action = ServerAction::<SendTestTicket>::new();
    let company = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Result<String, String>>);
    on_answer(action, move |answer| outcome.set(Some(said(answer))));
    let word = psa.company_word();
    let field = format!("test-ticket-{}", psa.as_str());
    view! {
        <Loaded resource=companies class="mt-3" let:list>
            <form
                class="mt-3 flex flex-wrap items-end gap-3"
                on:submit=move |ev| {
                    ev.prevent_default();
                    outcome.set(None);
                    match company.get_untracked().parse::<i64>() {
                        Ok(company_id) => send(action, SendTestTicket { psa, company_id }),
                        Err(_) => outcome.set(Some(Err(format!("Choose a {word} first.")))),
                    }
                }
            >
                <div class="text-sm font-medium">
                    <label for=field.clone()>"Open a test ticket for"</label>
                    <select
                        id=field.clone()
                        class="mt-1 block w-72 rounded-md border border-slate-300 px-2 py-1.5"
                        prop:value=move || company.get()
                        on:change=move |ev| company.set(event_target_value(&ev))
                    >
                        <option value="">{format!("Choose a {word}")}</option>
                        {list
                            .into_iter()
                            .map(|c| view! { <option value=c.id.to_string()>{c.name}</option> })
                            .collect_view()}
                    </select>
                </div>
                <button type="submit" class=button::SECONDARY disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Opening…" } else { "Open test ticket" }}
                </button>
            </form>
        </Loaded>
        <Feedback message=outcome.into() />
    }
}

/// How SeatSync files its tickets: a default per field, chosen from Autotask's own lists.
#[component]
pub fn TicketDefaults() -> impl IntoView {
    let defaults = Resource::new(|| (), |_| ticket_defaults());
    view! {
        <Loaded resource=defaults class="mt-3" let:info>
            <TicketDefaultsForm info />
        </Loaded>
    }
}

#[component]
fn TicketDefaultsForm(info: TicketDefaultsInfo) -> impl IntoView {
    let action = ServerAction::<SaveTicketDefaults>::new();
    let outcome = RwSignal::new(None::<Result<String, String>>);
    on_answer(action, move |answer| {
        outcome.set(Some(match answer {
            Ok(_) => Ok("Saved: new tickets are filed this way.".into()),
            Err(e) => Err(e.to_string()),
        }))
    });
    let choices: Vec<(String, RwSignal<String>)> = info
        .fields
        .iter()
        .map(|f| (f.field.clone(), RwSignal::new(f.chosen.map(|v| v.to_string()).unwrap_or_default())))
        .collect();
    let submit = {
        let choices = choices.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            outcome.set(None);
            let chosen = choices
                .iter()
                .map(|(field, value)| TicketDefaultChoice {
                    field: field.clone(),
                    value: value.get_untracked().parse().ok(),
                })
                .collect();
            send(action, SaveTicketDefaults { chosen });
        }
    };
    view! {
        <form class="mt-3 grid max-w-2xl gap-3 sm:grid-cols-2" on:submit=submit>
            {info
                .fields
                .into_iter()
                .zip(choices)
                .map(|(f, (_, value))| {
                    let marked = f.options.iter().find(|o| o.is_default).map(|o| o.label.clone());
                    let none = match marked {
                        Some(label) => format!("Autotask's default ({label})"),
                        None => "None".to_string(),
                    };
                    let id = format!("ticket-default-{}", f.field);
                    view! {
                        <div class="text-sm font-medium">
                            <label for=id.clone()>{f.label.clone()}</label>
                            <select
                                id=id
                                class="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5"
                                prop:value=move || value.get()
                                on:change=move |ev| value.set(event_target_value(&ev))
                            >
                                <option value="">{none}</option>
                                {f
                                    .options
                                    .into_iter()
                                    .map(|o| view! { <option value=o.value.to_string()>{o.label}</option> })
                                    .collect_view()}
                            </select>
                        </div>
                    }
                })
                .collect_view()}
            <div class="sm:col-span-2">
                <button type="submit" class=button::SECONDARY disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Saving…" } else { "Save ticket defaults" }}
                </button>
                <Feedback message=outcome.into() />
            </div>
        </form>
    }
}

/// How SeatSync files ConnectWise tickets: a board, then one of its statuses, from the PSA's lists.
#[component]
pub fn ConnectWiseTicketDefaults() -> impl IntoView {
    let defaults = Resource::new(|| (), |_| connectwise_defaults());
    view! {
        <Loaded resource=defaults class="mt-3" let:info>
            <ConnectWiseDefaultsForm info />
        </Loaded>
    }
}

#[component]
fn ConnectWiseDefaultsForm(info: ConnectWiseDefaultsInfo) -> impl IntoView {
    let board = RwSignal::new(info.board_id.map(|b| b.to_string()).unwrap_or_default());
    let status = RwSignal::new(info.status_id.map(|s| s.to_string()).unwrap_or_default());
    let statuses = RwSignal::new(info.statuses.clone());
    let loading = RwSignal::new(None::<String>);
    let action = ServerAction::<SaveConnectwiseDefaults>::new();
    let outcome = RwSignal::new(None::<Result<String, String>>);
    on_answer(action, move |answer| {
        outcome.set(Some(match answer {
            Ok(_) => Ok("Saved: new tickets open on this board.".into()),
            Err(e) => Err(e.to_string()),
        }))
    });
    // A new board brings its own statuses; the status chosen for the old one no longer applies.
    let choose_board = move |value: String| {
        board.set(value.clone());
        status.set(String::new());
        statuses.set(Vec::new());
        if let Ok(id) = value.parse::<i64>() {
            loading.set(Some("Reading the board's statuses…".into()));
            leptos::task::spawn_local(async move {
                match connectwise_statuses(id).await {
                    Ok(list) => {
                        statuses.set(list);
                        loading.set(None);
                    }
                    Err(e) => loading.set(Some(format!("The statuses could not be read: {e}"))),
                }
            });
        }
    };
    view! {
        <form
            class="mt-3 grid max-w-2xl gap-3 sm:grid-cols-2"
            on:submit=move |ev| {
                ev.prevent_default();
                outcome.set(None);
                send(
                    action,
                    SaveConnectwiseDefaults {
                        board_id: board.get_untracked().parse().ok(),
                        status_id: status.get_untracked().parse().ok(),
                    },
                );
            }
        >
            <div class="text-sm font-medium">
                <label for="cw-board">"Board"</label>
                <select
                    id="cw-board"
                    class="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5"
                    prop:value=move || board.get()
                    on:change=move |ev| choose_board(event_target_value(&ev))
                >
                    <option value="">"ConnectWise's default board"</option>
                    {info
                        .boards
                        .into_iter()
                        .map(|b| view! { <option value=b.value.to_string()>{b.label}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="text-sm font-medium">
                <label for="cw-status">"Status"</label>
                <select
                    id="cw-status"
                    class="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5"
                    prop:value=move || status.get()
                    on:change=move |ev| status.set(event_target_value(&ev))
                >
                    <option value="">"The board's default status"</option>
                    {move || {
                        statuses
                            .get()
                            .into_iter()
                            .map(|s| view! { <option value=s.value.to_string()>{s.label}</option> })
                            .collect_view()
                    }}
                </select>
                {move || {
                    loading
                        .get()
                        .map(|l| view! { <span class="mt-1 block text-xs font-normal text-slate-500">{l}</span> })
                }}
            </div>
            <div class="sm:col-span-2">
                <button type="submit" class=button::SECONDARY disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Saving…" } else { "Save ticket defaults" }}
                </button>
                <Feedback message=outcome.into() />
            </div>
        </form>
    }
}

/// The ticket type HaloPSA tickets open as, chosen from Halo's list.
#[component]
pub fn HaloTicketDefaults() -> impl IntoView {
    let defaults = Resource::new(|| (), |_| halo_defaults());
    view! {
        <Loaded resource=defaults class="mt-3" let:info>
            <HaloDefaultsForm info />
        </Loaded>
    }
}

#[component]
fn HaloDefaultsForm(info: HaloDefaultsInfo) -> impl IntoView {
    let ticket_type = RwSignal::new(info.ticket_type_id.map(|t| t.to_string()).unwrap_or_default());
    let action = ServerAction::<SaveHaloDefaults>::new();
    let outcome = RwSignal::new(None::<Result<String, String>>);
    on_answer(action, move |answer| {
        outcome.set(Some(match answer {
            Ok(_) => Ok("Saved: new tickets open as this type.".into()),
            Err(e) => Err(e.to_string()),
        }))
    });
    view! {
        <form
            class="mt-3 flex flex-wrap items-end gap-3"
            on:submit=move |ev| {
                ev.prevent_default();
                outcome.set(None);
                send(
                    action,
                    SaveHaloDefaults {
                        ticket_type_id: ticket_type.get_untracked().parse().ok(),
                    },
                );
            }
        >
            <div class="text-sm font-medium">
                <label for="halo-ticket-type">"Ticket type"</label>
                <select
                    id="halo-ticket-type"
                    class="mt-1 block w-72 rounded-md border border-slate-300 px-2 py-1.5"
                    prop:value=move || ticket_type.get()
                    on:change=move |ev| ticket_type.set(event_target_value(&ev))
                >
                    <option value="">"HaloPSA's default type"</option>
                    {info
                        .ticket_types
                        .into_iter()
                        .map(|t| view! { <option value=t.value.to_string()>{t.label}</option> })
                        .collect_view()}
                </select>
            </div>
            <button type="submit" class=button::SECONDARY disabled=move || action.pending().get()>
                {move || if action.pending().get() { "Saving…" } else { "Save ticket defaults" }}
            </button>
        </form>
        <Feedback message=outcome.into() />
    }
}
