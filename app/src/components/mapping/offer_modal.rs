//! The modal that maps a Microsoft offer to an Autotask service, ignores it, takes an ignore
//! back, resets it, or creates the service from the naming template and maps it.

use leptos::prelude::*;
use seatsync_domain::{billing_cycle_words, ServiceId, Term};

use crate::{
    api::mapping::{
        autotask_services, service_draft, CreateService, MappingAction, MappingState, OfferMappingRow,
        SaveOfferMapping, ServiceDraftInfo,
    },
    components::common::{
        mutation::{on_answer, send},
        ErrorLine,
    },
    components::{
        mapping::{history::MappingHistory, saved_answer, ActionButton, IgnoredBody, MappedBody, Words},
        modal::{Feedback, Modal},
        picker::{PickOption, SearchPicker},
    },
    error::AppError,
};

fn amount(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.2}")).unwrap_or_default()
}

#[component]
pub fn OfferModal(
    row: OfferMappingRow,
    on_saved: Callback<OfferMappingRow>,
    /// A mapping or an ignore was saved: the page closes the modal and shows this message.
    on_done: Callback<String>,
    on_close: Callback<()>,
) -> impl IntoView {
    let current = RwSignal::new(row.clone());
    let feedback = RwSignal::new(None::<Result<String, String>>);
    let save = ServerAction::<SaveOfferMapping>::new();
    let create_and_map = ServerAction::<CreateService>::new();
    // One change at a time: either running disables every button.
    let busy = Signal::derive(move || save.pending().get() || create_and_map.pending().get());
    let selected = RwSignal::new(row.service_id);
    let key = row.offer_key.clone();
    let draft = LocalResource::new(move || service_draft(key.clone()));
    let form = NewServiceForm::default();
    // Fill the create form from the template's proposal once it arrives.
    Effect::new(move |_| {
        if let Some(Ok(d)) = draft.get() {
            if form.name.get_untracked().is_empty() {
                form.name.set(d.name.clone());
                form.price.set(amount(d.unit_price));
                form.cost.set(amount(d.unit_cost));
            }
            if selected.get_untracked().is_none() {
                selected.set(d.existing_service_id);
            }
        }
    });
    let title =
        format!("Map {} ({}, billed {})", row.offer_name, Term::words_of(&row.term), billing_cycle_words(&row.billing));

    let done = saved_answer(current, selected, feedback, on_saved, on_done, |saved: &OfferMappingRow| {
        let message = match saved.state {
            MappingState::Mapped => {
                format!(
                    "Saved: {} is billed through {}.",
                    saved.offer_name,
                    saved.service_name.clone().unwrap_or_default()
                )
            }
            MappingState::Ignored => format!("Saved: {} is ignored.", saved.offer_name),
            MappingState::Unmapped => "Saved: not mapped; pick or create its service.".to_string(),
        };
        (saved.state, message)
    });
    on_answer(save, done);
    on_answer(create_and_map, done);
    let act = move |action: MappingAction| {
        let r = current.get_untracked();
        let service_id = selected.get_untracked();
        if matches!(action, MappingAction::Map) && service_id.is_none() {
            feedback.set(Some(Err("Pick a service first.".into())));
            return;
        }
        feedback.set(None);
        send(save, SaveOfferMapping { offer_key: r.offer_key.clone(), action, service_id, version: r.version });
    };
    let create = move |()| {
        let r = current.get_untracked();
        feedback.set(None);
        send(
            create_and_map,
            CreateService {
                offer_key: r.offer_key.clone(),
                name: form.name.get_untracked(),
                unit_price: form.price.get_untracked(),
                unit_cost: form.cost.get_untracked(),
                version: r.version,
            },
        );
    };

    // Read again after every save: a service created here must be in the list at once.
    let version = Signal::derive(move || current.with(|r| r.version));
    let picker = move || view! { <ServicePicker selected version /> };
    let words = Words { noun: "offer", target: "service" };
    view! {
        <Modal title on_close>
            {move || {
                let r = current.get();
                match r.state {
                    MappingState::Ignored => {
                        view! {
                            <IgnoredBody
                                words
                                consequence="its subscriptions are never pushed to Autotask."
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
                                lead="Billed through"
                                target_name=r.service_name.clone().unwrap_or_default()
                                missing=r.service_missing
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
                                "Pick the Autotask service these subscriptions are billed through, create one, or ignore the offer."
                            </p>
                            <div class="mt-3">{picker()}</div>
                            <div class="mt-4 flex flex-wrap gap-2">
                                <ActionButton primary=true busy on_click=move |_| act(MappingAction::Map)>
                                    "Map to service"
                                </ActionButton>
                                <ActionButton busy on_click=move |_| act(MappingAction::Ignore)>
                                    "Ignore offer"
                                </ActionButton>
                            </div>
                            <CreateServiceForm draft form busy on_create=Callback::new(create) />
                        }
                            .into_any()
                    }
                }
            }}
            <Feedback message=feedback.into() />
            <MappingHistory
                kind="offer"
                key=row.offer_key.clone()
                version=Signal::derive(move || current.with(|r| r.version))
            />
        </Modal>
    }
}

