//! The customer mapping page's filters.

use leptos::prelude::*;

use crate::{api::mapping::MappingState, components::mapping::status_counts::Filter};

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
