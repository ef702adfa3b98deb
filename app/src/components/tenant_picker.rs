//! The tenant picker beside the subscriptions and contracts pages. It folds away to give the
//! tables the width, and stays folded on every page of this browser until opened again.

use leptos::prelude::*;

use crate::{api::licences::TenantItem, components::common::button};

/// Where the browser remembers that the picker is folded away.
const FOLDED_KEY: &str = "seatsync.tenant-picker.folded";

/// Whether the picker is folded away: read from the browser once the page is live (the server
/// always draws it open), written back on every change.
pub fn picker_folded() -> RwSignal<bool> {
    let folded = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        let storage = || web_sys::window().and_then(|w| w.local_storage().ok().flatten());
        Effect::new(move |first: Option<()>| {
            let now = folded.get();
            if first.is_none() {
                let stored = storage().and_then(|s| s.get_item(FOLDED_KEY).ok().flatten());
                if let Some(v) = stored {
                    folded.set(v == "1");
                }
            } else if let Some(s) = storage() {
                let _ = s.set_item(FOLDED_KEY, if now { "1" } else { "0" });
            }
        });
    }
    let _ = FOLDED_KEY;
    folded
}

/// The page's two columns: the picker and the content, or the content alone at full width.
pub fn columns_class(folded: RwSignal<bool>) -> impl Fn() -> &'static str + Copy {
    move || if folded.get() { "mt-6 grid gap-6" } else { "mt-6 grid gap-6 lg:grid-cols-[18rem_1fr]" }
}

/// A searchable list that stays instant with thousands of tenants: filtering happens in the
/// browser over names and domains, and only the first matches are drawn.
#[component]
pub fn TenantPicker(
    tenants: Vec<TenantItem>,
    selected: Memo<Option<String>>,
    /// The page the links open, with `?tenant=<id>` added.
    base: &'static str,
    /// Folded away to a one-line bar (see [`picker_folded`]).
    folded: RwSignal<bool>,
) -> impl IntoView {
    const SHOWN: usize = 100;
    let count = tenants.len();
    let search = RwSignal::new(String::new());
    let tenants = StoredValue::new(tenants);
    let matches = Memo::new(move |_| {
        let needle = search.get().to_lowercase();
        tenants.with_value(|all| {
            all.iter()
                .filter(|t| {
                    needle.is_empty()
                        || t.name.to_lowercase().contains(&needle)
                        || t.domain.as_deref().unwrap_or("").to_lowercase().contains(&needle)
                })
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let selected_name = move || {
        let id = selected.get()?;
        tenants.with_value(|all| all.iter().find(|t| t.tenant_id.as_str() == id).map(|t| t.name.clone()))
    };
    view! {
        <Show when=move || folded.get()>
            <div class="flex flex-wrap items-center gap-3 rounded-xl border border-slate-200 bg-white px-3 py-2 text-sm shadow-sm">
                <button
                    class=button::SMALL
                    aria-expanded="false"
                    aria-controls="tenant-picker"
                    on:click=move |_| folded.set(false)
                >
                    {format!("Show tenants ({count})")}
                </button>
                <span class="text-slate-600">
                    {move || selected_name().map(|n| format!("Showing {n}")).unwrap_or_default()}
                </span>
            </div>
        </Show>
        <aside
            id="tenant-picker"
            class="rounded-xl border border-slate-200 bg-white p-3 shadow-sm"
            class:hidden=move || folded.get()
        >
            <div class="flex items-center justify-between gap-2">
                <label class="block text-xs font-semibold uppercase tracking-wide text-slate-500" for="tenant-search">
                    "Tenant"
                </label>
                <button
                    class=button::SMALL
                    aria-expanded="true"
                    aria-controls="tenant-picker"
                    title="Fold the tenant list away to give the table the width"
                    on:click=move |_| folded.set(true)
                >
                    "Hide tenants"
                </button>
            </div>
            <input
                id="tenant-search"
                type="search"
                placeholder="Search name or domain"
                class="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm"
                prop:value=search
                on:input=move |ev| search.set(event_target_value(&ev))
            />
            <p class="mt-2 text-xs text-slate-500">
                {move || {
                    let n = matches.with(Vec::len);
                    if n > SHOWN { format!("{n} tenants; showing the first {SHOWN}") } else { format!("{n} tenants") }
                }}
            </p>
            <ul class="mt-2 max-h-[32rem] overflow-y-auto text-sm" aria-label="Tenants">
                {move || {
                    matches
                        .get()
                        .into_iter()
                        .take(SHOWN)
                        .map(|t| {
                            let id = t.tenant_id.clone();
                            let is_selected = move || selected.get().as_deref() == Some(id.as_str());
                            view! {
                                <li>
                                    <a
                                        href=format!("{base}?tenant={}", t.tenant_id)
                                        class=move || {
                                            if is_selected() {
                                                "block rounded px-2 py-1 bg-indigo-50 text-indigo-800"
                                            } else {
                                                "block rounded px-2 py-1 hover:bg-slate-50"
                                            }
                                        }
                                    >
                                        <span class="block font-medium">{t.name.clone()}</span>
                                        <span class="block text-xs text-slate-600">
                                            {t.domain.clone().unwrap_or_default()}
                                            {t
                                                .last_error
                                                .is_some()
                                                .then(|| {
                                                    view! { <span class="ml-1 text-amber-700">" · sync failed"</span> }
                                                })}
                                        </span>
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </aside>
    }
}
