//! Settings (Admin): the integrations, each with its page, the PSA SeatSync opens its tickets
//! in, the API tokens other systems read billing reports with, and how SeatSync names and bills
//! what it creates in Autotask.

use leptos::prelude::*;
use leptos_meta::Title;
use seatsync_domain::grouping::ContractGrouping;

use crate::{
    api::settings::{allocation_codes, list_integrations, mapping_settings, SaveMappingSettings},
    components::common::{
        button,
        mutation::{on_answer, send},
        Loaded,
    },
    components::{
        api_tokens::ApiTokens,
        integrations::{StatusBadge, TestConnection},
        modal::Feedback,
        ticket_psa::TicketPsaChoice,
    },
};

#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
        <Title text="Settings" />
        <Integrations />
        <TicketPsaChoice admin=true />
        <ApiTokens />
        <MappingSettingsForm />
    }
}

#[component]
fn Integrations() -> impl IntoView {
    let integrations = Resource::new(|| (), |_| list_integrations());
    view! {
        <h1 class="text-2xl font-semibold">"Integrations"</h1>
        <p class="mt-1 text-sm text-slate-500">
            "Set each integration up on its page. A value set in the server's environment wins over the page, which says so; secrets are saved encrypted and never shown again."
        </p>
        <Loaded resource=integrations class="mt-6" let:list>
            <div class="mt-6 grid gap-4 md:grid-cols-2">
                {list
                    .into_iter()
                    .map(|i| {
                        let href = format!("/settings/integrations/{}", i.key);
                        view! {
                            <article class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
                                <div class="flex items-center justify-between">
                                    <h2 class="font-semibold">
                                        <a class="hover:underline" href=href.clone()>
                                            {i.name.clone()}
                                        </a>
                                    </h2>
                                    <StatusBadge configured=i.configured />
                                </div>
                                <p class="mt-1 text-sm text-slate-600">"Used by: " {i.used_by.join(", ")}</p>
                                {i
                                    .endpoint
                                    .clone()
                                    .map(|e| {
                                        view! { <p class="mt-2 font-mono text-xs text-slate-500 break-all">{e}</p> }
                                    })}
                                {(!i.missing.is_empty())
                                    .then(|| {
                                        view! {
                                            <p class="mt-2 text-xs text-amber-800">
                                                "Still needed: " {i.missing.join(", ")}
                                            </p>
                                        }
                                    })}
                                <div class="mt-3 flex flex-wrap items-start gap-3">
                                    <a class=button::SMALL href=href aria-label=format!("Set up {}", i.name)>
                                        "Set up"
                                    </a>
                                    {(i.testable && i.configured)
                                        .then(|| {
                                            view! {
                                                <TestConnection key=i.key.as_str().to_string() name=i.name.clone() />
                                            }
                                        })}
                                </div>
                            </article>
                        }
                    })
                    .collect_view()}
            </div>
        </Loaded>
    }
}

