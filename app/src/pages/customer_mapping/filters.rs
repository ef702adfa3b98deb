//! The customer mapping page's filters.

use leptos::prelude::*;

use crate::components::{
    common::url_param::{Flag, UrlParam},
    mapping::status_counts::Filter,
};

/// Free-text search, the status filter and *hide mapped*.
#[component]
pub(super) fn FilterBar(
    filter: UrlParam<Filter>,
    search: UrlParam<String>,
    hide_mapped: UrlParam<Flag>,
) -> impl IntoView {
    view! {
        <input
            type="search"
            aria-label="Filter tenants"
            placeholder="Filter by tenant, domain or company"
            class="w-72 rounded-md border border-slate-300 px-2 py-1.5 text-sm"
            value=search.get_untracked()
            on:input=move |ev| search.set(event_target_value(&ev))
        />
        <label class="flex items-center gap-2 text-sm">
            "Status"
            <select
                aria-label="Status filter"
                class="rounded-md border border-slate-300 px-2 py-1"
                on:change=move |ev| { filter.set(event_target_value(&ev).parse().unwrap_or_default()) }
                prop:value=move || filter.get().to_string()
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
                prop:checked=move || hide_mapped.get().0
                on:change=move |ev| hide_mapped.set(Flag(event_target_checked(&ev)))
            />
            "Hide mapped"
        </label>
    }
}
