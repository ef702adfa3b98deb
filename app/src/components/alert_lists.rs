//! The lists the alert rule reads, on the Alerts page: SKUs ignored for every customer and the
//! customers (or one customer's licences) left out. Everyone reads them; Editors add and remove.
//! A change applies from the next run.

use leptos::prelude::*;

use crate::{
    api::alerts::{Exclude, ExclusionRow, IgnoreSku, IgnoredSkuRow, UnignoreSku},
    components::common::{button, format::exact, mutation::send},
};

/// The actions that change the lists, for an Editor; `None` for a Viewer.
#[derive(Clone, Copy)]
pub struct ListActions {
    pub ignore: ServerAction<IgnoreSku>,
    pub unignore: ServerAction<UnignoreSku>,
    pub exclude: ServerAction<Exclude>,
}

#[component]
pub fn AlertLists(
    ignored: Vec<IgnoredSkuRow>,
    exclusions: Vec<ExclusionRow>,
    actions: Option<ListActions>,
) -> impl IntoView {
    view! {
        <section class="mt-8" aria-labelledby="alert-lists">
            <h2 id="alert-lists" class="text-lg font-semibold">
                "Ignore list and exclusions"
            </h2>
            <p class="mt-1 text-sm text-slate-600">
                "Licences on the ignore list are never alerted for any customer (free, trial, device and pay-as-you-go licences are on it from the start). A customer, or one licence of a customer, can be left out too. Changes apply from the next run."
            </p>
            <div class="mt-3 grid gap-6 lg:grid-cols-2">
                <IgnoreList rows=ignored actions />
                <Exclusions rows=exclusions actions />
            </div>
        </section>
    }
}

