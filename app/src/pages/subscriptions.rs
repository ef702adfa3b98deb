//! NCE subscriptions: pick a tenant, see what Microsoft bills and how many seats are assigned,
//! and sync now.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use seatsync_domain::{billing_cycle_words, Role, Term};

use crate::{
    api::{
        licences::{
            licence_history, licence_sync_status, list_tenants, tenant_licences, PsaCompany, SourceStatus,
            StartLicenceSync, SubscriptionRow, SyncStatus, TenantDetail,
        },
        mapping::MappingState,
        me::Me,
        overview::ProductLine,
    },
    components::common::Loaded,
    components::{
        closing_windows::ClosingWindows,
        common::{
            button,
            format::{exact, relative},
            polling::use_polling_while,
            WhyDisabled,
        },
        seat_chart::SeatChart,
        tenant_picker::{columns_class, picker_folded, TenantPicker},
    },
};

#[component]
pub fn SubscriptionsPage() -> impl IntoView {
    let me = expect_context::<Me>();
    let may_sync = me.may(Role::Editor);
    let query = use_query_map();
    let selected = Memo::new(move |_| query.with(|q| q.get("tenant")));
    let folded = picker_folded();

    // Everyone on the page follows the latest run; a finished run refreshes the data shown.
    let sync = ServerAction::<StartLicenceSync>::new();
    // Polled only while a run is active (and the tab is visible).
    let active = RwSignal::new(false);
    let tick = use_polling_while(std::time::Duration::from_millis(1500), active.into());
    let status = Resource::new(move || (tick.get(), sync.version().get()), |_| licence_sync_status());
    // The latest run as the browser last heard of it, for the buttons and the polling. Read in an
    // effect: a resource read outside a Suspense would make the server wait for it, and the
    // server-rendered page shows the run through the Transition below instead.
    let latest_run = RwSignal::new(None::<SyncStatus>);
    Effect::new(move |_| latest_run.set(status.get().and_then(Result::ok).flatten()));
    let latest = Memo::new(move |_| latest_run.get());
    Effect::new(move |_| active.set(latest.get().is_some_and(|s| s.running)));
    // When a run finishes, the tenants and the tenant shown are fetched again. This is driven
    // from the browser (effects do not run on the server), so server rendering never waits on a
    // resource that depends on another.
    let refresh = RwSignal::new(0u32);
    Effect::new(move |seen: Option<Option<i64>>| {
        let finished = latest.get().filter(|s| !s.running).map(|s| s.run_id);
        if matches!(seen, Some(before) if before != finished && finished.is_some()) {
            refresh.update(|r| *r += 1);
        }
        finished
    });
    let tenants = Resource::new(move || refresh.get(), |_| list_tenants());
    let history = Resource::new(
        move || (selected.get(), refresh.get()),
        |(tenant, _)| async move {
            match tenant {
                Some(t) => licence_history(t.into()).await,
                None => Ok(Vec::new()),
            }
        },
    );
    let detail = Resource::new(
        move || (selected.get(), refresh.get()),
        |(tenant, _)| async move {
            match tenant {
                Some(t) => tenant_licences(t.into()).await.map(Some),
                None => Ok(None),
            }
        },
    );

    let sync_error = move || {
        sync.value().get().and_then(Result::err).map(|e| {
            view! {
                <p class="mt-3 rounded-md bg-red-50 p-3 text-sm text-red-800" role="alert">
                    {e.to_string()}
                </p>
            }
        })
    };

    view! {
        <Title text="NCE subscriptions" />
        <div class="flex flex-wrap items-baseline justify-between gap-4">
            <h1 class="text-2xl font-semibold">"NCE subscriptions"</h1>
            <Show when=move || may_sync>
                <div class="text-right">
                    <button
                        class=button::OUTLINE
                        disabled=move || sync.pending().get() || latest.get().is_some_and(|s| s.running)
                        on:click=move |_| {
                            sync.dispatch(StartLicenceSync {
                                tenant_id: None,
                            });
                        }
                    >
                        "Sync all tenants"
                    </button>
                    <WhyDisabled reason=Signal::derive(move || {
                        latest
                            .get()
                            .is_some_and(|s| s.running)
                            .then(|| "A sync is running; its progress shows below.".to_string())
                    }) />
                </div>
            </Show>
        </div>
        {sync_error}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let latest = status.await.ok().flatten();
                view! { <SyncProgress latest /> }
            })}
        </Transition>
        <div class=columns_class(folded)>
            <Loaded resource=tenants loading="Loading tenants…" let:list>
                <TenantPicker tenants=list selected base="/subscriptions" folded />
            </Loaded>
            <section>
                <Loaded resource=detail let:d>
                    {match d {
                        Some(d) => view! { <TenantView detail=d may_sync sync latest /> }.into_any(),
                        None => view! { <ClosingWindows /> }.into_any(),
                    }}
                </Loaded>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let series = history.await.unwrap_or_default();
                        (!series.is_empty())
                            .then(|| {
                                view! {
                                    <h3 class="mt-8 text-sm font-semibold uppercase tracking-wide text-slate-500">
                                        "Seats over time"
                                    </h3>
                                    <div
                                        class="mt-3 grid gap-4 md:grid-cols-2 xl:grid-cols-3"
                                        data-testid="seat-charts"
                                    >
                                        {series.into_iter().map(|s| view! { <SeatChart series=s /> }).collect_view()}
                                    </div>
                                }
                            })
                    })}
                </Transition>
            </section>
        </div>
    }
}

