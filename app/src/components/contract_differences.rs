//! Mapped tenants whose current Autotask contracts differ from Partner Center: the list the
//! dashboard's tile counts, shown on the contracts page until a tenant is picked.

use leptos::prelude::*;

use crate::{
    api::contracts::{differing_contracts, ContractDifference},
    components::common::{
        format::{exact, relative},
        Loaded, Panel,
    },
};

#[component]
pub fn ContractDifferences() -> impl IntoView {
    let list = Resource::new(|| (), |_| differing_contracts());
    view! {
        <Panel
            id="differing-contracts"
            title="Contracts that differ from Partner Center"
            lead="As of each company's last read of its contracts: seats to adjust, services to add, and services billed with no active subscription."
            hint="Pick a tenant to see its suggested contracts."
        >
            <Loaded resource=list class="mt-3" let:list>
                <DifferenceTable list />
            </Loaded>
        </Panel>
    }
}

#[component]
fn DifferenceTable(list: Vec<ContractDifference>) -> impl IntoView {
    if list.is_empty() {
        return view! {
            <p class="mt-3 text-sm text-emerald-800" data-testid="no-differing-contracts">
                "Every current contract holds what Partner Center bills."
            </p>
        }
        .into_any();
    }
    let plural = |n: usize, one: &str, many: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {many}") };
    view! {
        <div class="mt-3 overflow-x-auto">
            <table class="w-full text-sm" aria-label="Tenants whose contracts differ">
                <thead class="text-left text-slate-600">
                    <tr>
                        <th class="py-1 pr-3">"Tenant"</th>
                        <th class="py-1 pr-3 text-right">"Contracts"</th>
                        <th class="py-1 pr-3">"What differs"</th>
                        <th class="py-1">"Contracts read"</th>
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|d| {
                            let what = [
                                (d.adjustments > 0).then(|| plural(d.adjustments, "quantity", "quantities")),
                                (d.additions > 0).then(|| plural(d.additions, "service to add", "services to add")),
                                (d.ended > 0).then(|| plural(d.ended, "service to end", "services to end")),
                            ]
                                .into_iter()
                                .flatten()
                                .collect::<Vec<_>>()
                                .join(", ");
                            view! {
                                <tr class="border-t border-slate-100" data-testid="differing-tenant">
                                    <td class="py-1 pr-3">
                                        <a
                                            class="font-medium text-indigo-700 hover:underline"
                                            href=format!("/contracts?tenant={}", d.tenant_id)
                                        >
                                            {d.tenant_name}
                                        </a>
                                        {d
                                            .company_name
                                            .map(|c| view! { <span class="block text-xs text-slate-500">{c}</span> })}
                                    </td>
                                    <td class="py-1 pr-3 text-right tabular-nums">{d.contracts}</td>
                                    <td class="py-1 pr-3">{what}</td>
                                    <td class="py-1 text-slate-500">
                                        {d
                                            .read_at
                                            .map(|t| view! { <span title=exact(t)>{relative(t)}</span> }.into_any())
                                            .unwrap_or_else(|| "never".into_any())}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
