//! The modal that maps a tenant to an Autotask company, ignores it, takes an ignore back, or
//! resets it, or creates its company in Autotask when it has none. What it offers follows the
//! tenant's state; after an undo or a reset the company picker appears at once.

use leptos::prelude::*;
use seatsync_domain::{CompanyId, TenantId};

use crate::{
    api::mapping::{
        autotask_companies, CreateCompany, MappingAction, MappingState, NewCompanyForm, SaveTenantMapping,
        TenantMappingRow,
    },
    components::common::{
        mutation::{on_answer, send},
        ErrorLine,
    },
    components::{
        mapping::{
            history::MappingHistory, new_company::CreateCompanySection, saved_answer, ActionButton, IgnoredBody,
            MappedBody, Words,
        },
        modal::{Feedback, Modal},
        picker::{PickOption, SearchPicker},
    },
};

#[component]
pub fn TenantModal(
    row: TenantMappingRow,
    on_saved: Callback<TenantMappingRow>,
    /// A mapping or an ignore was saved: the page closes the modal and shows this message.
    on_done: Callback<String>,
    /// Whether another tenant holds a company already (mapped to it, or its strong suggestion),
    /// in words: mapping this tenant to it too is asked about first.
    claimed: Callback<(TenantId, CompanyId), Option<String>>,
    on_close: Callback<()>,
) -> impl IntoView {
    let current = RwSignal::new(row.clone());
    let feedback = RwSignal::new(None::<Result<String, String>>);
    let save = ServerAction::<SaveTenantMapping>::new();
    let create = ServerAction::<CreateCompany>::new();
    // One change at a time: either running disables every button.
    let busy = Signal::derive(move || save.pending().get() || create.pending().get());
    let selected = RwSignal::new(row.company_id.or(row.suggestion.as_ref().map(|s| s.company_id)));
    let companies = LocalResource::new(autotask_companies);
    let title = format!("Map {}", row.name);

    on_answer(
        save,
        saved_answer(current, selected, feedback, on_saved, on_done, |saved: &TenantMappingRow| {
            let message = match saved.state {
                MappingState::Mapped => {
                    format!("Saved: {} is mapped to {}.", saved.name, saved.company_name.clone().unwrap_or_default())
                }
                MappingState::Ignored => format!("Saved: {} is ignored.", saved.name),
                MappingState::Unmapped => format!("Saved: {} is not mapped; pick its company.", saved.name),
            };
            (saved.state, message)
        }),
    );

    on_answer(
        create,
        saved_answer(current, selected, feedback, on_saved, on_done, |saved: &TenantMappingRow| {
            let company = saved.company_name.clone().unwrap_or_default();
            (saved.state, format!("Saved: {company} was created in Autotask and {} is mapped to it.", saved.name))
        }),
    );
    let create_company = move |form: NewCompanyForm| {
        feedback.set(None);
        send(create, CreateCompany { form });
    };

    // The question asked before mapping to a company another tenant holds: the company and why.
    let question = RwSignal::new(None::<(CompanyId, String)>);
    Effect::new(move |_| {
        // Another pick is another question.
        selected.track();
        question.set(None);
    });
    let send_now = move |action: MappingAction, company_id: Option<CompanyId>| {
        let r = current.get_untracked();
        feedback.set(None);
        question.set(None);
        send(save, SaveTenantMapping { tenant_id: r.tenant_id.clone(), action, company_id, version: r.version });
    };
    let act = move |action: MappingAction| {
        let company_id = selected.get_untracked();
        if matches!(action, MappingAction::Map) {
            let Some(company) = company_id else {
                feedback.set(Some(Err("Pick a company first.".into())));
                return;
            };
            let tenant = current.with_untracked(|r| r.tenant_id.clone());
            if let Some(why) = claimed.run((tenant, company)) {
                feedback.set(None);
                question.set(Some((company, why)));
                return;
            }
        }
        send_now(action, company_id);
    };

    let picker = move || {
        let initial = current.with_untracked(|r| r.name.split_whitespace().next().unwrap_or_default().to_string());
        view! {
            <Suspense fallback=|| {
                view! { <p class="text-sm text-slate-500">"Loading Autotask companies…"</p> }
            }>
                {move || {
                    let initial = initial.clone();
                    Suspend::new(async move {
                        match companies.await {
                            Ok(list) if list.is_empty() => {
                                view! {
                                    <p class="text-sm text-amber-800" role="alert">
                                        "No Autotask companies are cached yet: refresh from Autotask first."
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(list) => {
                                let options = list
                                    .into_iter()
                                    .map(|c| PickOption {
                                        id: c.id,
                                        detail: [c.number.clone(), c.web_address.clone()]
                                            .into_iter()
                                            .flatten()
                                            .collect::<Vec<_>>()
                                            .join(" · "),
                                        label: c.name,
                                        inactive: !c.active,
                                    })
                                    .collect();
                                view! {
                                    <SearchPicker options selected label="Search companies" initial_search=initial />
                                }
                                    .into_any()
                            }
                            Err(e) => view! { <ErrorLine message=e.to_string() class="text-sm" /> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        }
    };

    let words = Words { noun: "tenant", target: "company" };
    view! {
        <Modal title on_close>
            {move || {
                let r = current.get();
                match r.state {
                    MappingState::Ignored => {
                        view! {
                            <IgnoredBody
                                words
                                consequence="nothing about it is pushed to Autotask."
                                busy
                                act=Callback::new(act)
                            />
                        }
                            .into_any()
                    }
                    MappingState::Mapped => {
                        view! {
                            <MappedBody
                                words
                                lead="Mapped to"
                                target_name=r.company_name.clone().unwrap_or_default()
                                missing=r.company_missing
                                picker=picker().into_any()
                                busy
                                act=Callback::new(act)
                            />
                        }
                            .into_any()
                    }
                    MappingState::Unmapped => {
                        view! {
                            <p class="text-sm">
                                "Pick the Autotask company this tenant is billed as, or ignore the tenant."
                            </p>
                            {r
                                .suggestion
                                .clone()
                                .map(|s| {
                                    view! {
                                        <p class="mt-2 text-sm text-slate-600">
                                            "Suggested: " <strong>{s.company_name}</strong>
                                            {format!(" ({:.0}% · {})", s.confidence * 100.0, s.reason)}
                                        </p>
                                    }
                                })}
                            <div class="mt-3">{picker()}</div>
                            <div class="mt-4 flex flex-wrap gap-2">
                                <ActionButton primary=true busy on_click=move |_| act(MappingAction::Map)>
                                    "Map to company"
                                </ActionButton>
                                <ActionButton busy on_click=move |_| act(MappingAction::Ignore)>
                                    "Ignore tenant"
                                </ActionButton>
                            </div>
                            <CreateCompanySection
                                tenant_id=r.tenant_id.clone()
                                version=Signal::derive(move || current.with(|r| r.version))
                                busy
                                on_create=Callback::new(create_company)
                            />
                        }
                            .into_any()
                    }
                }
            }}
            {move || {
                question
                    .get()
                    .map(|(company, why)| {
                        view! {
                            <div
                                class="mt-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950"
                                role="alert"
                                data-testid="company-claimed"
                            >
                                <p>
                                    {why}
                                    ". Map this tenant to it as well? Both would be billed as one company, on its contracts."
                                </p>
                                <div class="mt-2 flex flex-wrap gap-2">
                                    <ActionButton
                                        primary=true
                                        busy
                                        on_click=move |_| send_now(MappingAction::Map, Some(company))
                                    >
                                        "Map anyway"
                                    </ActionButton>
                                    <ActionButton busy on_click=move |_| question.set(None)>
                                        "Choose another company"
                                    </ActionButton>
                                </div>
                            </div>
                        }
                    })
            }}
            <Feedback message=feedback.into() />
            <MappingHistory
                kind="tenant"
                key=row.tenant_id.to_string()
                version=Signal::derive(move || current.with(|r| r.version))
            />
        </Modal>
    }
}
