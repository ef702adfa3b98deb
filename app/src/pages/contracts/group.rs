//! One group of a tenant's subscriptions: its contract (or the one to create), the plan to
//! bring it in line, and every row's state.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use seatsync_domain::TenantId;

use super::ActionFeedback;
use crate::{
    api::contracts::{ContractGroupView, ContractRow, CreateContract, PushOutcome, UpdateContract},
    components::common::{
        mutation::{on_answer, send},
        WhyDisabled,
    },
    components::modal::Feedback,
    error::AppError,
};

#[component]
pub(super) fn GroupPanel(
    g: ContractGroupView,
    tenant_id: TenantId,
    may_act: bool,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let feedback = expect_context::<ActionFeedback>();
    let create = ServerAction::<CreateContract>::new();
    let update_action = ServerAction::<UpdateContract>::new();
    // One change at a time: either running disables both buttons.
    let busy = Signal::derive(move || create.pending().get() || update_action.pending().get());
    let key = g.key.clone();
    let report = {
        let key = key.clone();
        move |update: bool, result: Result<PushOutcome, AppError>| match result {
            Ok(p) => {
                let mut text = if update {
                    format!(
                        "Contract updated: {}.",
                        if p.applied.is_empty() { "nothing to change".to_string() } else { p.applied.join("; ") }
                    )
                } else if p.existed {
                    format!("The contract {} exists already; nothing was created twice.", p.contract_name)
                } else {
                    format!("Created contract {} with {} service(s).", p.contract_name, p.applied.len())
                };
                if !p.flagged.is_empty() {
                    text.push_str(&format!(" Needs a person: {}.", p.flagged.join("; ")));
                }
                feedback.set(
                    &key,
                    if p.failed.is_empty() { Ok(text) } else { Err(format!("{text} Failed: {}", p.failed.join("; "))) },
                );
                refresh.update(|r| *r += 1);
            }
            Err(e) => feedback.set(&key, Err(e.to_string())),
        }
    };
    let report_update = report.clone();
    on_answer(create, move |answer| report(false, answer));
    on_answer(update_action, move |answer| report_update(true, answer));
    let act = move |update: bool| {
        let (tenant_id, group_key) = (tenant_id.clone(), key.clone());
        feedback.clear();
        if update {
            send(update_action, UpdateContract { tenant_id, group_key });
        } else {
            send(create, CreateContract { tenant_id, group_key });
        }
    };
    let act_create = act.clone();
    let blocked = g.create_blocked.is_some();
    let heading = g.heading.clone();
    let plan = g.plan.clone();
    view! {
        <section
            class="mt-6 rounded-xl border border-slate-200 bg-white p-5 shadow-sm"
            data-testid="contract-group"
            data-group=g.key.clone()
        >
            <div class="flex flex-wrap items-start justify-between gap-4">
                <div>
                    <h3 class="font-semibold">{heading}</h3>
                    {match g.contract.clone() {
                        Some(c) if !c.expired => {
                            view! {
                                <p class="text-sm text-slate-600" data-testid="group-contract">
                                    "On contract "
                                    <strong>{c.name.clone()}</strong>
                                    {format!(" ({} to {})", c.start, c.end)}
                                </p>
                            }
                                .into_any()
                        }
                        Some(c) => {
                            view! {
                                <p class="text-sm text-amber-800" data-testid="group-contract">
                                    "Contract "
                                    <strong>{c.name.clone()}</strong>
                                    {format!(" ended {}. ", c.end)}
                                    "Create a new one for the current term."
                                </p>
                            }
                                .into_any()
                        }
                        None => {
                            view! {
                                <p class="text-sm text-slate-600" data-testid="group-contract">
                                    "Suggested contract "
                                    <strong>{g.proposed_name.clone()}</strong>
                                    {format!(" ({} to {})", g.contract_start, g.contract_end)}
                                </p>
                            }
                                .into_any()
                        }
                    }}
                    {g.creating.clone().map(|c| view! { <p class="text-sm text-amber-800">{c}</p> })}
                </div>
                <div class="flex flex-wrap items-center gap-2 text-sm">
                    {g
                        .contract
                        .clone()
                        .and_then(|c| c.url)
                        .map(|u| {
                            view! {
                                <a
                                    class="rounded-md border border-slate-300 px-2 py-1 hover:bg-slate-50"
                                    href=u
                                    target="_blank"
                                    rel="noopener"
                                >
                                    "Open in Autotask"
                                </a>
                            }
                        })}
                    {match (may_act, g.contract.as_ref().is_some_and(|c| !c.expired)) {
                        (false, _) => ().into_any(),
                        (true, true) => {
                            view! {
                                <button
                                    class="rounded-md bg-indigo-600 px-3 py-1 font-medium text-white hover:bg-indigo-500 disabled:opacity-50"
                                    disabled=move || busy.get() || g.pushable == 0
                                    title=if g.pushable == 0 {
                                        "The contract matches Partner Center"
                                    } else {
                                        "Push the changes below to Autotask"
                                    }
                                    on:click=move |_| act(true)
                                >
                                    "Update contract"
                                </button>
                            }
                                .into_any()
                        }
                        (true, false) => {
                            view! {
                                <button
                                    class="rounded-md bg-emerald-700 px-3 py-1 font-medium text-white hover:bg-emerald-600 disabled:opacity-50"
                                    disabled=move || busy.get() || blocked
                                    title=g
                                        .create_blocked
                                        .clone()
                                        .unwrap_or_else(|| {
                                            "Creates the contract with a service per subscription".into()
                                        })
                                    on:click=move |_| act_create(false)
                                >
                                    "Create contract"
                                </button>
                            }
                                .into_any()
                        }
                    }}
                </div>
            </div>
            {may_act
                .then(|| {
                    let why = if g.contract.as_ref().is_none_or(|c| c.expired) {
                        g.create_blocked.clone()
                    } else if g.pushable == 0 {
                        Some("Nothing to update: the contract matches Partner Center.".to_string())
                    } else {
                        None
                    };
                    view! { <WhyDisabled reason=Signal::stored(why) /> }
                })}
            {(!plan.is_empty())
                .then(|| {
                    view! {
                        <div class="mt-3 rounded-md bg-amber-50 p-3 text-sm text-amber-900">
                            <p class="font-medium">"Autotask differs from Partner Center:"</p>
                            <ul class="ml-4 list-disc" data-testid="group-plan">
                                {plan.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                            </ul>
                        </div>
                    }
                })}
            <Feedback message=feedback.of(g.key.clone()) />
            <RowsTable rows=g.rows.clone() />
        </section>
    }
}

#[component]
pub(super) fn RowsTable(rows: Vec<ContractRow>) -> impl IntoView {
    view! {
        <div class="mt-3 overflow-x-auto">
            <table class="w-full text-sm" aria-label="Subscriptions and their contract state">
                <thead class="text-left text-slate-500">
                    <tr>
                        <th class="px-2 py-1">"Product"</th>
                        <th class="px-2 py-1 text-right">"Quantity"</th>
                        <th class="px-2 py-1">"Billing"</th>
                        <th class="px-2 py-1">"Start"</th>
                        <th class="px-2 py-1">"End"</th>
                        <th class="px-2 py-1">"Autotask service"</th>
                        <th class="px-2 py-1">"On contract"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|r| {
                            let hover = r
                                .autotask_units
                                .map(|u| {
                                    format!(
                                        "Autotask: {u} units · Partner Center: {} seats",
                                        r.partner_center_quantity,
                                    )
                                });
                            let badge_class = if r.on_contract {
                                "bg-emerald-100 text-emerald-800"
                            } else {
                                "bg-amber-100 text-amber-900"
                            };
                            view! {
                                <tr class="border-t border-slate-100" data-testid="contract-row">
                                    <td class="px-2 py-1 font-medium">{r.product.clone()}</td>
                                    <td
                                        class="px-2 py-1 text-right tabular-nums"
                                        data-testid="row-quantity"
                                        title=hover.clone()
                                    >
                                        {r
                                            .mismatch
                                            .then(|| {
                                                view! {
                                                    <span
                                                        class="mr-1 font-bold text-red-600"
                                                        role="img"
                                                        aria-label=hover.clone().unwrap_or_default()
                                                        data-testid="quantity-mismatch"
                                                    >
                                                        "!"
                                                    </span>
                                                }
                                            })}
                                        {r.quantity}
                                    </td>
                                    <td class="px-2 py-1">{r.billing.clone().unwrap_or_default()}</td>
                                    <td class="px-2 py-1 whitespace-nowrap">{date(r.start)}</td>
                                    <td class="px-2 py-1 whitespace-nowrap">{date(r.end)}</td>
                                    <td class="px-2 py-1">{r.service_name.clone().unwrap_or_else(|| "—".into())}</td>
                                    <td class="px-2 py-1">
                                        <span
                                            class=format!(
                                                "whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium {badge_class}",
                                            )
                                            title=r.reason.clone()
                                            data-testid="row-state"
                                        >
                                            {r.badge.clone()}
                                        </span>
                                        {(r.reason != r.badge)
                                            .then(|| {
                                                view! {
                                                    <span class="block text-xs text-slate-500">{r.reason.clone()}</span>
                                                }
                                            })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn date(d: Option<DateTime<Utc>>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "—".into())
}
