//! "No company for this tenant in Autotask? Create it": a form prefilled from the tenant (its
//! name, its web address, the signed-in person as owner when Autotask knows them), then one
//! click that creates the company and maps the tenant to it. The form reads Autotask's staff
//! and required fields only when opened.

use leptos::prelude::*;
use seatsync_domain::TenantId;

use crate::{
    api::mapping::{company_draft, CompanyDraftInfo, NewCompanyForm},
    components::common::{button, ErrorLine},
};

const INPUT: &str = "mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5";

#[component]
pub fn CreateCompanySection(
    tenant_id: TenantId,
    /// The tenant mapping's version the modal holds: a create over a newer one is refused.
    version: Signal<i32>,
    busy: Signal<bool>,
    on_create: Callback<NewCompanyForm>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <section class="mt-5 rounded-lg border border-slate-200 p-3" aria-label="Create a company">
            <h3 class="text-sm font-medium">"No company for this tenant in Autotask?"</h3>
            <Show
                when=move || open.get()
                fallback=move || {
                    view! {
                        <button
                            class=format!("mt-2 {}", button::SECONDARY)
                            disabled=busy
                            on:click=move |_| open.set(true)
                        >
                            "Create it in Autotask…"
                        </button>
                    }
                }
            >
                <CompanyForm tenant_id=tenant_id.clone() version busy on_create />
            </Show>
        </section>
    }
}

#[component]
fn CompanyForm(
    tenant_id: TenantId,
    version: Signal<i32>,
    busy: Signal<bool>,
    on_create: Callback<NewCompanyForm>,
) -> impl IntoView {
    let id = tenant_id.clone();
    let draft = LocalResource::new(move || company_draft(id.clone()));
    view! {
        <Suspense fallback=|| {
            view! { <p class="mt-2 text-sm text-slate-500">"Reading Autotask's staff and required fields…"</p> }
        }>
            {move || {
                let tenant_id = tenant_id.clone();
                Suspend::new(async move {
                    match draft.await {
                        Ok(d) => view! { <Fields draft=d tenant_id version busy on_create /> }.into_any(),
                        Err(e) => view! { <ErrorLine message=e.to_string() class="mt-2 text-sm" /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn Fields(
    draft: CompanyDraftInfo,
    tenant_id: TenantId,
    version: Signal<i32>,
    busy: Signal<bool>,
    on_create: Callback<NewCompanyForm>,
) -> impl IntoView {
    let name = RwSignal::new(draft.name.clone());
    let owner = RwSignal::new(draft.default_owner);
    let phone = RwSignal::new(String::new());
    let web = RwSignal::new(draft.web_address.clone().unwrap_or_default());
    let phone_required = draft.phone_required;
    let no_owners = draft.owners.is_empty();
    let submit = move |_| {
        on_create.run(NewCompanyForm {
            tenant_id: tenant_id.clone(),
            name: name.get_untracked(),
            owner_id: owner.get_untracked(),
            phone: phone.get_untracked(),
            web_address: web.get_untracked(),
            version: version.get_untracked(),
        })
    };
    let owners = draft
        .owners
        .into_iter()
        .map(|o| {
            let label = match &o.title {
                Some(t) if !t.trim().is_empty() => format!("{} ({t})", o.name),
                _ => o.name.clone(),
            };
            let selected = draft.default_owner == Some(o.id);
            view! {
                <option value=o.id.to_string() selected=selected>
                    {label}
                </option>
            }
        })
        .collect_view();
    view! {
        <p class="mt-1 text-xs text-slate-600">
            {format!("A customer company named after {}; change anything before creating it.", draft.tenant_name)}
        </p>
        <div class="mt-3 grid gap-3">
            <label class="text-sm">
                "Company name"
                <input
                    class=INPUT
                    maxlength="100"
                    prop:value=name
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
            </label>
            <label class="text-sm">
                "Owner in Autotask"
                <select class=INPUT on:change=move |ev| owner.set(event_target_value(&ev).parse().ok())>
                    <option value="" selected=draft.default_owner.is_none()>
                        "Choose who owns it…"
                    </option>
                    {owners}
                </select>
            </label>
            {no_owners
                .then(|| {
                    view! {
                        <p class="text-xs text-amber-800" role="alert">
                            "Autotask lists no active staff who could own the company; ask your Autotask administrator."
                        </p>
                    }
                })}
            <div class="grid grid-cols-2 gap-3">
                <label class="text-sm">
                    {if phone_required { "Phone (Autotask requires one)" } else { "Phone" }}
                    <input
                        class=INPUT
                        type="tel"
                        maxlength="25"
                        required=phone_required
                        prop:value=phone
                        on:input=move |ev| phone.set(event_target_value(&ev))
                    />
                </label>
                <label class="text-sm">
                    "Web address"
                    <input
                        class=INPUT
                        type="url"
                        maxlength="255"
                        prop:value=web
                        on:input=move |ev| web.set(event_target_value(&ev))
                    />
                </label>
            </div>
            <button class=format!("justify-self-start {}", button::PRIMARY) disabled=busy on:click=submit>
                "Create company and map"
            </button>
        </div>
    }
}
