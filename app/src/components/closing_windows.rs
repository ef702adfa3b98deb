//! The subscriptions whose cancellation window closes within two days, across all tenants: the
//! list the dashboard's tile counts, shown on the subscriptions page until a tenant is picked.

use leptos::prelude::*;
use seatsync_domain::{billing_cycle_words, Term};

use crate::{
    api::licences::{closing_windows, ClosingWindow},
    components::common::{
        format::{exact, time_left},
        Loaded, Panel,
    },
};

#[component]
pub fn ClosingWindows() -> impl IntoView {
    let windows = Resource::new(|| (), |_| closing_windows());
    view! {
        <Panel
            id="closing-windows"
            title="Cancellation windows closing within 48 hours"
            lead="Until its window closes, an NCE subscription's seats can be reduced or it can be cancelled; after that it stays as it is until its term renews."
            hint="Pick a tenant to see all its subscriptions."
        >
            <Loaded resource=windows class="mt-3" let:list>
                <WindowTable list />
            </Loaded>
        </Panel>
    }
}

#[component]
fn WindowTable(list: Vec<ClosingWindow>) -> impl IntoView {
    if list.is_empty() {
        return view! {
            <p class="mt-3 text-sm text-emerald-800" data-testid="no-closing-windows">
                "No cancellation window closes in the next 48 hours."
            </p>
        }
        .into_any();
    }
    view! {
        <div class="mt-3 overflow-x-auto">
            <table class="w-full text-sm" aria-label="Cancellation windows closing soon">
                <thead class="text-left text-slate-600">
                    <tr>
                        <th class="py-1 pr-3">"Closes"</th>
                        <th class="py-1 pr-3">"Tenant"</th>
                        <th class="py-1 pr-3">"Product"</th>
                        <th class="py-1 pr-3 text-right">"Seats"</th>
                        <th class="py-1 pr-3">"Term"</th>
                        <th class="py-1">"Billing"</th>
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|w| {
                            view! {
                                <tr class="border-t border-slate-100" data-testid="closing-window">
                                    <td class="py-1 pr-3 font-medium text-amber-800" title=exact(w.closes_at)>
                                        {time_left(w.closes_at)}
                                    </td>
                                    <td class="py-1 pr-3">
                                        <a
                                            class="text-indigo-700 hover:underline"
                                            href=format!("/subscriptions?tenant={}", w.tenant_id)
                                        >
                                            {w.tenant_name}
                                        </a>
                                    </td>
                                    <td class="py-1 pr-3">{w.product}</td>
                                    <td class="py-1 pr-3 text-right tabular-nums">{w.quantity}</td>
                                    <td class="py-1 pr-3">{Term::words_of(w.term.as_deref().unwrap_or_default())}</td>
                                    <td class="py-1">
                                        {billing_cycle_words(w.billing.as_deref().unwrap_or_default())}
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
