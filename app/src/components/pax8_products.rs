//! The Pax8 product table on the Pax8 companies page: which Microsoft licence each Pax8 product
//! is, for Pax8 subscriptions that do not name their Partner Center subscription. Everyone reads
//! it; an Admin adds the products it lacks or corrects one. Changes count from the next run.

use leptos::prelude::*;

use crate::{
    api::pax8::{pax8_products, Pax8ProductRow, Pax8ProductsView, ProductSource, SetPax8Product},
    components::{
        common::{
            button,
            format::exact,
            mutation::{on_answer, send},
            Loaded,
        },
        modal::Feedback,
    },
};

#[component]
pub fn Pax8Products(admin: bool) -> impl IntoView {
    let changed = RwSignal::new(0u32);
    let data = Resource::new(move || changed.get(), |_| pax8_products());
    let feedback = RwSignal::new(None::<Result<String, String>>);
    let set = ServerAction::<SetPax8Product>::new();
    on_answer(set, move |answer| {
        match answer {
            Ok(()) => feedback.set(Some(Ok("Saved. It counts from the next alert run.".into()))),
            Err(e) => feedback.set(Some(Err(e.to_string()))),
        }
        changed.update(|c| *c += 1);
    });
    let set = admin.then_some(set);
    view! {
        <section class="mt-10" aria-labelledby="pax8-products">
            <h2 id="pax8-products" class="text-lg font-semibold">
                "Pax8 products"
            </h2>
            <p class="mt-1 max-w-3xl text-sm text-slate-600">
                "A Pax8 subscription that names its Partner Center subscription is matched by it. One that does not is matched by its product, through this table of Pax8 product names to Microsoft SKU part numbers (the String ID in Microsoft's licensing list). Products Pax8 holds that the table does not know come first: their seats cannot be alerted until an Admin says which licence they are."
            </p>
            <Feedback message=feedback.into() />
            <Loaded resource=data class="mt-3" let:view>
                <ProductTable view set />
            </Loaded>
            {set.map(|set| view! { <AddProduct set /> })}
        </section>
    }
}

#[component]
fn ProductTable(view: Pax8ProductsView, set: Option<ServerAction<SetPax8Product>>) -> impl IntoView {
    view! {
        <div class="mt-3 overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
            <table class="min-w-full text-sm" data-testid="pax8-products">
                <thead class="bg-slate-50 text-left text-slate-500">
                    <tr>
                        <th class="px-3 py-2 font-medium">"Pax8 product"</th>
                        <th class="px-3 py-2 text-right font-medium">"Matched by it"</th>
                        <th class="px-3 py-2 font-medium">"SKU part number"</th>
                        <th class="px-3 py-2 font-medium">"From"</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {view.rows.into_iter().map(|row| view! { <ProductLine row set /> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn ProductLine(row: Pax8ProductRow, set: Option<ServerAction<SetPax8Product>>) -> impl IntoView {
    let part = RwSignal::new(row.part_number.clone().unwrap_or_default());
    let name = StoredValue::new(row.product_name.clone());
    let from = match &row.source {
        ProductSource::Shipped => "shipped with SeatSync".to_string(),
        ProductSource::Added { by: Some(by), at } => format!("{by}, {}", exact(*at)),
        ProductSource::Added { by: None, at } => exact(*at),
        ProductSource::Unknown => "not in the table".to_string(),
    };
    let added = matches!(row.source, ProductSource::Added { .. });
    let unknown = row.part_number.is_none();
    let part_cell = match set {
        None => {
            view! { <span class="font-mono text-xs">{row.part_number.clone().unwrap_or_else(|| "—".into())}</span> }
                .into_any()
        }
        Some(set) => {
            let label = format!("SKU part number of {}", row.product_name);
            let save_label = format!("Save the part number of {}", row.product_name);
            let remove_label = format!("Remove the addition for {}", row.product_name);
            view! {
                <form
                    class="flex flex-wrap items-center gap-2"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        send(
                            set,
                            SetPax8Product {
                                product_name: name.get_value(),
                                part_number: Some(part.get_untracked()),
                            },
                        );
                    }
                >
                    <input
                        class="w-48 rounded-md border border-slate-300 px-2 py-1 font-mono text-xs"
                        aria-label=label
                        placeholder="e.g. SPB"
                        prop:value=move || part.get()
                        on:input=move |ev| part.set(event_target_value(&ev))
                    />
                    <button type="submit" class=button::SMALL aria-label=save_label>
                        "Save"
                    </button>
                    {added
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    class=button::SMALL
                                    aria-label=remove_label
                                    on:click=move |_| {
                                        send(
                                            set,
                                            SetPax8Product {
                                                product_name: name.get_value(),
                                                part_number: None,
                                            },
                                        )
                                    }
                                >
                                    "Remove"
                                </button>
                            }
                        })}
                </form>
            }
            .into_any()
        }
    };
    view! {
        <tr data-testid="pax8-product" class=if unknown { "bg-amber-50" } else { "" }>
            <td class="px-3 py-2" data-testid="pax8-product-name">
                {row.product_name.clone()}
            </td>
            <td class="px-3 py-2 text-right">{row.unpointed}</td>
            <td class="px-3 py-2">{part_cell}</td>
            <td class="px-3 py-2 text-slate-600" data-testid="pax8-product-source">
                {from}
            </td>
        </tr>
    }
}

/// A product the table lacks that Pax8 does not hold yet (or under a name not read yet).
#[component]
fn AddProduct(set: ServerAction<SetPax8Product>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let part = RwSignal::new(String::new());
    view! {
        <form
            class="mt-3 flex flex-wrap items-end gap-2 text-sm"
            on:submit=move |ev| {
                ev.prevent_default();
                send(
                    set,
                    SetPax8Product {
                        product_name: name.get_untracked(),
                        part_number: Some(part.get_untracked()),
                    },
                );
                name.set(String::new());
                part.set(String::new());
            }
        >
            <label class="grid gap-1">
                <span class="text-xs text-slate-600">"Pax8 product name"</span>
                <input
                    class="w-72 rounded-md border border-slate-300 px-2 py-1"
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
            </label>
            <label class="grid gap-1">
                <span class="text-xs text-slate-600">"SKU part number"</span>
                <input
                    class="w-48 rounded-md border border-slate-300 px-2 py-1 font-mono text-xs"
                    prop:value=move || part.get()
                    on:input=move |ev| part.set(event_target_value(&ev))
                />
            </label>
            <button
                type="submit"
                class=button::SECONDARY
                disabled=move || name.get().trim().is_empty() || part.get().trim().is_empty()
            >
                "Add to the table"
            </button>
        </form>
    }
}
