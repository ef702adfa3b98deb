//! One tenant's contracts: its Autotask company, its groups, what is on no contract and the
//! changes made to its contracts.

use leptos::prelude::*;
use seatsync_domain::kinds::ChangeOutcome;

use super::{
    group::{GroupPanel, RowsTable},
    ActionFeedback,
};
use crate::{
    api::{
        contracts::{ContractInfo, RefreshTenantContracts, TenantContractsView},
        mapping::MappingState,
    },
    components::common::{
        button,
        format::{exact, relative},
        mutation::{on_answer, send},
    },
    components::modal::Feedback,
};

#[component]
pub(super) fn TenantContracts(view: TenantContractsView, may_act: bool, refresh: RwSignal<u32>) -> impl IntoView {
    let feedback = expect_context::<ActionFeedback>();
    let reread_action = ServerAction::<RefreshTenantContracts>::new();
    let busy = reread_action.pending();
    on_answer(reread_action, move |answer| match answer {
        Ok(v) => {
            feedback.set("", v.snapshot_error.map(Err).unwrap_or_else(|| Ok("Contracts read from Autotask.".into())));
            refresh.update(|r| *r += 1);
        }
        Err(e) => feedback.set("", Err(e.to_string())),
    });
    let tenant_id = view.tenant_id.clone();
    let reread = {
        let tenant_id = tenant_id.clone();
        move |_| send(reread_action, RefreshTenantContracts { tenant_id: tenant_id.clone() })
    };
    let state_text = match view.state {
        MappingState::Mapped => format!("Billed as {}", view.company_name.clone().unwrap_or_default()),
        MappingState::Ignored => "Ignored: nothing is pushed to Autotask for this tenant".to_string(),
        MappingState::Unmapped => "Not mapped to an Autotask company yet".to_string(),
    };
    let changes = view.changes.clone();
    let not_grouped = view.not_grouped.clone();
    let groups = view.groups.clone();
    let superseded = view.superseded.clone();
    view! {
        <article class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm" data-testid="contracts-card">
            <div class="flex flex-wrap items-start justify-between gap-4">
                <div>
                    <h2 class="text-xl font-semibold">{view.name.clone()}</h2>
                    <p class="text-sm text-slate-600" data-testid="tenant-mapping">
                        {state_text}
                    </p>
                    {(view.state == MappingState::Unmapped)
                        .then(|| {
                            view! {
                                <a class="text-sm text-indigo-700 underline" href="/mapping/customers">
                                    "Map it on the Customer mapping page"
                                </a>
                            }
                        })}
                </div>
                <div class="text-right text-sm">
                    {view
                        .company_url
                        .clone()
                        .map(|u| {
                            view! {
                                <a
                                    class="rounded-md border border-slate-300 px-2 py-1 hover:bg-slate-50"
                                    href=u
                                    target="_blank"
                                    rel="noopener"
                                >
                                    "Open company in Autotask"
                                </a>
                            }
                        })}
                    {view
                        .snapshot_at
                        .map(|t| {
                            view! {
                                <p class="mt-2 text-slate-500">
                                    "Contracts read " <time title=exact(t)>{relative(t)}</time>
                                </p>
                            }
                        })}
                    {(may_act && view.state == MappingState::Mapped && view.autotask_configured)
                        .then(|| {
                            view! {
                                <button class=format!("mt-1 {}", button::IN_ROW) disabled=busy on:click=reread>
                                    "Refresh from Autotask"
                                </button>
                            }
                        })}
                </div>
            </div>
            {view
                .snapshot_error
                .clone()
                .map(|e| {
                    view! {
                        <p class="mt-3 rounded-md bg-amber-50 p-3 text-sm text-amber-900" role="alert">
                            "Autotask could not be read just now; showing the contracts as last read. "
                            <strong>{e}</strong>
                        </p>
                    }
                })}
            <Feedback message=feedback.of(String::new()) />
        </article>
        <SupersededContracts contracts=superseded />
        {groups
            .into_iter()
            .map(|g| view! { <GroupPanel g tenant_id=tenant_id.clone() may_act refresh /> })
            .collect_view()}
        {(!not_grouped.is_empty())
            .then(|| {
                view! {
                    <section class="mt-6">
                        <h3 class="text-sm font-semibold uppercase tracking-wide text-slate-500">
                            "Not on any contract"
                        </h3>
                        <RowsTable rows=not_grouped />
                    </section>
                }
            })}
        <section class="mt-8">
            <h3 class="text-sm font-semibold uppercase tracking-wide text-slate-500">
                "Changes to this tenant's contracts"
            </h3>
            {if changes.is_empty() {
                view! { <p class="mt-2 text-sm text-slate-500">"None yet."</p> }.into_any()
            } else {
                view! {
                    <ol class="mt-2 space-y-1 text-sm" data-testid="contract-changes">
                        {changes
                            .into_iter()
                            .map(|c| {
                                view! {
                                    <li>
                                        <time class="text-slate-500" datetime=c.at.to_rfc3339()>
                                            {c.at.format("%Y-%m-%d %H:%M").to_string()}
                                        </time>
                                        " · "
                                        <strong>{c.by.unwrap_or_else(|| "contract sync".into())}</strong>
                                        " · "
                                        {c.description}
                                        <span class=match c.outcome {
                                            ChangeOutcome::Applied => "ml-1 text-emerald-700",
                                            ChangeOutcome::Flagged => "ml-1 text-amber-700",
                                            ChangeOutcome::Planned => "ml-1 text-slate-600",
                                            ChangeOutcome::Failed => "ml-1 text-red-700",
                                        }>{format!(" ({})", c.outcome)}</span>
                                        {c.error.map(|e| view! { <span class="text-red-700">": " {e}</span> })}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                }
                    .into_any()
            }}
        </section>
    }
}

/// Contracts made under an earlier grouping rule that are still active in Autotask: nothing keeps
/// them in line any more, and they bill what the new contracts bill until ended.
#[component]
fn SupersededContracts(contracts: Vec<ContractInfo>) -> impl IntoView {
    (!contracts.is_empty()).then(|| {
        view! {
            <section
                class="mt-6 rounded-xl border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950"
                aria-labelledby="superseded-heading"
                data-testid="superseded-contracts"
            >
                <h3 id="superseded-heading" class="font-semibold">
                    "Contracts made under the earlier grouping rule, still active in Autotask"
                </h3>
                <p class="mt-1">
                    "The contract grouping was changed in Settings, so SeatSync no longer keeps these in line with Partner Center. Once the contracts suggested below are in place, end these in Autotask, or the same seats are billed twice."
                </p>
                <ul class="mt-2 space-y-1">
                    {contracts
                        .into_iter()
                        .map(|c| {
                            let dates = format!(" ({} to {})", c.start, c.end);
                            view! {
                                <li>
                                    {match c.url {
                                        Some(url) => {
                                            view! {
                                                <a
                                                    class="font-medium underline"
                                                    href=url
                                                    target="_blank"
                                                    rel="noopener"
                                                >
                                                    {c.name}
                                                </a>
                                            }
                                                .into_any()
                                        }
                                        None => view! { <strong>{c.name}</strong> }.into_any(),
                                    }} {dates}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        }
    })
}
