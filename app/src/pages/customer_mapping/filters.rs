//! The customer mapping page's counts by status and its filters.

use leptos::prelude::*;

use crate::api::mapping::{MappingState, TenantMappingRow};

/// Which rows are shown.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Filter {
    All,
    Only(MappingState),
}

/// A count per status; clicking one shows only that status (again: all).
#[component]
pub(super) fn StatusCounts(rows: RwSignal<Vec<TenantMappingRow>>, filter: RwSignal<Filter>) -> impl IntoView {
    let count = move |state: MappingState| rows.with(|r| r.iter().filter(|x| x.state == state).count());
    view! {
        <section class="mt-6 flex flex-wrap gap-3" aria-label="Counts by status">
            <StatusCount
                label="Mapped"
                state=MappingState::Mapped
                n=Signal::derive(move || count(MappingState::Mapped))
                color="border-emerald-200 bg-emerald-50 text-emerald-900"
                testid="count-mapped"
                filter
            />
            <StatusCount
                label="Ignored"
                state=MappingState::Ignored
                n=Signal::derive(move || count(MappingState::Ignored))
                color="border-slate-200 bg-slate-50 text-slate-700"
                testid="count-ignored"
                filter
            />
            <StatusCount
                label="Not mapped"
                state=MappingState::Unmapped
                n=Signal::derive(move || count(MappingState::Unmapped))
                color="border-amber-200 bg-amber-50 text-amber-900"
                testid="count-unmapped"
                filter
            />
        </section>
    }
}

#[component]
fn StatusCount(
    label: &'static str,
    state: MappingState,
    n: Signal<usize>,
    color: &'static str,
    testid: &'static str,
    filter: RwSignal<Filter>,
) -> impl IntoView {
    let value = Filter::Only(state);
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
}

/// Free-text search, the status filter and *hide mapped*.
#[component]
pub(super) fn FilterBar(
    filter: RwSignal<Filter>,
    search: RwSignal<String>,
    hide_mapped: RwSignal<bool>,
) -> impl IntoView {
    view! {
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
    }
}
