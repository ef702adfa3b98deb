//! Every tenant's seats at a glance, worst first: bought, assigned, unused, the waste beyond the
//! spare seats each customer may keep, and what that waste costs a month. Sortable by any
//! column, a page of 100 tenants at a time (so 2,000 tenants draw as fast as 100), filters and
//! sort in the address, and the whole list as a CSV file.

mod line;
mod sort;

use leptos::prelude::*;
use leptos_meta::Title;
use seatsync_domain::{Role, TenantId};

use self::{
    line::{OverviewLine, SpareSaved},
    sort::{sort_rows, Direction, SortKey},
};
use crate::{
    api::{
        me::Me,
        overview::{fleet_history, seats_overview, OverviewCsv, OverviewRow, SetSpareSeats},
    },
    components::common::Loaded,
    components::{
        common::{
            button,
            download::save_file,
            format::{count, waste_money},
            mutation::{on_answer, send},
            url_param::{url_param, Flag, UrlParam},
            ErrorLine,
        },
        seat_chart::SeatChart,
    },
};

/// Tenants drawn at once: a page of the list.
const PAGE: usize = 100;

#[component]
pub fn OverviewPage() -> impl IntoView {
    let me = expect_context::<Me>();
    let may_edit = me.may(Role::Editor);
    let save_spare = ServerAction::<SetSpareSeats>::new();
    let rows = Resource::new(move || save_spare.version().get(), |_| seats_overview());
    let history = Resource::new(|| (), |_| fleet_history());
    let view_state = ViewState {
        search: url_param("q"),
        only_waste: url_param("waste"),
        only_failed: url_param("sync_failed"),
        sort: url_param("sort"),
        direction: url_param("dir"),
        page: url_param("page"),
    };
    // Which tenant's spare seats the last save was for, and its answer: the row says "Saved" or
    // why not. Kept here, above the list, which is drawn again with the new figures.
    let saving = StoredValue::new(None::<TenantId>);
    let spare_saved = RwSignal::new(None::<SpareSaved>);
    on_answer(save_spare, move |answer| {
        if let Some(tenant_id) = saving.get_value() {
            spare_saved.set(Some(SpareSaved { tenant_id, answer: answer.map_err(|e| e.to_string()) }));
        }
    });
    let save = Callback::new(move |(tenant_id, spare_seats): (TenantId, i32)| {
        saving.set_value(Some(tenant_id.clone()));
        spare_saved.set(None);
        save_spare.dispatch(SetSpareSeats { tenant_id, spare_seats });
    });
    view! {
        <Title text="Overview" />
        <div class="flex flex-wrap items-baseline justify-between gap-4">
            <h1 class="text-2xl font-semibold">"Seats overview"</h1>
            <p class="text-sm text-slate-500">
                "Unused seats beyond each customer's spare seats are waste. Worst first until you sort by a column."
            </p>
        </div>
        <Loaded resource=rows class="mt-6" let:list>
            <OverviewBody list view_state may_edit save spare_saved />
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

/// The table's filters, sort and page, kept in the address (the dashboard links to filters).
#[derive(Clone, Copy)]
struct ViewState {
    search: UrlParam<String>,
    only_waste: UrlParam<Flag>,
    /// Only tenants whose last licence sync failed.
    only_failed: UrlParam<Flag>,
    sort: UrlParam<SortKey>,
    direction: UrlParam<Direction>,
    /// 1-based; 0 (absent) is the first.
    page: UrlParam<usize>,
}

#[component]
fn OverviewBody(
    list: Vec<OverviewRow>,
    view_state: ViewState,
    may_edit: bool,
    save: Callback<(TenantId, i32)>,
    spare_saved: RwSignal<Option<SpareSaved>>,
) -> impl IntoView {
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
    let ViewState { search, only_waste, only_failed, sort, direction, page } = view_state;
    let shown = Memo::new(move |_| {
        let needle = search.get().to_lowercase();
        let waste_only = only_waste.get().0;
        let failed_only = only_failed.get().0;
        let mut rows = list.with_value(|l| {
            l.iter()
                .filter(|r| !waste_only || r.wasted > 0)
                .filter(|r| !failed_only || r.last_error.is_some())
                .filter(|r| {
                    needle.is_empty()
                        || r.name.to_lowercase().contains(&needle)
                        || r.domain.as_deref().unwrap_or("").contains(&needle)
                })
                .cloned()
                .collect::<Vec<_>>()
        });
        sort_rows(&mut rows, sort.get(), direction.get());
        rows
    });
    let pages = Memo::new(move |_| shown.with(Vec::len).div_ceil(PAGE).max(1));
    // A filter that leaves fewer pages shows the last one rather than an empty table.
    let current = Memo::new(move |_| page.get().clamp(1, pages.get()));
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
    let filter_changed = move || page.set(0);
    // The rows of the page shown. A memo of its own: the table read through `current` first,
    // then `shown`, stopped following `shown` once hydrated (seen with Leptos 0.8.23).
    let on_page = Memo::new(move |_| {
        let from = (current.get() - 1) * PAGE;
        shown.with(|rows| rows.iter().skip(from).take(PAGE).cloned().collect::<Vec<_>>())
    });
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
                value=search.get_untracked()
                on:input=move |ev| {
                    search.set(event_target_value(&ev));
                    filter_changed();
                }
            />
            <label class="flex items-center gap-2 text-sm">
                <input
                    type="checkbox"
                    prop:checked=move || only_waste.get().0
                    on:change=move |ev| {
                        only_waste.set(Flag(event_target_checked(&ev)));
                        filter_changed();
                    }
                />
                "Only tenants with waste"
            </label>
            <label class="flex items-center gap-2 text-sm">
                <input
                    type="checkbox"
                    prop:checked=move || only_failed.get().0
                    on:change=move |ev| {
                        only_failed.set(Flag(event_target_checked(&ev)));
                        filter_changed();
                    }
                />
                "Only tenants whose last sync failed"
            </label>
            <ExportButton />
        </div>
        <div class="mt-3 overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
            <table class="w-full text-sm" aria-label="Tenants by waste">
                <thead class="bg-slate-100 text-left text-slate-600">
                    <tr>
                        <SortHeader label="Tenant" column=SortKey::Tenant sort direction page numeric=false />
                        <SortHeader label="Bought" column=SortKey::Bought sort direction page numeric=true />
                        <SortHeader label="Assigned" column=SortKey::Assigned sort direction page numeric=true />
                        <SortHeader label="Unused" column=SortKey::Unused sort direction page numeric=true />
                        <SortHeader label="Spare allowed" column=SortKey::Spare sort direction page numeric=true />
                        <SortHeader label="Wasted" column=SortKey::Wasted sort direction page numeric=true />
                        <SortHeader label="Waste a month" column=SortKey::WasteCost sort direction page numeric=true />
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        on_page
                            .get()
                            .into_iter()
                            .map(|r| view! { <OverviewLine r may_edit save spare_saved /> })
                            .collect_view()
                    }}
                </tbody>
            </table>
        </div>
        <Pager shown=Signal::derive(move || shown.with(Vec::len)) pages current page />
    }
}

