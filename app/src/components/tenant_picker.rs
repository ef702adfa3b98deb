//! The tenant picker beside the subscriptions and contracts pages.

use leptos::prelude::*;

use crate::api::licences::TenantItem;

/// A searchable list that stays instant with thousands of tenants: filtering happens in the
/// browser over names and domains, and only the first matches are drawn.
#[component]
pub fn TenantPicker(
    tenants: Vec<TenantItem>,
    selected: Memo<Option<String>>,
    /// The page the links open, with `?tenant=<id>` added.
    base: &'static str,
) -> impl IntoView {
    const SHOWN: usize = 100;
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
    view! {
        <aside class="rounded-xl border border-slate-200 bg-white p-3 shadow-sm">
            <label class="block text-xs font-semibold uppercase tracking-wide text-slate-500" for="tenant-search">
                "Tenant"
            </label>
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