/// The create form's fields, as typed.
#[derive(Clone, Copy)]
struct NewServiceForm {
    name: RwSignal<String>,
    price: RwSignal<String>,
    cost: RwSignal<String>,
}

impl Default for NewServiceForm {
    fn default() -> Self {
        Self {
            name: RwSignal::new(String::new()),
            price: RwSignal::new(String::new()),
            cost: RwSignal::new(String::new()),
        }
    }
}

/// Autotask's services to pick from, read again whenever `version` changes.
#[component]
fn ServicePicker(selected: RwSignal<Option<ServiceId>>, version: Signal<i32>) -> impl IntoView {
    let services = LocalResource::new(move || {
        version.track();
        autotask_services()
    });
    view! {
        <Suspense fallback=|| {
            view! { <p class="text-sm text-slate-500">"Loading Autotask services…"</p> }
        }>
            {move || Suspend::new(async move {
                match services.await {
                    Ok(list) => {
                        let options = list
                            .into_iter()
                            .map(|s| PickOption {
                                id: s.id,
                                detail: format!(
                                    "price {} · cost {} · {}",
                                    s.unit_price.map(|p| format!("{p:.2}")).unwrap_or_else(|| "—".into()),
                                    s.unit_cost.map(|p| format!("{p:.2}")).unwrap_or_else(|| "—".into()),
                                    s.period.clone().unwrap_or_default(),
                                ),
                                label: s.name,
                                inactive: !s.active,
                            })
                            .collect();
                        view! { <SearchPicker options selected label="Search services" /> }.into_any()
                    }
                    Err(e) => view! { <ErrorLine message=e.to_string() class="text-sm" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// "No fitting service? Create it in Autotask": the template's name, price and cost, editable.
#[component]
fn CreateServiceForm(
    draft: LocalResource<Result<ServiceDraftInfo, AppError>>,
    form: NewServiceForm,
    busy: Signal<bool>,
    on_create: Callback<()>,
) -> impl IntoView {
    view! {
        <section class="mt-5 rounded-lg border border-slate-200 p-3" aria-label="Create a service">
            <h3 class="text-sm font-medium">"No fitting service? Create it in Autotask"</h3>
            {move || {
                draft
                    .get()
                    .and_then(|d| d.ok())
                    .and_then(|d| d.existing_service_id)
                    .map(|_| {
                        view! {
                            <p class="mt-1 text-xs text-slate-600">
                                "A service with the template's name exists already and is selected above."
                            </p>
                        }
                    })
            }}
            <div class="mt-3 grid gap-3">
                <label class="text-sm">
                    "Service name"
                    <input
                        class="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5"
                        prop:value=form.name
                        on:input=move |ev| form.name.set(event_target_value(&ev))
                    />
                </label>
                <div class="grid grid-cols-2 gap-3">
                    <label class="text-sm">
                        "Price (per unit and period)"
                        <input
                            class="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5"
                            inputmode="decimal"
                            prop:value=form.price
                            on:input=move |ev| form.price.set(event_target_value(&ev))
                        />
                    </label>
                    <label class="text-sm">
                        "Cost"
                        <input
                            class="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5"
                            inputmode="decimal"
                            prop:value=form.cost
                            on:input=move |ev| form.cost.set(event_target_value(&ev))
                        />
                    </label>
                </div>
                <p class="text-xs text-slate-500">
                    {move || {
                        draft
                            .get()
                            .and_then(|d| d.ok())
                            .map(|d| {
                                format!(
                                    "Billed {}. The name comes from the template under Settings.",
                                    d.period.to_lowercase(),
                                )
                            })
                    }}
                </p>
                <button
                    class="justify-self-start rounded-md bg-emerald-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-emerald-600 disabled:opacity-50"
                    disabled=busy
                    on:click=move |_| on_create.run(())
                >
                    "Create service and map"
                </button>
            </div>
        </section>
    }
}
