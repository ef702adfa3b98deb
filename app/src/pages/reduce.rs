//! The confirmation page of a reduction link (from a ticket, an e-mail or the Alerts page):
//! what confirming would change, read live from Partner Center, Graph and Pax8 as the page
//! opens, with every target raised to what is used now; one click carries it out, once, and the
//! page then says what each vendor did. A link that cannot be used says why; nothing changes.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use seatsync_domain::kinds::FindingChannel;

use crate::{
    api::alerts::{open_link, ConfirmLink, Confirmation, LinkPlan, LinkPlanItem, LinkState, LinkStep},
    components::{
        changes::ChangeList,
        common::{
            button,
            format::{count, exact},
            mutation::{on_answer, send},
            ErrorLine, Loaded,
        },
    },
};

#[component]
pub fn ReducePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let state = Resource::new(token, open_link);
    let confirm = ServerAction::<ConfirmLink>::new();
    let done = RwSignal::new(None::<Confirmation>);
    let error = RwSignal::new(None::<String>);
    on_answer(confirm, move |answer| match answer {
        Ok(confirmation) => done.set(Some(confirmation)),
        Err(e) => error.set(Some(e.to_string())),
    });
    view! {
        <Title text="Reduce licences" />
        <h1 class="text-2xl font-semibold">"Reduce licences"</h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-600">
            "SeatSync read the numbers again as this page opened. Nothing changes until you confirm, and a link works once."
        </p>
        {move || {
            done.get()
                .map(|Confirmation { changes, ticket_note }| {
                    view! {
                        <section class="mt-6" aria-labelledby="done-heading" data-testid="reduce-done">
                            <h2 id="done-heading" class="text-lg font-semibold">
                                "What was changed"
                            </h2>
                            <ChangeList lines=changes />
                            {ticket_note
                                .map(|note| {
                                    let class = if note.added {
                                        "mt-3 text-sm text-emerald-800"
                                    } else {
                                        "mt-3 text-sm text-amber-900"
                                    };
                                    view! {
                                        <p class=class data-testid="ticket-note">
                                            {note.words}
                                        </p>
                                    }
                                })}
                        </section>
                    }
                })
        }}
        {move || error.get().map(|message| view! { <ErrorLine message class="mt-4" /> })}
        <Show when=move || done.get().is_none()>
            <Loaded resource=state class="mt-6" let:state>
                {match state {
                    LinkState::Ready(plan) => {
                        view! {
                            <PlanView
                                plan
                                on_confirm=move || {
                                    error.set(None);
                                    send(confirm, ConfirmLink { token: token() });
                                }
                                pending=confirm.pending().into()
                            />
                        }
                            .into_any()
                    }
                    LinkState::Unusable { message, done } => {
                        view! {
                            <div
                                class="mt-6 rounded-xl border border-amber-300 bg-amber-50 p-4"
                                data-testid="link-unusable"
                            >
                                <p class="text-sm text-amber-900">{message}</p>
                            </div>
                            {(!done.is_empty())
                                .then(|| {
                                    view! {
                                        <h2 class="mt-6 text-lg font-semibold">"What this link changed"</h2>
                                        <ChangeList lines=done />
                                    }
                                })}
                        }
                            .into_any()
                    }
                }}
            </Loaded>
        </Show>
        <p class="mt-8 text-sm">
            <a class="text-indigo-700 underline" href="/alerts">
                "Back to the alerts"
            </a>
        </p>
    }
}

fn channel(c: Option<FindingChannel>) -> &'static str {
    match c {
        Some(FindingChannel::Pax8) => "Pax8",
        Some(FindingChannel::PartnerCenter) => "Partner Center",
        None => "—",
    }
}

#[component]
fn PlanView(plan: LinkPlan, on_confirm: impl Fn() + 'static, pending: Signal<bool>) -> impl IntoView {
    let LinkPlan { tenant_name, expires_at, items, actionable, .. } = plan;
    view! {
        <section class="mt-6 rounded-xl border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="plan-heading">
            <h2 id="plan-heading" class="text-lg font-semibold" data-testid="reduce-tenant">
                {tenant_name}
            </h2>
            <p class="mt-1 text-sm text-slate-600">{format!("This link works until {}.", exact(expires_at))}</p>
            <ul class="mt-4 grid gap-3">{items.into_iter().map(|item| view! { <PlanLine item /> }).collect_view()}</ul>
            <div class="mt-4 flex items-center gap-3">
                <button
                    class=button::PRIMARY
                    disabled=move || !actionable || pending.get()
                    on:click=move |_| on_confirm()
                >
                    "Confirm"
                </button>
                {(!actionable)
                    .then(|| {
                        view! {
                            <span class="text-sm text-slate-600" data-testid="why-disabled">
                                "Nothing can be changed now; each line says why."
                            </span>
                        }
                    })}
            </div>
        </section>
    }
}

#[component]
fn PlanLine(item: LinkPlanItem) -> impl IntoView {
    let LinkPlanItem {
        subscription_id,
        product,
        channel: through,
        quantity,
        assigned,
        licence_bought,
        allowance,
        link_target,
        step,
    } = item;
    let bought = match licence_bought {
        Some(all) if all != quantity => format!("{} bought here, {} across the licence", count(quantity), count(all)),
        _ => format!("{} bought", count(quantity)),
    };
    let numbers = format!(
        "{bought}; {} assigned across the licence; {} kept spare",
        assigned.map(count).unwrap_or_else(|| "unknown".into()),
        count(allowance)
    );
    let (what, note) = match step {
        LinkStep::Reduce { target, next_term, raised_from } => {
            let when = if next_term { " at its renewal (scheduled now)" } else { " now" };
            let what = format!("{} → {} in {}{when}", count(quantity), count(target), channel(through));
            let note = raised_from.map(|from| {
                format!(
                    "More seats are assigned than when the link was made, so the target is raised from {} to {}.",
                    count(from),
                    count(target)
                )
            });
            (what, note)
        }
        LinkStep::WaitForWindow { opens } => (
            "Not now".to_string(),
            Some(format!(
                "Pax8 cannot schedule a change for the renewal: lower it to {} once the window opens{}.",
                count(link_target),
                opens.map(|o| format!(" on {}", o.format("%Y-%m-%d"))).unwrap_or_default()
            )),
        ),
        LinkStep::Nothing { why } => ("Nothing to change".to_string(), Some(why)),
    };
    view! {
        <li
            class="rounded-lg border border-slate-200 p-3"
            data-testid="reduce-item"
            data-subscription=subscription_id.to_string()
        >
            <div class="flex flex-wrap justify-between gap-2">
                <span class="font-medium">{product}</span>
                <span class="font-medium" data-testid="reduce-step">
                    {what}
                </span>
            </div>
            <p class="mt-1 text-sm text-slate-600">{numbers}</p>
            {note
                .map(|n| {
                    view! {
                        <p class="mt-1 text-sm text-amber-800" data-testid="reduce-note">
                            {n}
                        </p>
                    }
                })}
        </li>
    }
}
