//! The landing page after sign-in.

use leptos::prelude::*;

use crate::components::common::ErrorLine;
use leptos_meta::Title;

use crate::api::{me::Me, settings::integration_readiness};

#[component]
pub fn DashboardPage() -> impl IntoView {
    let me = expect_context::<Me>();
    // Only a user with a role may ask: a server function refused while rendering would make the
    // whole page answer 403.
    let readiness = me.role.is_some().then(|| Resource::new(|| (), |_| integration_readiness()));
    let first_name = me.name.split_whitespace().next().unwrap_or_default().to_string();
    view! {
        <Title text="Dashboard" />
        <h1 class="text-2xl font-semibold">"Welcome, " {first_name}</h1>
        {match me.role {
            Some(role) => {
                view! { <p class="mt-1 text-slate-600">"You are signed in as " <strong>{role.label()}</strong> "."</p> }
                    .into_any()
            }
            None => {
                view! {
                    <p class="mt-4 rounded-md bg-amber-50 p-4 text-amber-900" role="alert">
                        "Your account has no SeatSync role yet. Ask a SeatSync Admin to assign you one; until then you can see nothing else."
                    </p>
                }
                    .into_any()
            }
        }}
        <Show when=move || me.role.is_some()>
            <section class="mt-8 grid gap-6 md:grid-cols-2">
                <div class="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
                    <h2 class="text-sm font-semibold uppercase tracking-wide text-slate-500">"Vendor connections"</h2>
                    <Suspense fallback=|| {
                        view! { <p class="mt-2 text-slate-400">"Checking…"</p> }
                    }>
                        {move || Suspend::new(async move {
                            let Some(readiness) = readiness else { return ().into_any() };
                            match readiness.await {
                                Ok(r) => {
                                    view! {
                                        <p class="mt-2 text-3xl font-semibold" data-testid="integrations-ready">
                                            {r.ready}
                                            <span class="text-lg text-slate-400">" / " {r.total}</span>
                                        </p>
                                        <p class="mt-1 text-sm text-slate-600">
                                            {if r.not_ready.is_empty() {
                                                "Every integration is configured.".to_string()
                                            } else {
                                                format!("Not configured yet: {}.", r.not_ready.join(", "))
                                            }}
                                        </p>
                                    }
                                        .into_any()
                                }
                                Err(e) => view! { <ErrorLine message=e.to_string() class="mt-2" /> }.into_any(),
                            }
                        })}
                    </Suspense>
                </div>
                <div class="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
                    <h2 class="text-sm font-semibold uppercase tracking-wide text-slate-500">"Your access"</h2>
                    <ul class="mt-3 space-y-1 text-sm text-slate-700">
                        <li>"Viewers browse every customer, subscription and contract."</li>
                        <li>"Editors also change mappings and act on contracts."</li>
                        <li>"Admins also manage settings, integrations and users."</li>
                    </ul>
                </div>
            </section>
        </Show>
    }
}