/// A column header that sorts by its column: a first click sorts the natural way (names A to Z,
/// numbers largest first), a second click the other way.
#[component]
fn SortHeader(
    label: &'static str,
    column: SortKey,
    sort: UrlParam<SortKey>,
    direction: UrlParam<Direction>,
    page: UrlParam<usize>,
    numeric: bool,
) -> impl IntoView {
    let active = move || sort.get() == column;
    view! {
        <th
            class=if numeric { "px-3 py-2 text-right" } else { "px-3 py-2" }
            aria-sort=move || if active() { direction.get().aria() } else { "none" }
        >
            <button
                class="font-semibold hover:text-slate-900 hover:underline"
                on:click=move |_| {
                    let next = if active() { direction.get_untracked().flipped() } else { column.first_direction() };
                    sort.set(column);
                    direction.set(next);
                    page.set(0);
                }
            >
                {label}
                <span aria-hidden="true" class="ml-1 text-xs text-slate-400">
                    {move || match (active(), direction.get()) {
                        (true, Direction::Ascending) => "▲",
                        (true, Direction::Descending) => "▼",
                        _ => "",
                    }}
                </span>
            </button>
        </th>
    }
}

/// "Tenants 101–200 of 1,950", and the previous and next pages.
#[component]
fn Pager(shown: Signal<usize>, pages: Memo<usize>, current: Memo<usize>, page: UrlParam<usize>) -> impl IntoView {
    view! {
        <nav class="mt-3 flex flex-wrap items-center gap-3 text-sm" aria-label="Pages of tenants">
            <span class="text-slate-600" data-testid="overview-range">
                {move || {
                    let n = shown.get();
                    if n == 0 {
                        "No tenant matches.".to_string()
                    } else {
                        let from = (current.get() - 1) * PAGE + 1;
                        let to = (from + PAGE - 1).min(n);
                        format!("Tenants {}–{} of {}", count(from as i64), count(to as i64), count(n as i64))
                    }
                }}
            </span>
            <Show when=move || { pages.get() > 1 }>
                <button
                    class=button::SMALL
                    disabled=move || current.get() <= 1
                    on:click=move |_| page.set(current.get_untracked() - 1)
                >
                    "Previous"
                </button>
                <span class="tabular-nums text-slate-600">
                    {move || format!("Page {} of {}", current.get(), pages.get())}
                </span>
                <button
                    class=button::SMALL
                    disabled=move || { current.get() >= pages.get() }
                    on:click=move |_| page.set(current.get_untracked() + 1)
                >
                    "Next"
                </button>
            </Show>
        </nav>
    }
}

/// Downloads the whole overview (not only the page shown) as a CSV file.
#[component]
fn ExportButton() -> impl IntoView {
    let export = ServerAction::<OverviewCsv>::new();
    on_answer(export, |answer| {
        if let Ok(file) = answer {
            save_file(&file.file_name, "text/csv;charset=utf-8", &file.text);
        }
    });
    view! {
        <div class="ml-auto text-right">
            <button
                class=button::OUTLINE
                disabled=move || export.pending().get()
                on:click=move |_| send(export, OverviewCsv {})
            >
                {move || if export.pending().get() { "Exporting…" } else { "Export CSV" }}
            </button>
            {move || {
                export
                    .value()
                    .get()
                    .and_then(Result::err)
                    .map(|e| view! { <ErrorLine message=e.to_string() class="mt-1 text-sm" /> })
            }}
        </div>
    }
}