#[component]
fn IgnoreList(rows: Vec<IgnoredSkuRow>, actions: Option<ListActions>) -> impl IntoView {
    let part = RwSignal::new(String::new());
    let category = RwSignal::new("other".to_string());
    let note = RwSignal::new(String::new());
    view! {
        <div class="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
            <h3 class="font-semibold">"Ignored for every customer"</h3>
            <table class="mt-2 min-w-full text-sm" data-testid="ignored-skus">
                <thead class="text-left text-slate-500">
                    <tr>
                        <th class="py-1 pr-3 font-medium">"Part number"</th>
                        <th class="py-1 pr-3 font-medium">"Why"</th>
                        <th class="py-1 pr-3 font-medium">"Added"</th>
                        {actions.map(|_| view! { <th class="py-1 font-medium">"Act"</th> })}
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {rows
                        .into_iter()
                        .map(|row| {
                            let why = match &row.note {
                                Some(note) => format!("{}: {note}", row.category),
                                None => row.category.clone(),
                            };
                            let added = match &row.added_by {
                                Some(by) => format!("{by}, {}", exact(row.added_at)),
                                None => "shipped with SeatSync".to_string(),
                            };
                            let part_number = row.part_number.clone();
                            view! {
                                <tr data-testid="ignored-sku">
                                    <td class="py-1 pr-3 font-mono text-xs">{row.part_number.clone()}</td>
                                    <td class="py-1 pr-3">{why}</td>
                                    <td class="py-1 pr-3 text-slate-600">{added}</td>
                                    {actions
                                        .map(|a| {
                                            let label = format!("Remove {part_number} from the ignore list");
                                            view! {
                                                <td class="py-1">
                                                    <button
                                                        class=button::SMALL
                                                        aria-label=label
                                                        on:click=move |_| {
                                                            send(
                                                                a.unignore,
                                                                UnignoreSku {
                                                                    part_number: part_number.clone(),
                                                                },
                                                            )
                                                        }
                                                    >
                                                        "Remove"
                                                    </button>
                                                </td>
                                            }
                                        })}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            {actions
                .map(|a| {
                    view! {
                        <form
                            class="mt-3 flex flex-wrap items-end gap-2"
                            on:submit=move |ev| {
                                ev.prevent_default();
                                let text = note.get();
                                send(
                                    a.ignore,
                                    IgnoreSku {
                                        part_number: part.get(),
                                        category: category.get(),
                                        note: (!text.trim().is_empty()).then_some(text),
                                    },
                                );
                                part.set(String::new());
                                note.set(String::new());
                            }
                        >
                            <div>
                                <label for="ignore-part" class="block text-xs text-slate-600">
                                    "Part number"
                                </label>
                                <input
                                    id="ignore-part"
                                    class="rounded-md border border-slate-300 px-2 py-1 text-sm"
                                    placeholder="INTUNE_A_D"
                                    prop:value=move || part.get()
                                    on:input=move |ev| part.set(event_target_value(&ev))
                                />
                            </div>
                            <div>
                                <label for="ignore-category" class="block text-xs text-slate-600">
                                    "Kind"
                                </label>
                                <select
                                    id="ignore-category"
                                    class="rounded-md border border-slate-300 px-2 py-1 text-sm"
                                    on:change=move |ev| category.set(event_target_value(&ev))
                                    prop:value=move || category.get()
                                >
                                    <option value="other">"other"</option>
                                    <option value="free">"free"</option>
                                    <option value="trial">"trial"</option>
                                    <option value="device">"device"</option>
                                    <option value="consumption">"consumption"</option>
                                </select>
                            </div>
                            <div>
                                <label for="ignore-note" class="block text-xs text-slate-600">
                                    "Why (optional)"
                                </label>
                                <input
                                    id="ignore-note"
                                    class="rounded-md border border-slate-300 px-2 py-1 text-sm"
                                    prop:value=move || note.get()
                                    on:input=move |ev| note.set(event_target_value(&ev))
                                />
                            </div>
                            <button type="submit" class=button::SECONDARY disabled=move || part.get().trim().is_empty()>
                                "Add to the ignore list"
                            </button>
                        </form>
                    }
                })}
        </div>
    }
}

#[component]
fn Exclusions(rows: Vec<ExclusionRow>, actions: Option<ListActions>) -> impl IntoView {
    let empty = rows.is_empty();
    view! {
        <div class="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
            <h3 class="font-semibold">"Left out"</h3>
            {if empty {
                view! {
                    <p class="mt-2 text-sm text-slate-600">
                        "No customer or licence is left out. Use “Leave out” on a customer or a licence above."
                    </p>
                }
                    .into_any()
            } else {
                view! {
                    <table class="mt-2 min-w-full text-sm" data-testid="exclusions">
                        <thead class="text-left text-slate-500">
                            <tr>
                                <th class="py-1 pr-3 font-medium">"Customer"</th>
                                <th class="py-1 pr-3 font-medium">"Licence"</th>
                                <th class="py-1 pr-3 font-medium">"By"</th>
                                {actions.map(|_| view! { <th class="py-1 font-medium">"Act"</th> })}
                            </tr>
                        </thead>
                        <tbody class="divide-y divide-slate-100">
                            {rows
                                .into_iter()
                                .map(|row| {
                                    let licence = match (&row.sku_id, &row.part_number) {
                                        (None, _) => "the whole customer".to_string(),
                                        (Some(_), Some(part)) => part.clone(),
                                        (Some(sku), None) => sku.to_string(),
                                    };
                                    let by = row
                                        .added_by
                                        .clone()
                                        .map(|b| format!("{b}, {}", exact(row.added_at)))
                                        .unwrap_or_default();
                                    let note = row.note.clone().map(|n| format!(" ({n})")).unwrap_or_default();
                                    let (tenant, sku) = (row.tenant_id.clone(), row.sku_id.clone());
                                    let label = format!("Take {} {licence} back into alerts", row.tenant_name);
                                    view! {
                                        <tr data-testid="exclusion">
                                            <td class="py-1 pr-3">{row.tenant_name.clone()}</td>
                                            <td class="py-1 pr-3">{licence.clone()} {note}</td>
                                            <td class="py-1 pr-3 text-slate-600">{by}</td>
                                            {actions
                                                .map(|a| {
                                                    view! {
                                                        <td class="py-1">
                                                            <button
                                                                class=button::SMALL
                                                                aria-label=label.clone()
                                                                on:click=move |_| {
                                                                    send(
                                                                        a.exclude,
                                                                        Exclude {
                                                                            tenant: tenant.clone(),
                                                                            sku: sku.clone(),
                                                                            excluded: false,
                                                                            note: None,
                                                                        },
                                                                    )
                                                                }
                                                            >
                                                                "Take back in"
                                                            </button>
                                                        </td>
                                                    }
                                                })}
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                    .into_any()
            }}
        </div>
    }
}
