//! One tenant's row of the customer mapping table: status, suggestion, links and actions.

use leptos::prelude::*;
use seatsync_domain::{CompanyId, TenantId};

use crate::{
    api::mapping::{AcceptItem, MappingState, TenantMappingRow},
    components::mapping::copy_to_clipboard,
};

/// What a row may do, handed down from the table (all `Copy`, so every row shares them).
#[derive(Clone, Copy)]
pub(super) struct RowActions {
    pub may_edit: bool,
    pub is_admin: bool,
    /// A save is under way: accepting waits for it.
    pub busy: Signal<bool>,
    pub accept: Callback<Vec<AcceptItem>>,
    /// Turn down the suggested company (tenant id, company id).
    pub dismiss: Callback<(TenantId, CompanyId)>,
    pub edit: Callback<TenantMappingRow>,
    /// Open the history of (tenant name, tenant id).
    pub history: Callback<(String, String)>,
    pub feedback: RwSignal<Option<Result<String, String>>>,
}

#[component]
pub(super) fn MappingRow(r: TenantMappingRow, actions: RowActions) -> impl IntoView {
    let for_edit = r.clone();
    let tenant_id = r.tenant_id.clone();
    let copy_id = r.tenant_id.to_string();
    let history_key = (r.name.clone(), r.tenant_id.to_string());
    let (badge, badge_class) = match r.state {
        MappingState::Mapped => ("Mapped", "bg-emerald-100 text-emerald-800"),
        MappingState::Ignored => ("Ignored", "bg-slate-200 text-slate-700"),
        MappingState::Unmapped => ("Not mapped", "bg-amber-100 text-amber-900"),
    };
    view! {
        <tr class="border-t border-slate-100" data-testid="mapping-row" data-tenant=r.tenant_id.to_string()>
            <td class="px-3 py-2">
                <span class="block font-medium">{r.name.clone()}</span>
                <span class="block text-xs text-slate-500">{r.domain.clone().unwrap_or_default()}</span>
            </td>
            <td class="px-3 py-2">
                <span
                    class=format!("whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium {badge_class}")
                    data-testid="mapping-status"
                >
                    {(r.state == MappingState::Unmapped).then(|| view! { <span aria-hidden="true">"● "</span> })}
                    {badge}
                </span>
                {r
                    .company_name
                    .clone()
                    .map(|c| {
                        view! {
                            <span class="ml-2" data-testid="mapped-company">
                                {c}
                            </span>
                        }
                    })}
                {r
                    .company_missing
                    .then(|| {
                        view! { <span class="ml-1 text-xs text-amber-700">"(not in Autotask any more)"</span> }
                    })}
            </td>
            <td class="px-3 py-2">
                {r
                    .suggestion
                    .clone()
                    .map(|s| {
                        let accept_item = AcceptItem {
                            tenant_id: tenant_id.clone(),
                            company_id: s.company_id,
                            version: r.version,
                        };
                        let dismiss_tenant = tenant_id.clone();
                        let company_id = s.company_id;
                        view! {
                            <span data-testid="suggestion">
                                <span class="font-medium">{s.company_name.clone()}</span>
                                <span class="ml-1 text-xs text-slate-500" title=s.reason.clone()>
                                    {format!("{:.0}% · {}", s.confidence * 100.0, s.reason)}
                                </span>
                            </span>
                            {actions
                                .may_edit
                                .then(|| {
                                    view! {
                                        <button
                                            class="ml-2 rounded border border-emerald-600 px-2 py-0.5 text-xs font-medium text-emerald-700 hover:bg-emerald-50"
                                            disabled=actions.busy
                                            on:click=move |_| actions.accept.run(vec![accept_item.clone()])
                                        >
                                            "Accept"
                                        </button>
                                        <button
                                            class="ml-1 rounded px-1 text-xs text-slate-500 hover:text-slate-800"
                                            title="Don't suggest this company for this tenant again"
                                            aria-label="Dismiss suggestion"
                                            disabled=actions.busy
                                            on:click=move |_| actions.dismiss.run((dismiss_tenant.clone(), company_id))
                                        >
                                            "✕"
                                        </button>
                                    }
                                })}
                        }
                    })}
            </td>
            <td class="px-3 py-2 whitespace-nowrap">
                <a
                    class="text-indigo-700 hover:underline"
                    href=r.partner_center_url.clone()
                    target="_blank"
                    rel="noopener"
                >
                    "Partner Center"
                </a>
                {r
                    .company_url
                    .clone()
                    .map(|u| {
                        view! {
                            " · "
                            <a class="text-indigo-700 hover:underline" href=u target="_blank" rel="noopener">
                                "Autotask"
                            </a>
                        }
                    })}
                {actions
                    .may_edit
                    .then(|| {
                        view! {
                            " · "
                            <button
                                class="text-indigo-700 hover:underline"
                                on:click=move |_| actions.edit.run(for_edit.clone())
                            >
                                "Edit"
                            </button>
                        }
                    })}
                " · "
                <button
                    class="text-indigo-700 hover:underline"
                    on:click=move |_| actions.history.run(history_key.clone())
                >
                    "History"
                </button>
                {actions
                    .is_admin
                    .then(|| {
                        view! {
                            " · "
                            <button
                                class="text-indigo-700 hover:underline"
                                title="Copy the tenant id"
                                on:click=move |_| {
                                    copy_to_clipboard(copy_id.clone());
                                    actions.feedback.set(Some(Ok(format!("Copied tenant id {copy_id}."))));
                                }
                            >
                                "Copy ID"
                            </button>
                        }
                    })}
            </td>
        </tr>
    }
}