/// The allocation code new services are billed under, chosen from the list Autotask returns.
#[component]
fn AllocationCodePicker(code: RwSignal<String>, current: Option<i64>) -> impl IntoView {
    let codes = Resource::new(|| (), |_| allocation_codes());
    view! {
        <label class="text-sm font-medium">
            "Allocation code of new services"
            <Suspense fallback=|| {
                view! {
                    <span class="mt-1 block text-xs text-slate-500">"Reading Autotask's allocation codes…"</span>
                }
            }>
                {move || Suspend::new(async move {
                    match codes.await {
                        Ok(list) => {
                            view! {
                                <select
                                    class="mt-1 block rounded-md border border-slate-300 px-2 py-1.5"
                                    aria-label="Allocation code of new services"
                                    prop:value=code
                                    on:change=move |ev| code.set(event_target_value(&ev))
                                >
                                    <option value="" selected=current.is_none()>
                                        "Choose one (Autotask requires it)"
                                    </option>
                                    {list
                                        .into_iter()
                                        .map(|c| {
                                            let label = match &c.use_type {
                                                Some(u) => format!("{} ({u})", c.name),
                                                None => c.name.clone(),
                                            };
                                            view! {
                                                <option value=c.id.to_string() selected=current == Some(c.id)>
                                                    {label}
                                                </option>
                                            }
                                        })
                                        .collect_view()}
                                </select>
                                <span class="mt-1 block text-xs font-normal text-slate-500">
                                    "Autotask requires an allocation code on every service. Codes for recurring contract services are listed first."
                                </span>
                            }
                                .into_any()
                        }
                        Err(e) => {
                            view! {
                                <span class="mt-1 block text-sm font-normal text-red-700" role="alert">
                                    {format!("The allocation codes could not be read: {e}")}
                                </span>
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </label>
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
            <a class="text-indigo-700 underline" href="/settings/products">
                "Product names"
            </a>"."
        </p>
        <Loaded resource=settings class="mt-4" let:s>
            {{
                let service = RwSignal::new(s.service_name_template.clone());
                let contract = RwSignal::new(s.contract_name_template.clone());
                let date = RwSignal::new(s.adjustment_date.clone());
                let code = RwSignal::new(s.service_billing_code_id.map(|c| c.to_string()).unwrap_or_default());
                let start_stop = RwSignal::new(s.time_reporting_requires_start_stop);
                let grouping = RwSignal::new(s.contract_grouping);
                let feedback = RwSignal::new(None::<Result<String, String>>);
                let save_action = ServerAction::<SaveMappingSettings>::new();
                on_answer(
                    save_action,
                    move |answer| {
                        feedback.set(Some(answer.map(|()| "Settings saved.".to_string()).map_err(|e| e.to_string())));
                    },
                );
                let save = move |_| {
                    send(
                        save_action,
                        SaveMappingSettings {
                            service_name_template: service.get_untracked(),
                            contract_name_template: contract.get_untracked(),
                            adjustment_date: date.get_untracked(),
                            service_billing_code_id: code.get_untracked(),
                            time_reporting_requires_start_stop: start_stop.get_untracked(),
                            contract_grouping: grouping.get_untracked().as_str().to_string(),
                        },
                    )
                };
                view! {
                    <div class="mt-4 grid max-w-2xl gap-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
                        <label class="text-sm font-medium">
                            "Service name template"
                            <input
                                class="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 font-mono text-sm"
                                prop:value=service
                                on:input=move |ev| service.set(event_target_value(&ev))
                            />
                            <span class="mt-1 block text-xs font-normal text-slate-500">
                                {format!(
                                    "Placeholders: {}",
                                    s
                                        .service_placeholders
                                        .iter()
                                        .map(|p| format!("{{{p}}}"))
                                        .collect::<Vec<_>>()
                                        .join(" "),
                                )}
                            </span>
                        </label>
                        <label class="text-sm font-medium">
                            "Contract name template"
                            <input
                                class="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 font-mono text-sm"
                                prop:value=contract
                                on:input=move |ev| contract.set(event_target_value(&ev))
                            />
                            <span class="mt-1 block text-xs font-normal text-slate-500">
                                {format!(
                                    "Placeholders: {}",
                                    s
                                        .contract_placeholders
                                        .iter()
                                        .map(|p| format!("{{{p}}}"))
                                        .collect::<Vec<_>>()
                                        .join(" "),
                                )}
                            </span>
                        </label>
                        <label class="text-sm font-medium">
                            "Seat changes take effect"
                            <select
                                class="mt-1 block rounded-md border border-slate-300 px-2 py-1.5"
                                prop:value=date
                                on:change=move |ev| date.set(event_target_value(&ev))
                            >
                                <option value="today">"on the day they are pushed"</option>
                                <option value="term_start">"from the start of the current term"</option>
                            </select>
                        </label>
                        <GroupingChoice grouping saved=s.contract_grouping />
                        <AllocationCodePicker code current=s.service_billing_code_id />
                        <label class="flex items-start gap-2 text-sm font-medium">
                            <input
                                type="checkbox"
                                class="mt-1"
                                prop:checked=start_stop
                                on:change=move |ev| start_stop.set(event_target_checked(&ev))
                            />
                            <span>
                                "Contracts SeatSync creates require start and stop times on time entries"
                                <span class="block text-xs font-normal text-slate-500">
                                    "Autotask asks this of every new contract. Licence contracts carry no time, so most MSPs leave it off."
                                </span>
                            </span>
                        </label>
                        {s
                            .autotask_usage
                            .map(|u| {
                                view! {
                                    <p class="text-sm text-slate-600" data-testid="autotask-usage">
                                        {format!(
                                            "Autotask requests by SeatSync in the last hour: {} of the {} it may use.",
                                            u.used_last_hour,
                                            u.allowed_per_hour,
                                        )}
                                    </p>
                                }
                            })}
                        <button
                            class=format!("justify-self-start {}", button::PRIMARY)
                            disabled=save_action.pending()
                            on:click=save
                        >
                            "Save settings"
                        </button>
                        <Feedback message=feedback.into() />
                    </div>
                }
                    .into_any()
            }}
        </Loaded>
    }
}

/// How a customer's subscriptions are split into contracts: each rule with what it does, and
/// what changing it means for the contracts already made.
#[component]
fn GroupingChoice(grouping: RwSignal<ContractGrouping>, saved: ContractGrouping) -> impl IntoView {
    view! {
        <fieldset class="text-sm">
            <legend class="font-medium">"Contracts per customer"</legend>
            <div class="mt-1 grid gap-2">
                {ContractGrouping::ALL
                    .into_iter()
                    .map(|rule| {
                        let id = format!("grouping-{}", rule.as_str());
                        let note = format!("{id}-note");
                        let label_for = id.clone();
                        view! {
                            <label
                                class="flex items-start gap-2 rounded-md border border-slate-200 p-2 has-[:checked]:border-indigo-400 has-[:checked]:bg-indigo-50"
                                for=label_for
                            >
                                <input
                                    type="radio"
                                    name="contract-grouping"
                                    class="mt-1"
                                    id=id
                                    aria-label=rule.title()
                                    aria-describedby=note.clone()
                                    value=rule.as_str()
                                    prop:checked=move || grouping.get() == rule
                                    on:change=move |_| grouping.set(rule)
                                />
                                <span>
                                    <span class="font-medium">
                                        {rule.title()} {(rule == ContractGrouping::default()).then_some(" (default)")}
                                    </span>
                                    <span class="block text-xs text-slate-600" id=note>
                                        {rule.explanation()}
                                    </span>
                                </span>
                            </label>
                        }
                    })
                    .collect_view()}
            </div>
            <Show when=move || grouping.get() != saved>
                <p class="mt-2 rounded-md bg-amber-50 p-2 text-xs text-amber-900" role="note">
                    "Saving changes the contracts SeatSync suggests for every customer, and the contract sync follows the new rule. Contracts made under the old rule stay in Autotask: each customer's Contracts page lists those still active until they are ended there, so no seat is billed twice."
                </p>
            </Show>
        </fieldset>
    }
}
