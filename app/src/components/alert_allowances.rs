//! A licence's own spare seats for one customer, on the Alerts page: the rule keeps that many
//! unassigned seats of it before alerting, instead of the customer's default from the Overview.
//! Everyone reads the list; Editors set and remove. A change applies from the next run.

use leptos::prelude::*;

use crate::{
    api::{
        alerts::{licences_of, AllowanceRow, SetAllowance, TenantLicences},
        licences::list_tenants,
    },
    components::common::{button, format::exact, mutation::send, Loaded},
};

#[component]
pub fn AlertAllowances(rows: Vec<AllowanceRow>, set: Option<ServerAction<SetAllowance>>) -> impl IntoView {
    let empty = rows.is_empty();
    view! {
        <section class="mt-8 rounded-xl border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="allowances">
            <h2 id="allowances" class="font-semibold">
                "Spare seats per licence"
            </h2>
            <p class="mt-1 text-sm text-slate-600">
                "Every customer keeps its spare seats (set on the Overview) of each licence unalerted. A licence can keep a different number for one customer: more of one new starters need at once, none of an expensive one."
            </p>
            {if empty {
                view! {
                    <p class="mt-2 text-sm text-slate-600" data-testid="no-allowances">
                        "No licence has its own spare seats: every customer's default applies."
                    </p>
                }
                    .into_any()
            } else {
                view! { <AllowanceTable rows set /> }.into_any()
            }}
            {set.map(|set| view! { <AllowanceForm set /> })}
        </section>
    }
}

#[component]
fn AllowanceTable(rows: Vec<AllowanceRow>, set: Option<ServerAction<SetAllowance>>) -> impl IntoView {
    view! {
        <table class="mt-2 min-w-full text-sm" data-testid="allowances">
            <thead class="text-left text-slate-500">
                <tr>
                    <th class="py-1 pr-3 font-medium">"Customer"</th>
                    <th class="py-1 pr-3 font-medium">"Licence"</th>
                    <th class="py-1 pr-3 text-right font-medium">"Spare seats"</th>
                    <th class="py-1 pr-3 font-medium">"Set"</th>
                    {set.map(|_| view! { <th class="py-1 font-medium">"Act"</th> })}
                </tr>
            </thead>
            <tbody class="divide-y divide-slate-100">
                {rows
                    .into_iter()
                    .map(|row| {
                        let set_line = match &row.set_by {
                            Some(by) => format!("{by}, {}", exact(row.set_at)),
                            None => exact(row.set_at),
                        };
                        let label = format!("Use the default for {} {}", row.tenant_name, row.licence);
                        let (tenant, sku) = (row.tenant_id.clone(), row.sku_id.clone());
                        view! {
                            <tr data-testid="allowance">
                                <td class="py-1 pr-3" data-testid="allowance-customer">
                                    {row.tenant_name.clone()}
                                </td>
                                <td class="py-1 pr-3">{row.licence.clone()}</td>
                                <td class="py-1 pr-3 text-right" data-testid="allowance-spare">
                                    {row.spare}
                                    <span class="block text-xs text-slate-500">
                                        {format!("default {}", row.tenant_default)}
                                    </span>
                                </td>
                                <td class="py-1 pr-3 text-slate-600">{set_line}</td>
                                {set
                                    .map(|set| {
                                        view! {
                                            <td class="py-1">
                                                <button
                                                    class=button::SMALL
                                                    aria-label=label.clone()
                                                    on:click=move |_| {
                                                        send(
                                                            set,
                                                            SetAllowance {
                                                                tenant: tenant.clone(),
                                                                sku: sku.clone(),
                                                                spare: None,
                                                            },
                                                        )
                                                    }
                                                >
                                                    "Use the default"
                                                </button>
                                            </td>
                                        }
                                    })}
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// Choose a customer, then one of its licences, then the number.
#[component]
fn AllowanceForm(set: ServerAction<SetAllowance>) -> impl IntoView {
    let customers = Resource::new(|| (), |_| list_tenants());
    let tenant = RwSignal::new(String::new());
    let licences = Resource::new(
        move || tenant.get(),
        |tenant| async move {
            if tenant.is_empty() {
                return Ok(TenantLicences { tenant_default: 0, licences: Vec::new() });
            }
            licences_of(seatsync_domain::TenantId::new(tenant)).await
        },
    );
    let sku = RwSignal::new(String::new());
    let spare = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    view! {
        <form
            class="mt-4 flex flex-wrap items-end gap-3 text-sm"
            data-testid="allowance-form"
            on:submit=move |ev| {
                ev.prevent_default();
                let text = spare.get_untracked();
                let Ok(number) = text.trim().parse::<i64>() else {
                    problem.set(Some(format!("“{text}” is not a number of seats.")));
                    return;
                };
                problem.set(None);
                send(
                    set,
                    SetAllowance {
                        tenant: seatsync_domain::TenantId::new(tenant.get_untracked()),
                        sku: seatsync_domain::SkuId::new(sku.get_untracked()),
                        spare: Some(number),
                    },
                );
            }
        >
            <label class="grid gap-1">
                <span>"Customer"</span>
                <Loaded resource=customers loading="Loading customers…" let:all>
                    <select
                        class="max-w-xs rounded-md border border-slate-300 px-2 py-1"
                        data-testid="allowance-tenant"
                        on:change=move |ev| {
                            tenant.set(event_target_value(&ev));
                            sku.set(String::new());
                        }
                        prop:value=move || tenant.get()
                    >
                        <option value="">"Choose a customer"</option>
                        {all
                            .into_iter()
                            .map(|t| view! { <option value=t.tenant_id.to_string()>{t.name}</option> })
                            .collect_view()}
                    </select>
                </Loaded>
            </label>
            <label class="grid gap-1">
                <span>"Licence"</span>
                <Loaded resource=licences loading="Loading licences…" let:found>
                    {
                        let none = found.licences.is_empty();
                        let default_spare = found.tenant_default;
                        view! {
                            <select
                                class="max-w-xs rounded-md border border-slate-300 px-2 py-1"
                                data-testid="allowance-sku"
                                disabled=none
                                on:change=move |ev| sku.set(event_target_value(&ev))
                                prop:value=move || sku.get()
                            >
                                <option value="">
                                    {if none { "Choose a customer first" } else { "Choose a licence" }}
                                </option>
                                {found
                                    .licences
                                    .into_iter()
                                    .map(|l| {
                                        let own = match l.spare {
                                            Some(n) => format!("keeps {n}"),
                                            None => format!("default {default_spare}"),
                                        };
                                        view! {
                                            <option value=l
                                                .sku_id
                                                .to_string()>
                                                {format!("{} ({} assigned, {own})", l.licence, l.assigned)}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                        }
                    }
                </Loaded>
            </label>
            <label class="grid gap-1">
                <span>"Spare seats"</span>
                <input
                    type="number"
                    class="w-24 rounded-md border border-slate-300 px-2 py-1"
                    data-testid="allowance-spare-input"
                    prop:value=move || spare.get()
                    on:input=move |ev| spare.set(event_target_value(&ev))
                />
            </label>
            <button
                type="submit"
                class=button::SECONDARY
                disabled=move || tenant.get().is_empty() || sku.get().is_empty() || set.pending().get()
            >
                "Keep these spare"
            </button>
            {move || {
                problem
                    .get()
                    .map(|p| {
                        view! {
                            <p class="w-full text-sm text-red-700" role="alert">
                                {p}
                            </p>
                        }
                    })
            }}
        </form>
    }
}
