//! Customer mapping: every tenant tied to its Autotask company, deliberately ignored, or not
//! mapped yet, with suggestions. Viewers read; Editors change (in a modal); Admins also copy ids.

use leptos::{prelude::*, task::spawn_local};
use leptos_meta::Title;
use seatsync_domain::Role;

use crate::{
    api::{
        mapping::{
            accept_suggestions, customer_mappings, dismiss_suggestion, AcceptItem, MappingState, RefreshInfo,
            TenantMappingRow,
        },
        me::Me,
    },
    components::common::ErrorLine,
    components::{
        layout::RequireRole,
        mapping::{copy_to_clipboard, history::MappingHistory, refresh_line::RefreshLine, tenant_modal::TenantModal},
        modal::{Feedback, Modal},
    },
};

#[component]
pub fn CustomerMappingPage() -> impl IntoView {
    view! {
        <Title text="Customer mapping" />
        <RequireRole role=Role::Viewer>
            <CustomerMapping />
        </RequireRole>
    }
}

/// Which rows are shown.
#[derive(Clone, Copy, PartialEq)]
enum Filter {
    All,
    Only(MappingState),
}

#[component]
fn CustomerMapping() -> impl IntoView {
    let data = Resource::new(|| (), |_| customer_mappings());
    view! {
        <Transition fallback=|| {
            view! { <p class="text-slate-400">"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => {
                        view! { <MappingTable rows=d.rows refresh=d.refresh configured=d.autotask_configured /> }
                            .into_any()
                    }
                    Err(e) => view! { <ErrorLine message=e.to_string() /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn MappingTable(rows: Vec<TenantMappingRow>, refresh: Option<RefreshInfo>, configured: bool) -> impl IntoView {
    const FIRST: usize = 200;
    let me = expect_context::<Me>();
    let may_edit = me.may(Role::Editor);
    let is_admin = me.may(Role::Admin);
    let rows = RwSignal::new(rows);
    let refresh = RwSignal::new(refresh);
    let filter = RwSignal::new(Filter::All);
    let hide_mapped = RwSignal::new(false);
    let search = RwSignal::new(String::new());
    let show_all = RwSignal::new(false);
    let editing = RwSignal::new(None::<TenantMappingRow>);
    let history_of = RwSignal::new(None::<(String, String)>);
    let feedback = RwSignal::new(None::<Result<String, String>>);
    let busy = RwSignal::new(false);

    let count = move |state: MappingState| rows.with(|r| r.iter().filter(|x| x.state == state).count());
    let shown = Memo::new(move |_| {
        let needle = search.get().to_lowercase();
        let f = filter.get();
        let hide = hide_mapped.get();
        rows.with(|r| {
            r.iter()
                .filter(|x| match f {
                    Filter::All => true,
                    Filter::Only(s) => x.state == s,
                })
                .filter(|x| !(hide && x.state == MappingState::Mapped))
                .filter(|x| {
                    needle.is_empty()
                        || x.name.to_lowercase().contains(&needle)
                        || x.domain.as_deref().unwrap_or("").contains(&needle)
                        || x.company_name.as_deref().unwrap_or("").to_lowercase().contains(&needle)
                })
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let replace = move |saved: TenantMappingRow| {
        rows.update(|r| {
            if let Some(x) = r.iter_mut().find(|x| x.tenant_id == saved.tenant_id) {
                let suggestion = if saved.state == MappingState::Unmapped { x.suggestion.clone() } else { None };
                *x = TenantMappingRow { suggestion, ..saved };
            }
        })
    };
    let on_saved = Callback::new(replace);
    let accept = move |items: Vec<AcceptItem>| {
        if items.is_empty() {
            return;
        }
        busy.set(true);
        feedback.set(None);
        spawn_local(async move {
            match accept_suggestions(items).await {
                Ok(outcomes) => {
                    let mut ok = 0;
                    let mut problems = Vec::new();
                    for o in outcomes {
                        match (o.row, o.error) {
                            (Some(row), _) => {
                                ok += 1;
                                replace(row);
                            }
                            (None, Some(e)) => problems.push(e),
                            _ => {}
                        }
                    }
                    feedback.set(Some(if problems.is_empty() {
                        Ok(format!("Mapped {ok} tenant(s) to their suggested companies."))
                    } else {
                        Err(format!("Mapped {ok}; {} could not be saved: {}", problems.len(), problems.join(" ")))
                    }));
                }
                Err(e) => feedback.set(Some(Err(e.to_string()))),
            }
            busy.set(false);
        });
    };
    let accept_all = move |_| {
        let items: Vec<AcceptItem> = shown.with_untracked(|r| {
            r.iter()
                .filter_map(|x| {
                    x.suggestion.as_ref().map(|s| AcceptItem {
                        tenant_id: x.tenant_id.clone(),
                        company_id: s.company_id,
                        version: x.version,
                    })
                })
                .collect()
        });
        accept(items);
    };
    let dismiss = move |tenant_id: String, company_id: i64| {
        spawn_local(async move {
            match dismiss_suggestion(tenant_id.clone(), company_id).await {
                Ok(()) => rows.update(|r| {
                    if let Some(x) = r.iter_mut().find(|x| x.tenant_id == tenant_id) {
                        x.suggestion = None;
                    }
                }),
                Err(e) => feedback.set(Some(Err(e.to_string()))),
            }
        });
    };
    let status_button =
        move |label: &'static str, value: Filter, n: Signal<usize>, color: &'static str, testid: &'static str| {
            view! {
                <button
                    class=move || {
                        format!(
                            "rounded-lg border px-3 py-2 text-left {} {}",
                            color,
                            if filter.get() == value { "ring-2 ring-indigo-500" } else { "" },
                        )
                    }
                    aria-pressed=move || if filter.get() == value { "true" } else { "false" }
                    on:click=move |_| filter.set(if filter.get_untracked() == value { Filter::All } else { value })
                >
                    <span class="block text-xs font-semibold uppercase tracking-wide">{label}</span>
                    <span class="block text-2xl font-semibold tabular-nums" data-testid=testid>
                        {move || n.get()}
                    </span>
                </button>
            }
        };
    let suggestions_shown = Memo::new(move |_| shown.with(|r| r.iter().filter(|x| x.suggestion.is_some()).count()));

    view! {
        <div class="flex flex-wrap items-start justify-between gap-4">
            <div>
                <h1 class="text-2xl font-semibold">"Customer mapping"</h1>
                <p class="mt-1 text-sm text-slate-500">
                    "Each customer tenant is billed as one Autotask company, or deliberately ignored."
                </p>
            </div>
            <RefreshLine refresh configured may_edit what="Companies" />
        </div>
        <section class="mt-6 flex flex-wrap gap-3" aria-label="Counts by status">
            {status_button(
                "Mapped",
                Filter::Only(MappingState::Mapped),
                Signal::derive(move || count(MappingState::Mapped)),
                "border-emerald-200 bg-emerald-50 text-emerald-900",
                "count-mapped",
            )}
            {status_button(
                "Ignored",
                Filter::Only(MappingState::Ignored),
                Signal::derive(move || count(MappingState::Ignored)),
                "border-slate-200 bg-slate-50 text-slate-700",
                "count-ignored",
            )}
            {status_button(
                "Not mapped",
                Filter::Only(MappingState::Unmapped),
                Signal::derive(move || count(MappingState::Unmapped)),
                "border-amber-200 bg-amber-50 text-amber-900",
                "count-unmapped",
            )}
        </section>
        <div class="mt-4 flex flex-wrap items-center gap-4">
            <input
                type="search"
                aria-label="Filter tenants"
                placeholder="Filter by tenant, domain or company"
                class="w-72 rounded-md border border-slate-300 px-2 py-1.5 text-sm"
                on:input=move |ev| search.set(event_target_value(&ev))
            />
            <label class="flex items-center gap-2 text-sm">
                "Status"
                <select
                    aria-label="Status filter"
                    class="rounded-md border border-slate-300 px-2 py-1"
                    on:change=move |ev| {
                        filter
                            .set(
                                match event_target_value(&ev).as_str() {
                                    "mapped" => Filter::Only(MappingState::Mapped),
                                    "ignored" => Filter::Only(MappingState::Ignored),
                                    "unmapped" => Filter::Only(MappingState::Unmapped),
                                    _ => Filter::All,
                                },
                            )
                    }
                    prop:value=move || match filter.get() {
                        Filter::All => "all",
                        Filter::Only(MappingState::Mapped) => "mapped",
                        Filter::Only(MappingState::Ignored) => "ignored",
                        Filter::Only(MappingState::Unmapped) => "unmapped",
                    }
                >
                    <option value="all">"All"</option>
                    <option value="mapped">"Mapped"</option>
                    <option value="ignored">"Ignored"</option>
                    <option value="unmapped">"Not mapped"</option>
                </select>
            </label>
            <label class="flex items-center gap-2 text-sm">
                <input
                    type="checkbox"
                    prop:checked=hide_mapped
                    on:change=move |ev| hide_mapped.set(event_target_checked(&ev))
                />
                "Hide mapped"
            </label>
            {may_edit
                .then(|| {
                    view! {
                        <button
                            class="ml-auto rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50"
                            disabled=move || busy.get() || suggestions_shown.get() == 0
                            on:click=accept_all
                        >
                            {move || format!("Accept {} suggestions", suggestions_shown.get())}
                        </button>
                    }
                })}
        </div>
        <Feedback message=feedback.into() />
        <div class="mt-3 overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
            <table class="w-full text-sm" aria-label="Tenant mappings">
                <thead class="bg-slate-100 text-left text-slate-600">
                    <tr>
                        <th class="px-3 py-2">"Tenant"</th>
                        <th class="px-3 py-2">"Status"</th>
                        <th class="px-3 py-2">"Suggestion"</th>
                        <th class="px-3 py-2">"Actions"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let list = shown.get();
                        let limit = if show_all.get() { list.len() } else { FIRST };
                        list.into_iter()
                            .take(limit)
                            .map(|r| {
                                let for_edit = r.clone();
                                let tenant_id = r.tenant_id.clone();
                                let copy_id = r.tenant_id.clone();
                                let history_key = (r.name.clone(), r.tenant_id.clone());
                                let (badge, badge_class) = match r.state {
                                    MappingState::Mapped => ("Mapped", "bg-emerald-100 text-emerald-800"),
                                    MappingState::Ignored => ("Ignored", "bg-slate-200 text-slate-700"),
                                    MappingState::Unmapped => ("Not mapped", "bg-amber-100 text-amber-900"),
                                };
                                view! {
                                    <tr
                                        class="border-t border-slate-100"
                                        data-testid="mapping-row"
                                        data-tenant=r.tenant_id.clone()
                                    >
                                        <td class="px-3 py-2">
                                            <span class="block font-medium">{r.name.clone()}</span>
                                            <span class="block text-xs text-slate-500">
                                                {r.domain.clone().unwrap_or_default()}
                                            </span>
                                        </td>
                                        <td class="px-3 py-2">
                                            <span
                                                class=format!(
                                                    "whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium {badge_class}",
                                                )
                                                data-testid="mapping-status"
                                            >
                                                {(r.state == MappingState::Unmapped)
                                                    .then(|| view! { <span aria-hidden="true">"● "</span> })}
                                                {badge}
                                            </span>
                                            {r
                                                .company_name
                                                .clone()
                                                .map(|c| {
                                                    view! {
                                                        <span class="ml-2" data-testid="mapped-company">
                                                            {c}
                                                        </span>
                                                    }
                                                })}
                                            {r
                                                .company_missing
                                                .then(|| {
                                                    view! {
                                                        <span class="ml-1 text-xs text-amber-700">
                                                            "(not in Autotask any more)"
                                                        </span>
                                                    }
                                                })}
                                        </td>
                                        <td class="px-3 py-2">
                                            {r
                                                .suggestion
                                                .clone()
                                                .map(|s| {
                                                    let accept_item = AcceptItem {
                                                        tenant_id: tenant_id.clone(),
                                                        company_id: s.company_id,
                                                        version: r.version,
                                                    };
                                                    let dismiss_tenant = tenant_id.clone();
                                                    let company_id = s.company_id;
                                                    view! {
                                                        <span data-testid="suggestion">
                                                            <span class="font-medium">{s.company_name.clone()}</span>
                                                            <span
                                                                class="ml-1 text-xs text-slate-500"
                                                                title=s.reason.clone()
                                                            >
                                                                {format!("{:.0}% · {}", s.confidence * 100.0, s.reason)}
                                                            </span>
                                                        </span>
                                                        {may_edit
                                                            .then(|| {
                                                                view! {
                                                                    <button
                                                                        class="ml-2 rounded border border-emerald-600 px-2 py-0.5 text-xs font-medium text-emerald-700 hover:bg-emerald-50"
                                                                        disabled=busy
                                                                        on:click=move |_| accept(vec![accept_item.clone()])
                                                                    >
                                                                        "Accept"
                                                                    </button>
                                                                    <button
                                                                        class="ml-1 rounded px-1 text-xs text-slate-500 hover:text-slate-800"
                                                                        title="Don't suggest this company for this tenant again"
                                                                        aria-label="Dismiss suggestion"
                                                                        on:click=move |_| dismiss(
                                                                            dismiss_tenant.clone(),
                                                                            company_id,
                                                                        )
                                                                    >
                                                                        "✕"
                                                                    </button>
                                                                }
                                                            })}
                                                    }
                                                })}
                                        </td>
                                        <td class="px-3 py-2 whitespace-nowrap">
                                            <a
                                                class="text-indigo-700 hover:underline"
                                                href=r.partner_center_url.clone()
                                                target="_blank"
                                                rel="noopener"
                                            >
                                                "Partner Center"
                                            </a>
                                            {r
                                                .company_url
                                                .clone()
                                                .map(|u| {
                                                    view! {
                                                        " · "
                                                        <a
                                                            class="text-indigo-700 hover:underline"
                                                            href=u
                                                            target="_blank"
                                                            rel="noopener"
                                                        >
                                                            "Autotask"
                                                        </a>
                                                    }
                                                })}
                                            {may_edit
                                                .then(|| {
                                                    view! {
                                                        " · "
                                                        <button
                                                            class="text-indigo-700 hover:underline"
                                                            on:click=move |_| editing.set(Some(for_edit.clone()))
                                                        >
                                                            "Edit"
                                                        </button>
                                                    }
                                                })}
                                            " · "
                                            <button
                                                class="text-indigo-700 hover:underline"
                                                on:click=move |_| history_of.set(Some(history_key.clone()))
                                            >
                                                "History"
                                            </button>
                                            {is_admin
                                                .then(|| {
                                                    view! {
                                                        " · "
                                                        <button
                                                            class="text-indigo-700 hover:underline"
                                                            title="Copy the tenant id"
                                                            on:click=move |_| {
                                                                copy_to_clipboard(copy_id.clone());
                                                                feedback
                                                                    .set(Some(Ok(format!("Copied tenant id {copy_id}."))));
                                                            }
                                                        >
                                                            "Copy ID"
                                                        </button>
                                                    }
                                                })}
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
        </div>
        {move || {
            let n = shown.with(Vec::len);
            (n > FIRST && !show_all.get())
                .then(|| {
                    view! {
                        <button class="mt-3 text-sm text-indigo-700 underline" on:click=move |_| show_all.set(true)>
                            {format!("Show all {n} tenants")}
                        </button>
                    }
                })
        }}
        {move || {
            editing
                .get()
                .map(|row| view! { <TenantModal row on_saved on_close=Callback::new(move |_| editing.set(None)) /> })
        }}
        {move || {
            history_of
                .get()
                .map(|(name, key)| {
                    view! {
                        <Modal title=format!("History of {name}") on_close=Callback::new(move |_| history_of.set(None))>
                            <MappingHistory kind="tenant" key version=Signal::derive(|| 0) />
                        </Modal>
                    }
                })
        }}
    }
}
