//! Creating a service in Autotask for every unmapped offer at once, named by the template: a
//! preview of every name and price to check and change, then one confirmation. The services are
//! created a few at a time, so the page shows how far it has come, and an offer whose service
//! exists already by that name is mapped to it rather than given a twin.

use std::collections::VecDeque;

use leptos::prelude::*;
use seatsync_domain::{billing_cycle_words, Term};

use crate::{
    api::mapping::{
        template_service_drafts, CreateServicesFromTemplate, OfferMappingRow, TemplateServiceDraft, TemplateServiceItem,
    },
    components::{
        common::{
            button,
            format::money,
            mutation::{on_answer, send},
            ErrorLine, WhyDisabled,
        },
        modal::Modal,
    },
};

/// Services created per request: small enough that the progress moves, large enough not to
/// spend a request per service.
const PER_REQUEST: usize = 5;

/// One offer of the preview, as the person leaves it.
#[derive(Clone)]
struct Line {
    draft: TemplateServiceDraft,
    include: RwSignal<bool>,
    name: RwSignal<String>,
    price: RwSignal<String>,
    /// Typed by hand: the margin no longer rewrites it.
    price_typed: RwSignal<bool>,
}

impl Line {
    fn new(draft: TemplateServiceDraft) -> Line {
        let price = draft.unit_cost.map(plain_amount).unwrap_or_default();
        Line {
            // An offer with a suggested service of the MSP's own is better mapped to that.
            include: RwSignal::new(draft.suggested_service.is_none()),
            name: RwSignal::new(draft.name.clone()),
            price: RwSignal::new(price),
            price_typed: RwSignal::new(false),
            draft,
        }
    }

    /// A new service needs a price; mapping to the service of that name does not.
    fn lacks_price(&self) -> bool {
        self.draft.existing_service_id.is_none() && self.price.with(|p| p.trim().is_empty())
    }

    fn item(&self) -> TemplateServiceItem {
        TemplateServiceItem {
            offer_key: self.draft.offer_key.clone(),
            version: self.draft.version,
            name: self.name.get_untracked(),
            unit_price: self.price.get_untracked(),
            unit_cost: self.draft.unit_cost.map(plain_amount).unwrap_or_default(),
        }
    }
}

/// "12.5" for 12.5: what the price box shows and the server reads back.
fn plain_amount(amount: f64) -> String {
    format!("{:.2}", (amount * 100.0).round() / 100.0)
}

#[component]
pub fn TemplateBulkModal(on_saved: Callback<OfferMappingRow>, on_close: Callback<()>) -> impl IntoView {
    let drafts = LocalResource::new(template_service_drafts);
    view! {
        <Modal title="Create services from the template".to_string() on_close>
            <Suspense fallback=|| {
                view! { <p class="text-sm text-slate-500">"Naming a service for every unmapped offer…"</p> }
            }>
                {move || Suspend::new(async move {
                    match drafts.await {
                        Ok(list) if list.is_empty() => {
                            view! {
                                <p class="text-sm">"Every offer is mapped or ignored: there is nothing to create."</p>
                            }
                                .into_any()
                        }
                        Ok(list) => {
                            let lines: Vec<Line> = list.into_iter().map(Line::new).collect();
                            view! { <Preview lines on_saved /> }.into_any()
                        }
                        Err(e) => view! { <ErrorLine message=e.to_string() class="text-sm" /> }.into_any(),
                    }
                })}
            </Suspense>
        </Modal>
    }
}

