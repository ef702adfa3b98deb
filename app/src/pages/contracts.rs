//! Suggested contracts: a tenant's subscriptions grouped by term and aligned dates, each group's
//! Autotask contract, every row's state, one-click create and update, and the contract sync.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use seatsync_domain::{kinds::ChangeOutcome, Role, TenantId};

use crate::{
    api::{
        contracts::{
            contract_sync_status, tenant_contracts, ContractGroupView, ContractRow, ContractRunStatus, CreateContract,
            PushOutcome, RefreshTenantContracts, StartContractSync, TenantContractsView, UpdateContract,
        },
        licences::list_tenants,
        mapping::MappingState,
        me::Me,
    },
    components::common::{
        button,
        format::{exact, relative},
        polling::use_polling,
    },
    components::common::{
        mutation::{on_answer, send},
        Loaded,
    },
    components::{modal::Feedback, tenant_picker::TenantPicker},
    error::AppError,
};

/// The last action's outcome on the page, by group key ("" for the tenant card).
#[derive(Clone, Copy)]
struct ActionFeedback(RwSignal<Option<(String, Result<String, String>)>>);

impl ActionFeedback {
    fn set(&self, key: &str, outcome: Result<String, String>) {
        self.0.set(Some((key.to_string(), outcome)));
    }

    fn clear(&self) {
        self.0.set(None);
    }

    fn of(&self, key: String) -> Signal<Option<Result<String, String>>> {
        let inner = self.0;
        Signal::derive(move || inner.get().filter(|(k, _)| *k == key).map(|(_, m)| m))
    }
}

#[component]
pub fn ContractsPage() -> impl IntoView {
    let me = expect_context::<Me>();
    let may_act = me.may(Role::Editor);
    let query = use_query_map();
    let selected = Memo::new(move |_| query.with(|q| q.get("tenant")));
    let refresh = RwSignal::new(0u32);
    // Outcomes of the last action, kept here so they survive the re-render that follows it:
    // (group key, or "" for the tenant card; the message).
    let feedback = RwSignal::new(None::<(String, Result<String, String>)>);
    provide_context(ActionFeedback(feedback));
    let tenants = Resource::new(|| (), |_| list_tenants());
    let detail = Resource::new(
        move || (selected.get(), refresh.get()),
        |(tenant, _)| async move {
            match tenant {
                Some(t) => tenant_contracts(t.into()).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Title text="Contracts" />
        <div class="flex flex-wrap items-baseline justify-between gap-4">
            <h1 class="text-2xl font-semibold">"Contracts"</h1>
            <p class="text-sm text-slate-500">
                "Subscriptions share an Autotask contract only when their term and renewal dates align."
            </p>
        </div>
        <SyncPanel may_act refresh />
        <div class="mt-6 grid gap-6 lg:grid-cols-[18rem_1fr]">
            <Loaded resource=tenants loading="Loading tenants…" let:list>
                <TenantPicker tenants=list selected base="/contracts" />
            </Loaded>
            <section>
                <Loaded resource=detail let:d>
                    {match d {
                        Some(d) => view! { <TenantContracts view=d may_act refresh /> }.into_any(),
                        None => {
                            view! {
                                <p class="rounded-xl border border-dashed border-slate-300 p-10 text-center text-slate-500">
                                    "Pick a tenant to see its suggested contracts."
                                </p>
                            }
                                .into_any()
                        }
                    }}
                </Loaded>
            </section>
        </div>
    }
}

/// The contract sync: start it (or a dry run) and follow it live.
#[component]
fn SyncPanel(may_act: bool, refresh: RwSignal<u32>) -> impl IntoView {
    let tick = use_polling(std::time::Duration::from_millis(2000));
    let feedback = RwSignal::new(None::<Result<String, String>>);
    let started = RwSignal::new(0u32);
    let status = Resource::new(move || (tick.get(), started.get()), |_| contract_sync_status());
    let latest = Memo::new(move |_| status.get().and_then(Result::ok).flatten());
    // A finished run may have changed contracts: the tenant shown is read again.
    Effect::new(move |seen: Option<Option<i64>>| {
        let finished = latest.get().filter(|s| !s.running).map(|s| s.run_id);
        if matches!(seen, Some(before) if before != finished && finished.is_some()) {
            refresh.update(|r| *r += 1);
        }
        finished
    });
    let start_sync = ServerAction::<StartContractSync>::new();
    on_answer(start_sync, move |answer| match answer {
        Ok(_) => started.update(|s| *s += 1),
        Err(e) => feedback.set(Some(Err(e.to_string()))),
    });
    let start = move |dry_run: bool| {
        feedback.set(None);
        send(start_sync, StartContractSync { dry_run, tenant_id: None });
    };
    let running = move || latest.get().is_some_and(|s| s.running);
    view! {
        {may_act
            .then(|| {
                view! {
                    <div class="mt-4 flex flex-wrap gap-2">
                        <button class=button::OUTLINE disabled=running on:click=move |_| start(true)>
                            "Dry run: what would change"
                        </button>
                        <button class=button::PRIMARY disabled=running on:click=move |_| start(false)>
                            "Sync all contracts"
                        </button>
                    </div>
                }
            })}
        <Feedback message=feedback.into() />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move { status.await.ok().flatten().map(|s| view! { <RunStatus s /> }) })}
        </Transition>
    }
}

