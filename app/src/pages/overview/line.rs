//! One tenant's line of the overview: its figures, its products, and its spare seats, which an
//! Editor changes in place.

use leptos::prelude::*;
use seatsync_domain::TenantId;

use crate::{api::overview::OverviewRow, components::common::format::money};

/// The answer to the last spare-seats save, for the row it was made on.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SpareSaved {
    pub tenant_id: TenantId,
    pub answer: Result<i32, String>,
}

#[component]
pub(super) fn OverviewLine(
    r: OverviewRow,
    may_edit: bool,
    save: Callback<(TenantId, i32)>,
    spare_saved: RwSignal<Option<SpareSaved>>,
) -> impl IntoView {
    let id = r.tenant_id.clone();
    let mine = {
        let id = id.clone();
        move || spare_saved.get().filter(|s| s.tenant_id == id).map(|s| s.answer)
    };
    let products = r.products.clone();
    let label = format!("Spare seats for {}", r.name);
    let cost = if r.waste_cost > 0.0 {
        money(r.waste_cost)
    } else if r.wasted > 0 {
        "no price".into()
    } else {
        "—".into()
    };
    view! {
        <tr class="border-t border-slate-100 align-top" data-testid="overview-row">
            <td class="px-3 py-2">
                <a
                    class="font-medium text-indigo-700 hover:underline"
                    href=format!("/subscriptions?tenant={}", r.tenant_id)
                >
                    {r.name.clone()}
                </a>
                <span class="block text-xs text-slate-500">
                    {r.domain.clone().unwrap_or_default()}
                    {r
                        .last_error
                        .clone()
                        .map(|e| {
                            view! {
                                <span class="ml-1 text-amber-700" title=e.clone()>
                                    " · last sync failed"
                                </span>
                                <span class="block text-amber-800" data-testid="sync-error">
                                    {e}
                                </span>
                            }
                        })}
                    {r
                        .last_synced_at
                        .is_none()
                        .then(|| view! { <span class="ml-1 text-amber-700">" · never synced"</span> })}
                </span>
                {(!products.is_empty())
                    .then(|| {
                        view! {
                            <details class="mt-1 text-xs text-slate-600">
                                <summary class="cursor-pointer">{format!("{} products", products.len())}</summary>
                                <ul class="mt-1 space-y-0.5">
                                    {products
                                        .into_iter()
                                        .map(|p| {
                                            view! {
                                                <li>
                                                    <span class="font-medium">{p.name}</span>
                                                    {format!(": {} of {} assigned", p.assigned, p.purchased)}
                                                    {(p.wasted > 0).then(|| format!(", {} wasted", p.wasted))}
                                                    {match p.waste_cost {
                                                        Some(c) if c > 0.0 => format!(" ({}/month)", money(c)),
                                                        None if p.wasted > 0 => " (no price)".to_string(),
                                                        _ => String::new(),
                                                    }}
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            </details>
                        }
                    })}
            </td>
            <td class="px-3 py-2 text-right tabular-nums">{r.purchased}</td>
            <td class="px-3 py-2 text-right tabular-nums">{r.assigned}</td>
            <td class="px-3 py-2 text-right tabular-nums">{r.unused}</td>
            <td class="px-3 py-2 text-right">
                {if may_edit {
                    view! {
                        <input
                            type="number"
                            min="0"
                            max="10000"
                            aria-label=label
                            class="w-16 rounded border border-slate-300 px-1 py-0.5 text-right"
                            prop:value=r.spare_seats.to_string()
                            on:change=move |ev| {
                                let value = event_target_value(&ev).trim().parse::<i32>().unwrap_or(-1);
                                save.run((id.clone(), value));
                            }
                        />
                        <span class="block text-xs" role="status">
                            {move || match mine() {
                                Some(Ok(_)) => view! { <span class="text-emerald-700">"Saved"</span> }.into_any(),
                                Some(Err(e)) => view! { <span class="text-red-700">{e}</span> }.into_any(),
                                None => ().into_any(),
                            }}
                        </span>
                    }
                        .into_any()
                } else {
                    view! { <span class="tabular-nums">{r.spare_seats}</span> }.into_any()
                }}
            </td>
            <td class="px-3 py-2 text-right tabular-nums">
                {if r.wasted > 0 {
                    view! { <span class="font-semibold text-amber-700">{r.wasted}</span> }.into_any()
                } else {
                    view! { <span>"0"</span> }.into_any()
                }}
            </td>
            <td class="px-3 py-2 text-right tabular-nums" data-testid="waste-cost">
                {cost}
            </td>
        </tr>
    }
}