/// The preview: a margin for every price, one line per offer, and the confirmation.
#[component]
fn Preview(lines: Vec<Line>, on_saved: Callback<OfferMappingRow>) -> impl IntoView {
    let lines = StoredValue::new(lines);
    let margin = RwSignal::new(String::new());
    // The margin rewrites every price not typed by hand, from the product's cost.
    Effect::new(move |_| {
        let percent: f64 = margin.with(|m| m.trim().replace(',', ".").parse().unwrap_or(0.0));
        lines.with_value(|ls| {
            for l in ls.iter().filter(|l| !l.price_typed.get_untracked()) {
                if let Some(cost) = l.draft.unit_cost {
                    l.price.set(plain_amount(cost * (1.0 + percent / 100.0)));
                }
            }
        });
    });
    let included = Memo::new(move |_| lines.with_value(|ls| ls.iter().filter(|l| l.include.get()).count()));
    let unpriced =
        Memo::new(move |_| lines.with_value(|ls| ls.iter().filter(|l| l.include.get() && l.lacks_price()).count()));

    // The run: what is left to send, and what came back.
    let create = ServerAction::<CreateServicesFromTemplate>::new();
    let queue = StoredValue::new(VecDeque::<TemplateServiceItem>::new());
    let total = RwSignal::new(0usize);
    let done = RwSignal::new(0usize);
    let saved = RwSignal::new(0usize);
    let problems = RwSignal::new(Vec::<String>::new());
    let running = RwSignal::new(false);
    let send_next = move || {
        let chunk: Vec<TemplateServiceItem> =
            queue.try_update_value(|q| q.drain(..q.len().min(PER_REQUEST)).collect()).unwrap_or_default();
        if chunk.is_empty() {
            running.set(false);
        } else {
            send(create, CreateServicesFromTemplate { items: chunk });
        }
    };
    on_answer(create, move |answer| match answer {
        Ok(outcomes) => {
            done.update(|d| *d += outcomes.len());
            for o in outcomes {
                match (o.row, o.error) {
                    (Some(row), _) => {
                        saved.update(|s| *s += 1);
                        lines.with_value(|ls| {
                            if let Some(l) = ls.iter().find(|l| l.draft.offer_key == row.offer_key) {
                                l.include.set(false);
                            }
                        });
                        on_saved.run(row);
                    }
                    (None, Some(e)) => {
                        let name = lines.with_value(|ls| {
                            ls.iter().find(|l| l.draft.offer_key == o.offer_key).map(|l| l.draft.offer_name.clone())
                        });
                        problems.update(|p| p.push(format!("{}: {e}", name.unwrap_or(o.offer_key))));
                    }
                    (None, None) => {}
                }
            }
            send_next();
        }
        Err(e) => {
            // Whatever was not sent yet stays ticked, to try again.
            queue.update_value(VecDeque::clear);
            problems.update(|p| p.push(format!("Stopped: {e}")));
            running.set(false);
        }
    });
    let start = move |_| {
        let items: VecDeque<TemplateServiceItem> =
            lines.with_value(|ls| ls.iter().filter(|l| l.include.get_untracked()).map(Line::item).collect());
        total.set(items.len());
        done.set(0);
        saved.set(0);
        problems.set(Vec::new());
        queue.set_value(items);
        running.set(true);
        send_next();
    };
    let why_not = Signal::derive(move || {
        if running.get() {
            Some("Creating the services; the list updates as each is made.".to_string())
        } else if included.get() == 0 {
            Some("Tick at least one offer.".to_string())
        } else {
            match unpriced.get() {
                0 => None,
                1 => Some("One ticked offer has no price: type it, or untick the offer.".to_string()),
                n => Some(format!("{n} ticked offers have no price: type them, or untick those offers.")),
            }
        }
    });

    view! {
        <p class="text-sm">
            "Each ticked offer gets the service the naming template names (Settings), created in Autotask and mapped; an offer whose service exists already by that name is mapped to it. Check the names and prices, then confirm."
        </p>
        <label class="mt-3 flex items-center gap-2 text-sm">
            "Price = cost plus"
            <input
                class="w-20 rounded-md border border-slate-300 px-2 py-1 text-right"
                inputmode="decimal"
                aria-label="Margin on cost, in percent"
                placeholder="0"
                prop:value=margin
                on:input=move |ev| margin.set(event_target_value(&ev))
            /> "% (where the product's cost is known)"
        </label>
        <div class="mt-3 max-h-96 overflow-auto rounded-md border border-slate-200" tabindex="0">
            <table class="w-full text-sm" aria-label="Services to create">
                <thead class="sticky top-0 bg-slate-100 text-left text-slate-700">
                    <tr>
                        <th class="px-2 py-1">
                            <input
                                type="checkbox"
                                aria-label="Tick every offer"
                                prop:checked=move || included.get() == lines.with_value(Vec::len)
                                // Some ticked, some not: neither box state would be true.
                                prop:indeterminate=move || {
                                    let n = included.get();
                                    n > 0 && n < lines.with_value(Vec::len)
                                }
                                on:change=move |ev| {
                                    let all = event_target_checked(&ev);
                                    lines.with_value(|ls| ls.iter().for_each(|l| l.include.set(all)));
                                }
                            />
                        </th>
                        <th class="px-2 py-1">"Offer"</th>
                        <th class="px-2 py-1">"Service name"</th>
                        <th class="px-2 py-1 text-right">"Cost"</th>
                        <th class="px-2 py-1">"Price"</th>
                    </tr>
                </thead>
                <tbody>
                    {lines
                        .with_value(|ls| ls.iter().cloned().map(|line| view! { <PreviewLine line /> }).collect_view())}
                </tbody>
            </table>
        </div>
        <div class="mt-4">
            <button class=button::PRIMARY disabled=move || why_not.get().is_some() on:click=start>
                {move || match included.get() {
                    1 => "Create 1 service and map it".to_string(),
                    n => format!("Create {n} services and map them"),
                }}
            </button>
            <WhyDisabled reason=why_not />
        </div>
        {move || {
            (total.get() > 0)
                .then(|| {
                    view! {
                        <div class="mt-3 text-sm" role="status" data-testid="bulk-progress">
                            <progress class="w-full" max=move || total.get() value=move || done.get()></progress>
                            <p>
                                {move || {
                                    if running.get() {
                                        format!("Created or mapped {} of {}…", done.get(), total.get())
                                    } else {
                                        format!("Done: {} of {} offers mapped.", saved.get(), total.get())
                                    }
                                }}
                            </p>
                        </div>
                    }
                })
        }}
        {move || {
            let list = problems.get();
            (!list.is_empty())
                .then(|| {
                    view! {
                        <ul class="mt-2 list-disc pl-5 text-sm text-red-800" role="alert">
                            {list.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                        </ul>
                    }
                })
        }}
    }
}

#[component]
fn PreviewLine(line: Line) -> impl IntoView {
    let d = line.draft.clone();
    let offer = format!(
        "{} ({}, billed {}{})",
        d.offer_name,
        Term::words_of(&d.term),
        billing_cycle_words(&d.billing),
        if d.nce { "" } else { ", legacy" }
    );
    let Line { include, name, price, price_typed, .. } = line.clone();
    let lacks_price = Memo::new(move |_| include.get() && line.lacks_price());
    view! {
        <tr class="border-t border-slate-100 align-top" data-testid="template-line">
            <td class="px-2 py-1">
                <input
                    type="checkbox"
                    aria-label=format!("Create the service for {offer}")
                    prop:checked=include
                    on:change=move |ev| include.set(event_target_checked(&ev))
                />
            </td>
            <td class="px-2 py-1">
                {offer.clone()}
                {d
                    .suggested_service
                    .clone()
                    .map(|s| {
                        view! {
                            <span class="block text-xs text-amber-800">
                                {format!("Your service {s} is suggested: better accept that.")}
                            </span>
                        }
                    })}
            </td>
            <td class="px-2 py-1">
                <input
                    class="w-full rounded-md border border-slate-300 px-1.5 py-0.5"
                    aria-label=format!("Service name for {offer}")
                    prop:value=name
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
                {d
                    .existing_service_id
                    .map(|_| {
                        view! {
                            <span class="block text-xs text-slate-600">
                                "Exists in Autotask: the offer is mapped to it, nothing is created."
                            </span>
                        }
                    })}
            </td>
            <td class="px-2 py-1 text-right tabular-nums">
                {d.unit_cost.map(money).unwrap_or_else(|| "—".into())}
                <span class="block text-xs text-slate-600">{format!("per {}", d.period.to_lowercase())}</span>
            </td>
            <td class="px-2 py-1">
                <input
                    class=move || {
                        if lacks_price.get() {
                            "w-24 rounded-md border border-red-400 px-1.5 py-0.5 text-right"
                        } else {
                            "w-24 rounded-md border border-slate-300 px-1.5 py-0.5 text-right"
                        }
                    }
                    inputmode="decimal"
                    aria-label=format!("Price for {offer}")
                    aria-invalid=move || if lacks_price.get() { "true" } else { "false" }
                    placeholder=if d.existing_service_id.is_some() { "as in Autotask" } else { "needed" }
                    prop:value=price
                    on:input=move |ev| {
                        price_typed.set(true);
                        price.set(event_target_value(&ev));
                    }
                />
            </td>
        </tr>
    }
}