#[component]
fn RunStatus(s: ContractRunStatus) -> impl IntoView {
    let what = if s.dry_run { "Dry run" } else { "Contract sync" };
    let label = if s.running {
        format!("{what}: {} of {} tenants done", s.done, s.total)
    } else {
        format!(
            "{what} {}: {} of {} tenants, {} change(s){}{}",
            s.finished_at.map(relative).unwrap_or_default(),
            s.done - s.failed,
            s.total,
            s.changes,
            if s.failed > 0 { format!(", {} failed", s.failed) } else { String::new() },
            if s.dry_run { " would be made" } else { "" },
        )
    };
    let pct = if s.total > 0 { (s.done as f64 / s.total as f64 * 100.0).round() as i32 } else { 0 };
    let mut by_tenant: Vec<(String, Vec<String>)> = Vec::new();
    for c in &s.changes_list {
        let name = c.tenant_name.clone().unwrap_or_else(|| c.tenant_id.to_string());
        let line =
            format!("{}{}", c.description, c.error.as_ref().map(|e| format!(" — failed: {e}")).unwrap_or_default());
        match by_tenant.last_mut() {
            Some((n, lines)) if *n == name => lines.push(line),
            _ => by_tenant.push((name, vec![line])),
        }
    }
    let failures = s.failures.clone();
    view! {
        <div class="mt-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid="contract-sync">
            <p class="text-sm" role="status">
                {label}
            </p>
            {s
                .running
                .then(|| {
                    view! { <crate::components::progress::ProgressBar percent=pct label="Contract sync progress" /> }
                })}
            {s.error.clone().map(|e| view! { <p class="mt-2 text-sm text-red-700">{e}</p> })}
            {(!failures.is_empty())
                .then(|| {
                    view! {
                        <ul class="mt-2 text-sm text-red-700">
                            {failures
                                .into_iter()
                                .map(|f| {
                                    view! {
                                        <li>
                                            <strong>{f.tenant}</strong>
                                            ": "
                                            {f.error}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })}
            {(!by_tenant.is_empty())
                .then(|| {
                    view! {
                        <details class="mt-2 text-sm" open=s.dry_run>
                            <summary class="cursor-pointer">
                                {if s.dry_run {
                                    "What would change, tenant by tenant"
                                } else {
                                    "What changed, tenant by tenant"
                                }}
                            </summary>
                            <ul class="mt-2 space-y-2" data-testid="run-changes">
                                {by_tenant
                                    .into_iter()
                                    .map(|(name, lines)| {
                                        view! {
                                            <li>
                                                <strong>{name}</strong>
                                                <ul class="ml-4 list-disc">
                                                    {lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
                                                </ul>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </details>
                    }
                })}
        </div>
    }
}

fn date(d: Option<DateTime<Utc>>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "—".into())
}

#[component]
fn TenantContracts(view: TenantContractsView, may_act: bool, refresh: RwSignal<u32>) -> impl IntoView {
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

#[component]
fn GroupPanel(g: ContractGroupView, tenant_id: TenantId, may_act: bool, refresh: RwSignal<u32>) -> impl IntoView {
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
    let heading = format!("{} term · {} to {}", capitalised(&g.term_label), g.term_start, g.term_end);
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
                                    class="rounded-md bg-emerald-600 px-3 py-1 font-medium text-white hover:bg-emerald-500 disabled:opacity-50"
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
            {(may_act && g.create_blocked.is_some() && g.contract.as_ref().is_none_or(|c| c.expired))
                .then(|| view! { <p class="mt-1 text-xs text-slate-500">{g.create_blocked.clone()}</p> })}
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

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

#[component]
fn RowsTable(rows: Vec<ContractRow>) -> impl IntoView {
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
