//! Suggested contracts: a tenant's subscriptions grouped by term and aligned dates, each group's
//! Autotask contract, every row's state, one-click create and update, and the contract sync.

mod group;
mod sync;
mod tenant;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use seatsync_domain::Role;

use self::{sync::SyncPanel, tenant::TenantContracts};
use crate::{
    api::{contracts::tenant_contracts, licences::list_tenants, me::Me},
    components::common::Loaded,
    components::{
        contract_differences::ContractDifferences,
        tenant_picker::{columns_class, picker_folded, TenantPicker},
    },
};

/// The last action's outcome on the page, by group key ("" for the tenant card).
#[derive(Clone, Copy)]
struct ActionFeedback(RwSignal<Option<(String, Result<String, String>)>>);

impl ActionFeedback {
    fn set(&self, key: &str, outcome: Result<String, String>) {
        self.0.set(Some((key.to_string(), outcome)));
    }

    fn clear(&self) {
        self.0.set(None);
    }

    fn of(&self, key: String) -> Signal<Option<Result<String, String>>> {
        let inner = self.0;
        Signal::derive(move || inner.get().filter(|(k, _)| *k == key).map(|(_, m)| m))
    }
}

#[component]
pub fn ContractsPage() -> impl IntoView {
    let me = expect_context::<Me>();
    let may_act = me.may(Role::Editor);
    let query = use_query_map();
    let selected = Memo::new(move |_| query.with(|q| q.get("tenant")));
    let folded = picker_folded();
    let refresh = RwSignal::new(0u32);
    // Outcomes of the last action, kept here so they survive the re-render that follows it:
    // (group key, or "" for the tenant card; the message).
    let feedback = RwSignal::new(None::<(String, Result<String, String>)>);
    provide_context(ActionFeedback(feedback));
    let tenants = Resource::new(|| (), |_| list_tenants());
    let detail = Resource::new(
        move || (selected.get(), refresh.get()),
        |(tenant, _)| async move {
            match tenant {
                Some(t) => tenant_contracts(t.into()).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Title text="Contracts" />
        <div class="flex flex-wrap items-baseline justify-between gap-4">
            <h1 class="text-2xl font-semibold">"Contracts"</h1>
            <p class="text-sm text-slate-500">
                "Subscriptions share an Autotask contract only when their term and renewal dates align."
            </p>
        </div>
        <SyncPanel may_act refresh />
        <div class=columns_class(folded)>
            <Loaded resource=tenants loading="Loading tenants…" let:list>
                <TenantPicker tenants=list selected base="/contracts" folded />
            </Loaded>
            <section>
                <Loaded resource=detail let:d>
                    {match d {
                        Some(d) => view! { <TenantContracts view=d may_act refresh /> }.into_any(),
                        None => view! { <ContractDifferences /> }.into_any(),
                    }}
                </Loaded>
            </section>
        </div>
    }
}
