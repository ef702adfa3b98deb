//! Settings: the vendor integrations and whether each is ready (Admin only).

use leptos::prelude::*;
use leptos_meta::Title;
use seatsync_domain::Role;

use leptos::task::spawn_local;

use crate::{
    api::settings::{list_integrations, mapping_settings, save_mapping_settings},
    components::{layout::RequireRole, modal::Feedback},
};

#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
        <Title text="Settings" />
        <RequireRole role=Role::Admin>
            <Integrations />
            <MappingSettingsForm />
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

/// Name templates, when adjustments take effect, and the allocation code of new services.
#[component]
fn MappingSettingsForm() -> impl IntoView {
    let settings = Resource::new(|| (), |_| mapping_settings());
    view! {
        <h2 class="mt-10 text-xl font-semibold">"Autotask services and contracts"</h2>
        <p class="mt-1 text-sm text-slate-500">
            "How SeatSync names what it creates in Autotask. Product names and costs per product are under "
            <a class="text-indigo-700 underline" href="/settings/products">"Product names"</a>"."
        </p>
        <Suspense fallback=|| view! { <p class="mt-4 text-slate-400">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(s) => {
                        let service = RwSignal::new(s.service_name_template.clone());
                        let contract = RwSignal::new(s.contract_name_template.clone());
                        let date = RwSignal::new(s.adjustment_date.clone());
                        let code = RwSignal::new(s.service_billing_code_id.map(|c| c.to_string()).unwrap_or_default());
                        let feedback = RwSignal::new(None::<Result<String, String>>);
                        let save = move |_| {
                            spawn_local(async move {
                                let r = save_mapping_settings(service.get_untracked(), contract.get_untracked(), date.get_untracked(), code.get_untracked()).await;
                                feedback.set(Some(r.map(|_| "Settings saved.".to_string()).map_err(|e| e.to_string())));
                            });
                        };
                        view! {
                            <div class="mt-4 grid max-w-2xl gap-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
                                <label class="text-sm font-medium">"Service name template"
                                    <input class="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 font-mono text-sm" prop:value=service on:input=move |ev| service.set(event_target_value(&ev)) />
                                    <span class="mt-1 block text-xs font-normal text-slate-500">{format!("Placeholders: {}", s.service_placeholders.iter().map(|p| format!("{{{p}}}")).collect::<Vec<_>>().join(" "))}</span>
                                </label>
                                <label class="text-sm font-medium">"Contract name template"
                                    <input class="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 font-mono text-sm" prop:value=contract on:input=move |ev| contract.set(event_target_value(&ev)) />
                                    <span class="mt-1 block text-xs font-normal text-slate-500">{format!("Placeholders: {}", s.contract_placeholders.iter().map(|p| format!("{{{p}}}")).collect::<Vec<_>>().join(" "))}</span>
                                </label>
                                <label class="text-sm font-medium">"Seat changes take effect"
                                    <select class="mt-1 block rounded-md border border-slate-300 px-2 py-1.5" prop:value=date on:change=move |ev| date.set(event_target_value(&ev))>
                                        <option value="today">"on the day they are pushed"</option>
                                        <option value="term_start">"from the start of the current term"</option>
                                    </select>
                                </label>
                                <label class="text-sm font-medium">"Allocation code id for new services (optional)"
                                    <input class="mt-1 w-40 rounded-md border border-slate-300 px-2 py-1.5" inputmode="numeric" prop:value=code on:input=move |ev| code.set(event_target_value(&ev)) />
                                </label>
                                {s.autotask_usage.map(|(used, allowed)| view! {
                                    <p class="text-sm text-slate-600" data-testid="autotask-usage">{format!("Autotask requests by SeatSync in the last hour: {used} of the {allowed} it may use.")}</p>
                                })}
                                <button class="justify-self-start rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500" on:click=save>"Save settings"</button>
                                <Feedback message=feedback.into() />
                            </div>
                        }.into_any()
                    }
                    Err(e) => view! { <p class="mt-4 text-red-700" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
