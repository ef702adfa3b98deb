//! A mapping's history: who changed it, when, from what to what.

use leptos::prelude::*;

use crate::components::common::ErrorLine;

use crate::api::mapping::mapping_history;

#[component]
pub fn MappingHistory(
    kind: &'static str,
    key: String,
    /// Changes whenever the mapping was saved, so the history reloads.
    #[prop(into)]
    version: Signal<i32>,
) -> impl IntoView {
    let entries = LocalResource::new(move || {
        version.track();
        mapping_history(kind.to_string(), key.clone())
    });
    view! {
        <section class="mt-6 border-t border-slate-200 pt-4" aria-label="History">
            <h3 class="text-sm font-semibold text-slate-600">"History"</h3>
            <Suspense fallback=|| {
                view! { <p class="text-xs text-slate-500">"Loading history…"</p> }
            }>
                {move || Suspend::new(async move {
                    match entries.await {
                        Ok(list) if list.is_empty() => {
                            view! { <p class="mt-1 text-xs text-slate-500">"No changes yet."</p> }.into_any()
                        }
                        Ok(list) => {
                            view! {
                                <ol
                                    class="mt-2 max-h-48 space-y-1 overflow-y-auto text-xs"
                                    data-testid="mapping-history"
                                >
                                    {list
                                        .into_iter()
                                        .map(|e| {
                                            view! {
                                                <li>
                                                    <time class="text-slate-500" datetime=e.at.to_rfc3339()>
                                                        {e.at.format("%Y-%m-%d %H:%M").to_string()}
                                                    </time>
                                                    " · "
                                                    <strong>{e.by.unwrap_or_else(|| "SeatSync".into())}</strong>
                                                    " · "
                                                    {e.action}
                                                    ": "
                                                    {e.before}
                                                    " → "
                                                    {e.after}
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ol>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <ErrorLine message=e.to_string() class="text-xs" /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
