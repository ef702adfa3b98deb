//! Every tenant's seats at a glance, worst first: bought, assigned, unused, the waste beyond the
//! spare seats each customer may keep, and what that waste costs a month.

use leptos::prelude::*;
use leptos_meta::Title;
use seatsync_domain::Role;

use crate::{
    api::{
        me::Me,
        overview::{fleet_history, seats_overview, OverviewRow, SetSpareSeats},
    },
    components::common::Loaded,
    components::{
        common::format::{count, money, waste_money},
        seat_chart::SeatChart,
    },
};

#[component]
pub fn OverviewPage() -> impl IntoView {
    let me = expect_context::<Me>();
    let may_edit = me.may(Role::Editor);
    let save_spare = ServerAction::<SetSpareSeats>::new();
    let rows = Resource::new(move || save_spare.version().get(), |_| seats_overview());
    let history = Resource::new(|| (), |_| fleet_history());
    let search = RwSignal::new(String::new());
    let only_waste = RwSignal::new(false);
    let show_all = RwSignal::new(false);
    view! {
        <Title text="Overview" />
        <div class="flex flex-wrap items-baseline justify-between gap-4">
            <h1 class="text-2xl font-semibold">"Seats overview"</h1>
            <p class="text-sm text-slate-500">
                "Unused seats beyond each customer's spare seats are waste. Worst first."
            </p>
        </div>
        {move || {
            save_spare
                .value()
                .get()
                .and_then(Result::err)
                .map(|e| {
                    view! {
                        <p class="mt-3 rounded-md bg-red-50 p-3 text-sm text-red-800" role="alert">
                            {e.to_string()}
                        </p>
                    }
                })
        }}
        <Loaded resource=rows class="mt-6" let:list>
            <OverviewBody list search only_waste show_all may_edit save_spare />
        </Loaded>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                history
                    .await
                    .ok()
                    .filter(|s| s.points.len() > 1)
                    .map(|series| {
                        view! {
                            <h2 class="mt-8 text-sm font-semibold uppercase tracking-wide text-slate-500">
                                "Seats over time, all tenants"
                            </h2>
                            <div class="mt-3 max-w-xl" data-testid="fleet-chart">
                                <SeatChart series />
                            </div>
                        }
                    })
            })}
        </Transition>
    }
}

#[component]
fn OverviewBody(
    list: Vec<OverviewRow>,
    search: RwSignal<String>,
    only_waste: RwSignal<bool>,
    show_all: RwSignal<bool>,
    may_edit: bool,
    save_spare: ServerAction<SetSpareSeats>,
) -> impl IntoView {
    const FIRST: usize = 100;
    let total = |f: fn(&OverviewRow) -> i64| list.iter().map(f).sum::<i64>();
    let (purchased, assigned, unused, wasted, unpriced) = (
        total(|r| r.purchased),
        total(|r| r.assigned),
        total(|r| r.unused),
        total(|r| r.wasted),
        total(|r| r.wasted_unpriced),
    );
    let cost: f64 = list.iter().map(|r| r.waste_cost).sum();
    let tenants = list.len();
    let list = StoredValue::new(list);
    let shown = Memo::new(move |_| {
        let needle = search.get().to_lowercase();
        let waste_only = only_waste.get();
        list.with_value(|l| {
            l.iter()
                .filter(|r| !waste_only || r.wasted > 0)
                .filter(|r| {
                    needle.is_empty()
                        || r.name.to_lowercase().contains(&needle)
                        || r.domain.as_deref().unwrap_or("").contains(&needle)
                })
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let card = |label: &'static str, value: String, testid: &'static str| {
        view! {
            <div class="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
                <p class="text-xs font-semibold uppercase tracking-wide text-slate-500">{label}</p>
                <p class="mt-1 text-2xl font-semibold tabular-nums" data-testid=testid>
                    {value}
                </p>
            </div>
        }
    };
    view! {
        <section class="mt-6 grid gap-4 sm:grid-cols-3 lg:grid-cols-6">
            {card("Tenants", count(tenants as i64), "total-tenants")}
            {card("Seats bought", count(purchased), "total-purchased")}
            {card("Assigned", count(assigned), "total-assigned")} {card("Unused", count(unused), "total-unused")}
            {card("Wasted", count(wasted), "total-wasted")}
            {card("Waste a month", waste_money(cost, unpriced), "total-waste-cost")}
        </section>
        {(unpriced > 0)
            .then(|| {
                view! {
                    <p class="mt-2 text-xs text-slate-500">
                        {format!(
                            "{unpriced} wasted seats are of products without a known price and are not in the monthly figure. ",
                        )}
                        "Map their offers to Autotask services, or set a monthly cost per product under Settings → Product names."
                    </p>
                }
            })}
        <div class="mt-6 flex flex-wrap items-center gap-4">
            <input
                type="search"
                aria-label="Filter tenants"
                placeholder="Filter by name or domain"
                class="w-72 rounded-md border border-slate-300 px-2 py-1.5 text-sm"
                on:input=move |ev| search.set(event_target_value(&ev))
            />
            <label class="flex items-center gap-2 text-sm">
                <input
                    type="checkbox"
                    prop:checked=only_waste
                    on:change=move |ev| only_waste.set(event_target_checked(&ev))
                />
                "Only tenants with waste"
            </label>
        </div>
        <div class="mt-3 overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
            <table class="w-full text-sm" aria-label="Tenants by waste">
                <thead class="bg-slate-100 text-left text-slate-600">
                    <tr>
                        <th class="px-3 py-2">"Tenant"</th>
                        <th class="px-3 py-2 text-right">"Bought"</th>
                        <th class="px-3 py-2 text-right">"Assigned"</th>
                        <th class="px-3 py-2 text-right">"Unused"</th>
                        <th class="px-3 py-2 text-right">"Spare allowed"</th>
                        <th class="px-3 py-2 text-right">"Wasted"</th>
                        <th class="px-3 py-2 text-right">"Waste a month"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let rows = shown.get();
                        let limit = if show_all.get() { rows.len() } else { FIRST };
                        rows.into_iter()
                            .take(limit)
                            .map(|r| view! { <OverviewLine r may_edit save_spare /> })
                            .collect_view()
                    }}
                </tbody>
            </table>
        </div>
        {move || {
            let n = shown.with(Vec::len);
            (n > FIRST && !show_all.get())
                .then(|| {
                    view! {
                        <button class="mt-3 text-sm text-indigo-700 underline" on:click=move |_| show_all.set(true)>
                            {format!("Show all {n} tenants")}
                        </button>
                    }
                })
        }}
    }
}

#[component]
fn OverviewLine(r: OverviewRow, may_edit: bool, save_spare: ServerAction<SetSpareSeats>) -> impl IntoView {
    let id = r.tenant_id.clone();
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
                        .is_some()
                        .then(|| view! { <span class="ml-1 text-amber-700">" · last sync failed"</span> })}
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
                                save_spare
                                    .dispatch(SetSpareSeats {
                                        tenant_id: id.clone(),
                                        spare_seats: value,
                                    });
                            }
                        />
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