#[component]
fn SyncProgress(latest: Option<SyncStatus>) -> impl IntoView {
    {
        latest.map(|s| {
            let pct = if s.total > 0 { (s.done as f64 / s.total as f64 * 100.0).round() as i32 } else { 0 };
            let label = if s.running {
                format!("Syncing licences: {} of {} tenants done", s.done, s.total)
            } else {
                format!(
                    "Last licence sync {}: {} of {} tenants synced{}",
                    s.finished_at.map(relative).unwrap_or_default(),
                    s.done - s.failed,
                    s.total,
                    if s.failed > 0 { format!(", {} failed", s.failed) } else { String::new() }
                )
            };
            let failures = s.failures.clone();
            view! {
                <div class="mt-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid="sync-progress">
                    <div class="flex items-center justify-between text-sm">
                        <span role="status">{label}</span>
                        {s.running.then(|| view! { <span class="text-slate-500">{format!("{pct}%")}</span> })}
                    </div>
                    {s
                        .running
                        .then(|| {
                            view! {
                                <crate::components::progress::ProgressBar percent=pct label="Licence sync progress" />
                            }
                        })}
                    {s.error.clone().map(|e| view! { <p class="mt-2 text-sm text-red-700">{e}</p> })}
                    {(!failures.is_empty())
                        .then(|| {
                            view! {
                                <details class="mt-2 text-sm">
                                    <summary class="cursor-pointer text-red-700">
                                        {format!("{} tenant(s) failed", failures.len())}
                                    </summary>
                                    <ul class="mt-1 space-y-1">
                                        {failures
                                            .into_iter()
                                            .map(|f| {
                                                view! {
                                                    <li>
                                                        <strong>{f.tenant}</strong>
                                                        ": "
                                                        {f.error}
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                </details>
                            }
                        })}
                </div>
            }
        })
    }
}

/// "4 min ago", "failed", or "never", for one source of the tenant's data.
fn source_age(source: &SourceStatus) -> String {
    match (&source.error, source.synced_at) {
        (Some(_), _) => "failed".into(),
        (None, Some(at)) => relative(at),
        (None, None) => "never".into(),
    }
}

/// Says that one source failed on its last attempt, what it said, and how old the data it left
/// is; nothing when it answered.
#[component]
fn SourceNotice(source: SourceStatus, what: &'static str, data: &'static str) -> impl IntoView {
    source.error.map(|error| {
        let kept = match source.synced_at {
            Some(at) => view! {
                {format!("{data} are from its last good answer, ")}
                <time datetime=at.to_rfc3339() title=exact(at)>
                    {relative(at)}
                </time>
                "."
            }
            .into_any(),
            None => view! { {format!("{data} are unknown until it answers.")} }.into_any(),
        };
        view! {
            <p class="mt-3 rounded-md bg-amber-50 p-3 text-sm text-amber-900" role="alert" data-testid="source-failed">
                {format!("{what} could not be read on the last sync: ")}
                <strong>{error}</strong>
                " "
                {kept}
            </p>
        }
    })
}

#[derive(Clone, Copy, PartialEq)]
enum SortBy {
    Product,
    Purchased,
    Assigned,
    Unused,
    Term,
    End,
    Status,
}

fn compare(a: &SubscriptionRow, b: &SubscriptionRow, by: SortBy) -> std::cmp::Ordering {
    match by {
        // Case-insensitive without allocating: a sort compares a 300-row table ~2,500 times.
        SortBy::Product => {
            a.product.chars().flat_map(char::to_lowercase).cmp(b.product.chars().flat_map(char::to_lowercase))
        }
        SortBy::Purchased => a.purchased.cmp(&b.purchased),
        SortBy::Assigned => a.assigned.cmp(&b.assigned),
        SortBy::Unused => a.unused.cmp(&b.unused),
        SortBy::Term => a.term.cmp(&b.term),
        SortBy::End => a.end.cmp(&b.end),
        SortBy::Status => a.status.cmp(&b.status),
    }
}

/// One tenant: its card (sources, links, the sync button), its seats by product and its
/// subscriptions.
#[component]
fn TenantView(
    detail: TenantDetail,
    may_sync: bool,
    sync: ServerAction<StartLicenceSync>,
    latest: Memo<Option<SyncStatus>>,
) -> impl IntoView {
    let mut detail = detail;
    let products = std::mem::take(&mut detail.products);
    let rows = std::mem::take(&mut detail.rows);
    let spare = detail.spare_seats;
    view! {
        <TenantCard detail may_sync sync latest />
        <ProductSeats products spare />
        <SubscriptionTable rows />
    }
}

/// The tenant's name and ids, when each source was last read, the links out and "Sync now".
#[component]
fn TenantCard(
    detail: TenantDetail,
    may_sync: bool,
    sync: ServerAction<StartLicenceSync>,
    latest: Memo<Option<SyncStatus>>,
) -> impl IntoView {
    let t = detail.tenant.clone();
    let tenant_id = t.tenant_id.clone();
    let sync_tenant = {
        let id = tenant_id.clone();
        move |_| {
            sync.dispatch(StartLicenceSync { tenant_id: Some(id.clone()) });
        }
    };
    view! {
        <article class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm" data-testid="tenant-card">
            <div class="flex flex-wrap items-start justify-between gap-4">
                <div>
                    <h2 class="text-xl font-semibold">{t.name.clone()}</h2>
                    <p class="text-sm text-slate-600">{t.domain.clone().unwrap_or_default()}</p>
                    <p class="mt-1 font-mono text-xs text-slate-500">{t.tenant_id.to_string()}</p>
                </div>
                <div class="text-right text-sm">
                    <p>
                        "Last sync: "
                        {match t.last_synced_at {
                            Some(at) => {
                                view! {
                                    <time datetime=at.to_rfc3339() title=exact(at) data-testid="last-sync">
                                        {relative(at)}
                                    </time>
                                }
                                    .into_any()
                            }
                            None => view! { <span data-testid="last-sync">"never"</span> }.into_any(),
                        }}
                    </p>
                    <p class="text-xs text-slate-500" data-testid="source-times">
                        "Subscriptions "
                        {source_age(&detail.subscriptions_source)}
                        " · seats "
                        {source_age(&detail.seats_source)}
                    </p>
                    <div class="mt-2 flex justify-end gap-2">
                        <a
                            href=detail.partner_center_url.clone()
                            target="_blank"
                            rel="noopener"
                            class="rounded-md border border-slate-300 px-2 py-1 hover:bg-slate-50"
                        >
                            "Open in Partner Center"
                        </a>
                        <PsaCompanyLink company=detail.psa_company.clone() state=detail.mapping_state />
                        <Show when=move || may_sync>
                            <button
                                class="rounded-md bg-indigo-600 px-2 py-1 text-white hover:bg-indigo-500 disabled:opacity-50"
                                disabled=move || sync.pending().get() || latest.get().is_some_and(|s| s.running)
                                on:click=sync_tenant.clone()
                            >
                                "Sync now"
                            </button>
                        </Show>
                    </div>
                </div>
            </div>
            <SourceNotice
                source=detail.subscriptions_source.clone()
                what="Partner Center"
                data="The subscriptions below"
            />
            <SourceNotice
                source=detail.seats_source.clone()
                what="Microsoft Graph"
                data="The seat counts (assigned, unused)"
            />
        </article>
    }
        .into_any()
}

/// Where the tenant stands in Autotask: a link to its company, or why there is none.
#[component]
fn PsaCompanyLink(company: Option<PsaCompany>, state: MappingState) -> impl IntoView {
    match (company, state) {
        (Some(c), _) => match c.url {
            Some(url) => view! {
                <a
                    href=url
                    target="_blank"
                    rel="noopener"
                    title=format!("Autotask company {}", c.name)
                    class="rounded-md border border-slate-300 px-2 py-1 hover:bg-slate-50"
                >
                    "Open company in Autotask"
                </a>
            }
            .into_any(),
            None => {
                view! { <span class="px-2 py-1 text-slate-500">{format!("Autotask: {}", c.name)}</span> }.into_any()
            }
        },
        (None, MappingState::Ignored) => {
            view! { <span class="px-2 py-1 text-slate-500">"Ignored in Autotask"</span> }.into_any()
        }
        (None, _) => view! {
            <a href="/mapping/customers" class="px-2 py-1 text-amber-800 underline">
                "Not mapped to Autotask"
            </a>
        }
        .into_any(),
    }
}

/// Seats bought, assigned, unused and wasted per product, with seats in a grace period apart.
#[component]
fn ProductSeats(products: Vec<ProductLine>, spare: i32) -> impl IntoView {
    view! {
        {(!products.is_empty())
            .then(|| {
                view! {
                    <section class="mt-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
                        <h3 class="text-sm font-semibold uppercase tracking-wide text-slate-500">"Seats by product"</h3>
                        <p class="mt-1 text-xs text-slate-500">
                            {format!(
                                "Bought counts the seats paid for (Graph's enabled units); assigned users come from Microsoft Graph. The customer may keep {spare} spare seat(s) per product; unused seats beyond that are waste. Expiring seats belong to an expired subscription in its grace period: nobody pays for them, and they are not counted as bought.",
                            )}
                        </p>
                        <table class="mt-2 w-full text-sm" aria-label="Seats by product">
                            <thead class="text-left text-slate-500">
                                <tr>
                                    <th class="py-1">"Product"</th>
                                    <th class="py-1 text-right">"Bought"</th>
                                    <th class="py-1 text-right">"Assigned"</th>
                                    <th class="py-1 text-right">"Unused"</th>
                                    <th class="py-1 text-right">"Wasted"</th>
                                    <th class="py-1 pl-4">"Expiring"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {products
                                    .into_iter()
                                    .map(|p| {
                                        let note = expiring_note(&p);
                                        view! {
                                            <tr class="border-t border-slate-100" data-testid="product-row">
                                                <td class="py-1">{p.name}</td>
                                                <td class="py-1 text-right tabular-nums">{p.purchased}</td>
                                                <td class="py-1 text-right tabular-nums">{p.assigned}</td>
                                                <td class="py-1 text-right tabular-nums">{p.unused}</td>
                                                <td class="py-1 text-right tabular-nums">
                                                    {if p.wasted > 0 {
                                                        view! {
                                                            <span class="font-semibold text-amber-700">{p.wasted}</span>
                                                        }
                                                            .into_any()
                                                    } else {
                                                        view! { <span>"0"</span> }.into_any()
                                                    }}
                                                </td>
                                                <td class="py-1 pl-4" data-testid="expiring">
                                                    {note}
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </section>
                }
            })}
    }
        .into_any()
}

/// The subscriptions, filtered and sorted in the browser.
#[component]
fn SubscriptionTable(rows: Vec<SubscriptionRow>) -> impl IntoView {
    let rows = StoredValue::new(rows);
    let sort = RwSignal::new((SortBy::Product, true));
    let filter = RwSignal::new(String::new());
    // Positions into `rows`, filtered and sorted: the rows themselves are cloned only to draw them.
    let shown = Memo::new(move |_| {
        let (by, asc) = sort.get();
        let needle = filter.get().to_lowercase();
        rows.with_value(|r| {
            let mut list: Vec<usize> = (0..r.len())
                .filter(|&i| {
                    let s = &r[i];
                    needle.is_empty()
                        || s.product.to_lowercase().contains(&needle)
                        || s.status.as_deref().unwrap_or("").contains(&needle)
                        || s.term.as_deref().unwrap_or("").to_lowercase().contains(&needle)
                        || Term::words_of(s.term.as_deref().unwrap_or("")).to_lowercase().contains(&needle)
                })
                .collect();
            list.sort_by(|&a, &b| if asc { compare(&r[a], &r[b], by) } else { compare(&r[b], &r[a], by) });
            list
        })
    });
    let header = move |label: &'static str, by: SortBy| {
        view! {
            <th
                class="px-3 py-2"
                aria-sort=move || match sort.get() {
                    (b, true) if b == by => "ascending",
                    (b, false) if b == by => "descending",
                    _ => "none",
                }
            >
                <button
                    class="font-semibold hover:text-indigo-700"
                    on:click=move |_| {
                        sort.update(|(b, asc)| {
                            if *b == by {
                                *asc = !*asc
                            } else {
                                *b = by;
                                *asc = true;
                            }
                        })
                    }
                >
                    {label}
                    {move || match sort.get() {
                        (b, true) if b == by => " ▲",
                        (b, false) if b == by => " ▼",
                        _ => "",
                    }}
                </button>
            </th>
        }
    };
    view! {
        <div class="mt-4 flex items-center justify-between gap-4">
            <input
                type="search"
                aria-label="Filter subscriptions"
                placeholder="Filter by product, term or status"
                class="w-72 rounded-md border border-slate-300 px-2 py-1.5 text-sm"
                on:input=move |ev| filter.set(event_target_value(&ev))
            />
            <p class="text-xs text-slate-500">
                <span class="mr-1 inline-block rounded bg-emerald-100 px-1.5 text-emerald-800">"window open"</span>
                "seats can be reduced now"
            </p>
        </div>
        <div class="mt-3 overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
            <table class="data-table w-full text-sm" aria-label="Subscriptions">
                <thead class="bg-slate-100 text-left text-slate-600">
                    <tr>
                        {header("Product", SortBy::Product)} {header("Purchased", SortBy::Purchased)}
                        {header("Assigned", SortBy::Assigned)} {header("Unused", SortBy::Unused)}
                        {header("Term", SortBy::Term)} <th class="px-3 py-2">"Billing"</th>
                        <th class="px-3 py-2">"Start"</th> {header("End / renewal", SortBy::End)}
                        <th class="px-3 py-2">"Auto-renew"</th> {header("Status", SortBy::Status)}
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        shown
                            .with(|list| {
                                rows.with_value(|r| {
                                    list.iter().map(|&i| view! { <SubscriptionLine s=r[i].clone() /> }).collect_view()
                                })
                            })
                    }}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// "2 seats since 2026-11-21", and a warning when more users hold the product than seats are
/// paid for.
fn expiring_note(p: &ProductLine) -> impl IntoView {
    let since = p.expiring_since.map(|d| format!(" since {}", d.date_naive())).unwrap_or_default();
    let expiring = (p.expiring > 0).then(|| {
        view! {
            <span
                class="rounded bg-amber-100 px-1.5 text-xs text-amber-900"
                title="Units of an expired subscription in its grace period before suspension"
            >
                {format!("{} seat(s) in grace period{since}", p.expiring)}
            </span>
        }
    });
    let over = (p.over_assigned > 0).then(|| {
        let text = if p.expiring > 0 {
            format!("{} user(s) lose the licence when the grace period ends", p.over_assigned)
        } else {
            format!("{} user(s) more than seats bought", p.over_assigned)
        };
        view! {
            <span class="ml-1 text-xs font-semibold text-red-700" data-testid="over-assigned">
                {text}
            </span>
        }
    });
    view! {
        {expiring}
        {over}
    }
}

#[component]
fn SubscriptionLine(s: SubscriptionRow) -> impl IntoView {
    // `NaiveDate`'s Display is YYYY-MM-DD, without parsing a format string per cell.
    let date = |d: Option<DateTime<Utc>>| d.map(|d| d.date_naive().to_string()).unwrap_or_else(|| "—".into());
    let days_left = s.end.map(|e| (e - Utc::now()).num_days());
    let shared = (s.sku_shared_by > 1).then(|| {
        format!(
            "{} subscriptions share this product; its assigned and unused seats are in the table above",
            s.sku_shared_by
        )
    });
    view! {
        <tr class="border-t border-slate-100" data-testid="subscription-row">
            <td>
                <span class="font-medium">{s.product.clone()}</span>
                {s
                    .is_trial
                    .then(|| view! { <span class="ml-1 rounded bg-sky-100 px-1 text-xs text-sky-800">"trial"</span> })}
                {(!s.is_nce)
                    .then(|| {
                        view! { <span class="ml-1 rounded bg-slate-100 px-1 text-xs text-slate-600">"legacy"</span> }
                    })}
                {s
                    .cancellation_open_until
                    .map(|u| {
                        view! {
                            <span
                                class="ml-1 rounded bg-emerald-100 px-1.5 text-xs text-emerald-800"
                                title=format!("Seats can be reduced until {}", exact(u))
                            >
                                "window open"
                            </span>
                        }
                    })}
            </td>
            <td class="tabular-nums">
                {s.purchased}
                {s
                    .next_term_quantity
                    .map(|next| {
                        view! {
                            <span
                                class="block text-xs text-slate-500"
                                data-testid="next-term-quantity"
                                title="The quantity Partner Center holds for the next term"
                            >
                                {format!("{next} from renewal")}
                            </span>
                        }
                    })}
            </td>
            {match shared {
                Some(why) => {
                    // A SKU's seats are assigned per product, not per subscription: on each of its
                    // subscriptions "12 bought, 88 assigned" would read as over-assignment.
                    view! {
                        <td colspan="2" class="text-xs text-slate-500" title=why data-testid="seats-per-product">
                            "Seats counted per product, above"
                        </td>
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <td class="tabular-nums">
                            {s.assigned.map(|a| a.to_string()).unwrap_or_else(|| "—".into())}
                        </td>
                        <td class="tabular-nums">
                            {match s.unused {
                                Some(u) if u > 0 => {
                                    view! { <span class="font-semibold text-amber-700">{u}</span> }.into_any()
                                }
                                Some(u) => view! { <span>{u}</span> }.into_any(),
                                None => view! { <span>"—"</span> }.into_any(),
                            }}
                        </td>
                    }
                        .into_any()
                }
            }}
            <td>{Term::words_of(s.term.as_deref().unwrap_or_default())}</td>
            <td>{billing_cycle_words(s.billing_cycle.as_deref().unwrap_or_default())}</td>
            <td class="whitespace-nowrap">{date(s.start)}</td>
            <td class="whitespace-nowrap">
                {date(s.end)}
                {days_left
                    .filter(|d| *d >= 0)
                    .map(|d| view! { <span class="ml-1 text-xs text-slate-500">{format!("({d} days)")}</span> })}
            </td>
            <td>{if s.auto_renew { "Yes" } else { "No" }}</td>
            <td>{s.status.clone().unwrap_or_default()}</td>
        </tr>
    }
}
