//! Settings: the vendor integrations and whether each is ready (Admin only).

use leptos::prelude::*;
use leptos_meta::Title;
use seatsync_domain::Role;

use crate::{api::settings::list_integrations, components::layout::RequireRole};

#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
        <Title text="Settings" />
        <RequireRole role=Role::Admin>
            <Integrations />
        </RequireRole>
    }
}

#[component]
fn Integrations() -> impl IntoView {
    let integrations = Resource::new(|| (), |_| list_integrations());
    view! {
        <h1 class="text-2xl font-semibold">"Integrations"</h1>
        <p class="mt-1 text-sm text-slate-500">
            "Endpoints and credentials are set in the server's configuration (environment or TOML file); secrets are never shown."
        </p>
        <Suspense fallback=|| view! { <p class="mt-6 text-slate-400">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match integrations.await {
                    Ok(list) => view! {
                        <div class="mt-6 grid gap-4 md:grid-cols-2">
                            {list.into_iter().map(|i| view! {
                                <article class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
                                    <div class="flex items-center justify-between">
                                        <h2 class="font-semibold">{i.name.clone()}</h2>
                                        {if i.configured {
                                            view! { <span class="rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-800">"Configured"</span> }.into_any()
                                        } else {
                                            view! { <span class="rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-800">"Not configured"</span> }.into_any()
                                        }}
                                    </div>
                                    <p class="mt-1 text-sm text-slate-600">{i.purpose.clone()}</p>
                                    <p class="mt-2 font-mono text-xs text-slate-500 break-all">{i.base_url.clone()}</p>
                                    {(!i.missing.is_empty()).then(|| view! {
                                        <p class="mt-2 text-xs text-amber-800">"Set: " {i.missing.join(", ")}</p>
                                    })}
                                </article>
                            }).collect_view()}
                        </div>
                    }.into_any(),
                    Err(e) => view! { <p class="mt-6 text-red-700" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
