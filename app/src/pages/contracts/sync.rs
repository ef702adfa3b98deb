//! The contract sync: starting it (or a dry run) and the latest run's progress and changes.

use leptos::prelude::*;

use crate::{
    api::contracts::{contract_sync_status, ContractRunStatus, StartContractSync},
    components::common::{
        button,
        format::relative,
        mutation::{on_answer, send},
        polling::use_polling_while,
        WhyDisabled,
    },
    components::modal::Feedback,
};

/// The contract sync: start it (or a dry run) and follow it live.
#[component]
pub(super) fn SyncPanel(may_act: bool, refresh: RwSignal<u32>) -> impl IntoView {
    // Polled only while a run is active (and the tab is visible).
    let active = RwSignal::new(false);
    let tick = use_polling_while(std::time::Duration::from_millis(2000), active.into());
    let feedback = RwSignal::new(None::<Result<String, String>>);
    let started = RwSignal::new(0u32);
    let status = Resource::new(move || (tick.get(), started.get()), |_| contract_sync_status());
    let latest = Memo::new(move |_| status.get().and_then(Result::ok).flatten());
    Effect::new(move |_| active.set(latest.get().is_some_and(|s| s.running)));
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
    // Disabled from the click on, before the status says the run started.
    let busy = move || start_sync.pending().get() || running();
    view! {
        {may_act
            .then(|| {
                view! {
                    <div class="mt-4 flex flex-wrap gap-2">
                        <button class=button::OUTLINE disabled=busy on:click=move |_| start(true)>
                            "Dry run: what would change"
                        </button>
                        <button class=button::PRIMARY disabled=busy on:click=move |_| start(false)>
                            "Sync all contracts"
                        </button>
                    </div>
                    <WhyDisabled reason=Signal::derive(move || {
                        running().then(|| "A contract sync is running; its progress shows below.".to_string())
                    }) />
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
