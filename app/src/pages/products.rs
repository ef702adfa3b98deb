//! Product names (Admin): which licensing CSV is in use, upload a newer one, and set a local name
//! and monthly cost per SKU.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::products::{product_catalog, SetSkuOverride, SkuLine},
    components::common::format::relative,
    components::common::{
        button,
        mutation::{on_answer, send},
        Loaded,
    },
    components::modal::Feedback,
};

#[component]
pub fn ProductsPage() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let catalog = Resource::new(move || version.get(), |_| product_catalog());
    let feedback = RwSignal::new(None::<Result<String, String>>);
    let row_feedback = RwSignal::new(None::<Result<String, String>>);
    let busy = RwSignal::new(false);
    let on_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use crate::api::products::upload_product_names;
            use leptos::wasm_bindgen::JsCast;
            let Some(input) = ev.target().and_then(|t| t.dyn_into::<leptos::web_sys::HtmlInputElement>().ok()) else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            let name = file.name();
            let too_large = file.size() > (crate::api::products::MAX_UPLOAD_MB * 1024 * 1024) as f64;
            if too_large {
                feedback.set(Some(Err(format!(
                    "{name} is too large (at most {} MB).",
                    crate::api::products::MAX_UPLOAD_MB
                ))));
                return;
            }
            let Ok(form) = leptos::web_sys::FormData::new() else { return };
            if form.append_with_blob_and_filename("file", &file, &name).is_err() {
                return;
            }
            busy.set(true);
            feedback.set(None);
            // A file upload is the one change not sent through a ServerAction: its argument is
            // the browser's FormData, which is not `Send`, as a ServerAction's input must be.
            leptos::task::spawn_local(async move {
                match upload_product_names(form.into()).await {
                    Ok(n) => {
                        feedback
                            .set(Some(Ok(format!("{name}: {n} products read; their names are now used everywhere."))));
                        version.update(|v| *v += 1);
                    }
                    Err(e) => feedback.set(Some(Err(e.to_string()))),
                }
                busy.set(false);
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <Title text="Product names" />
        <h1 class="text-2xl font-semibold">"Product names"</h1>
        <p class="mt-1 text-sm text-slate-500">
            "Graph names licences by part number (SPB, O365_BUSINESS_PREMIUM). SeatSync shows Microsoft's names from its bundled table, from the newest "
            <em>"Product names and service plan identifiers for licensing"</em>
            " CSV uploaded here, or from your own name per product."
        </p>
        <section class="mt-6 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    catalog
                        .await
                        .ok()
                        .map(|c| {
                            view! {
                                <p class="text-sm" data-testid="names-source">
                                    {match c.upload {
                                        Some(u) => {
                                            format!(
                                                "In use: {} ({} products), uploaded by {} {}.",
                                                u.file_name,
                                                u.products,
                                                u.uploaded_by.unwrap_or_else(|| "someone".into()),
                                                relative(u.uploaded_at),
                                            )
                                        }
                                        None => {
                                            format!(
                                                "In use: the table bundled with SeatSync ({} common products). Upload Microsoft's CSV for every product.",
                                                c.bundled_products,
                                            )
                                        }
                                    }}
                                </p>
                            }
                        })
                })}
            </Transition>
            <label class="mt-3 block text-sm font-medium">
                "Upload Microsoft's licensing CSV"
                <input type="file" accept=".csv,text/csv" class="mt-1 block text-sm" disabled=busy on:change=on_file />
            </label>
            <Feedback message=feedback.into() />
        </section>
        <Feedback message=row_feedback.into() />
        <Loaded resource=catalog class="mt-6" let:c>
            {{
                view! {
                    <div class="mt-6 overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
                        <table class="w-full text-sm" aria-label="Products">
                            <thead class="bg-slate-100 text-left text-slate-600">
                                <tr>
                                    <th class="px-3 py-2">"Shown as"</th>
                                    <th class="px-3 py-2">"Part number"</th>
                                    <th class="px-3 py-2 text-right">"Tenants"</th>
                                    <th class="px-3 py-2">"Your name"</th>
                                    <th class="px-3 py-2">"Monthly cost per seat"</th>
                                    <th class="px-3 py-2"></th>
                                </tr>
                            </thead>
                            <tbody>
                                {c
                                    .skus
                                    .into_iter()
                                    .map(|s| view! { <SkuRow s version saved=row_feedback /> })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                    .into_any()
            }}
        </Loaded>
    }
}

#[component]
fn SkuRow(s: SkuLine, version: RwSignal<u32>, saved: RwSignal<Option<Result<String, String>>>) -> impl IntoView {
    let name = RwSignal::new(s.override_name.clone().unwrap_or_default());
    let cost = RwSignal::new(s.monthly_cost.map(|c| format!("{c:.2}")).unwrap_or_default());
    let sku = s.sku_id.clone();
    let part = s.part_number.clone();
    let save_action = ServerAction::<SetSkuOverride>::new();
    on_answer(save_action, move |answer| match answer {
        // Said above the table: the rows are drawn again with the saved values.
        Ok(()) => {
            saved.set(Some(Ok(format!("Saved {part}."))));
            version.update(|v| *v += 1);
        }
        Err(e) => saved.set(Some(Err(format!("{part} was not saved: {e}")))),
    });
    let save = move |_| {
        let filled = |v: String| Some(v).filter(|v| !v.trim().is_empty());
        send(
            save_action,
            SetSkuOverride {
                sku_id: sku.clone(),
                name: filled(name.get_untracked()),
                monthly_cost: filled(cost.get_untracked()),
            },
        );
    };
    view! {
        <tr class="border-t border-slate-100 align-top" data-testid="sku-row">
            <td class="px-3 py-2">
                <span class="font-medium">{s.name.clone()}</span>
                <span class="block text-xs text-slate-500">{format!("from the {}", s.source)}</span>
            </td>
            <td class="px-3 py-2 font-mono text-xs">
                {s.part_number.clone()}<span class="block text-slate-500">{s.sku_id.to_string()}</span>
            </td>
            <td class="px-3 py-2 text-right tabular-nums">{s.tenants}</td>
            <td class="px-3 py-2">
                <input
                    class="w-56 rounded border border-slate-300 px-2 py-1"
                    aria-label=format!("Name for {}", s.part_number)
                    prop:value=name
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
            </td>
            <td class="px-3 py-2">
                <input
                    class="w-24 rounded border border-slate-300 px-2 py-1"
                    inputmode="decimal"
                    aria-label=format!("Monthly cost for {}", s.part_number)
                    prop:value=cost
                    on:input=move |ev| cost.set(event_target_value(&ev))
                />
            </td>
            <td class="px-3 py-2">
                <button class=button::IN_ROW disabled=save_action.pending() on:click=save>
                    "Save"
                </button>
            </td>
        </tr>
    }
}
