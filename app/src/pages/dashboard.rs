//! The landing page after sign-in: what needs doing, counted, each count a link to the list it
//! counts; then the vendor connections and what each role may do.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::{
        dashboard::{dashboard_summary, DashboardCounts},
        me::Me,
        settings::integration_readiness,
    },
    components::common::{
        format::{count, exact, relative, waste_money},
        ErrorLine, Loaded,
    },
};

#[component]
pub fn DashboardPage() -> impl IntoView {
    let me = expect_context::<Me>();
    // Only a user with a role may ask: a server function refused while rendering would make the
    // whole page answer 403.
    let readiness = me.role.is_some().then(|| Resource::new(|| (), |_| integration_readiness()));
    let summary = me.role.is_some().then(|| Resource::new(|| (), |_| dashboard_summary()));
    let first_name = me.name.split_whitespace().next().unwrap_or_default().to_string();
    view! {
        <Title text="Dashboard" />
        <h1 class="text-2xl font-semibold">"Welcome, " {first_name}</h1>
        {match me.role {
            Some(role) => {
                view! { <p class="mt-1 text-slate-600">"You are signed in as " <strong>{role.label()}</strong> "."</p> }
                    .into_any()
            }
            None => {
                view! {
                    <p class="mt-4 rounded-md bg-amber-50 p-4 text-amber-900" role="alert">
                        "Your account has no SeatSync role yet. Ask a SeatSync Admin to assign you one; until then you can see nothing else."
                    </p>
                }
                    .into_any()
            }
        }}
        {summary
            .map(|summary| {
                view! {
                    <Loaded resource=summary class="mt-6" loading="Counting what needs doing…" let:s>
                        <ActionTiles s />
                    </Loaded>
                }
            })}
        <Show when=move || me.role.is_some()>
            <section class="mt-8 grid gap-6 md:grid-cols-2">
                <div class="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
                    <h2 class="text-sm font-semibold uppercase tracking-wide text-slate-500">"Vendor connections"</h2>
                    <Suspense fallback=|| {
                        view! { <p class="mt-2 text-slate-500">"Checking…"</p> }
                    }>
                        {move || Suspend::new(async move {
                            let Some(readiness) = readiness else { return ().into_any() };
                            match readiness.await {
                                Ok(r) => {
                                    view! {
                                        <p class="mt-2 text-3xl font-semibold" data-testid="integrations-ready">
                                            {r.ready}
                                            <span class="text-lg text-slate-500">" / " {r.total}</span>
                                        </p>
                                        <p class="mt-1 text-sm text-slate-600">
                                            {if r.not_ready.is_empty() {
                                                "Every integration is configured.".to_string()
                                            } else {
                                                format!("Not configured yet: {}.", r.not_ready.join(", "))
                                            }}
                                        </p>
                                    }
                                        .into_any()
                                }
                                Err(e) => view! { <ErrorLine message=e.to_string() class="mt-2" /> }.into_any(),
                            }
                        })}
                    </Suspense>
                </div>
                <div class="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
                    <h2 class="text-sm font-semibold uppercase tracking-wide text-slate-500">"Your access"</h2>
                    <ul class="mt-3 space-y-1 text-sm text-slate-700">
                        <li>"Viewers browse every customer, subscription and contract."</li>
                        <li>"Editors also change mappings and act on contracts."</li>
                        <li>"Admins also manage settings, integrations and users."</li>
                    </ul>
                </div>
            </section>
        </Show>
    }
}

/// How a tile reads: something to do, or nothing.
#[derive(Clone, Copy, PartialEq)]
enum Tone {
    ToDo,
    Clear,
}

impl Tone {
    fn of(n: usize) -> Tone {
        if n > 0 {
            Tone::ToDo
        } else {
            Tone::Clear
        }
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{} {many}", count(n as i64))
    }
}

#[component]
fn ActionTiles(s: DashboardCounts) -> impl IntoView {
    let failures = s.licence_sync_failures + s.contract_sync_failures + usize::from(s.contract_sync_error.is_some());
    let failed_detail = {
        let mut parts = Vec::new();
        if s.licence_sync_failures > 0 {
            parts.push(format!("Licence sync: {}.", plural(s.licence_sync_failures, "tenant", "tenants")));
        }
        if s.contract_sync_failures > 0 {
            parts.push(format!("Contract sync: {}.", plural(s.contract_sync_failures, "tenant", "tenants")));
        }
        if let Some(e) = &s.contract_sync_error {
            parts.push(format!("The last contract sync stopped: {e}"));
        }
        if parts.is_empty() {
            "Every tenant's last sync went through.".to_string()
        } else {
            parts.join(" ")
        }
    };
    // The licence failures are listed on the Overview; a contract sync's on the Contracts page.
    let failed_href =
        if s.licence_sync_failures > 0 || failures == 0 { "/overview?sync_failed=on" } else { "/contracts" };
    let waste_detail = if s.wasted_seats == 0 {
        "No seat is unused beyond each customer's spare seats.".to_string()
    } else {
        let mut d = format!(
            "{} beyond the spare seats, at {}.",
            plural(s.wasted_seats as usize, "unused seat", "unused seats"),
            plural(s.tenants_with_waste, "tenant", "tenants")
        );
        if s.wasted_unpriced > 0 {
            d.push_str(&format!(" {} have no known price.", count(s.wasted_unpriced)));
        }
        d
    };
    let differing_detail = if s.contracts_differing == 0 {
        "Every current contract holds what Partner Center bills.".to_string()
    } else {
        format!("at {}: quantities, services to add or to end.", plural(s.tenants_differing, "tenant", "tenants"))
    };
    let windows_detail =
        format!("within {} hours: after that, their seats cannot be reduced until the term renews.", s.window_hours);
    let tenants_detail =
        format!("of {} tenants have no Autotask company, so nothing of theirs is billed.", count(s.tenants as i64));
    let offers_detail = format!("of {} offers have no Autotask service to bill them through.", count(s.offers as i64));
    let synced = s.last_licence_sync;
    view! {
        <section aria-label="What needs doing" class="grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
            <Tile
                label="Monthly waste"
                value=waste_money(s.monthly_waste, s.wasted_unpriced)
                detail=waste_detail
                href="/overview?waste=on"
                link="See the tenants with waste"
                tone=Tone::of(s.wasted_seats as usize)
                testid="tile-waste"
            />
            <Tile
                label="Tenants not mapped"
                value=count(s.tenants_unmapped as i64)
                detail=tenants_detail
                href="/mapping/customers?status=unmapped"
                link="Map tenants"
                tone=Tone::of(s.tenants_unmapped)
                testid="tile-tenants-unmapped"
            />
            <Tile
                label="Offers not mapped"
                value=count(s.offers_unmapped as i64)
                detail=offers_detail
                href="/mapping/services?status=unmapped"
                link="Map offers"
                tone=Tone::of(s.offers_unmapped)
                testid="tile-offers-unmapped"
            />
            <Tile
                label="Failed syncs"
                value=count(failures as i64)
                detail=failed_detail
                href=failed_href
                link="See what failed"
                tone=Tone::of(failures)
                testid="tile-failed-syncs"
            />
            <Tile
                label="Cancellation windows closing"
                value=count(s.windows_closing as i64)
                detail=windows_detail
                href="/subscriptions"
                link="See the subscriptions"
                tone=Tone::of(s.windows_closing)
                testid="tile-windows-closing"
            />
            <Tile
                label="Contracts differing from Partner Center"
                value=count(s.contracts_differing as i64)
                detail=differing_detail
                href="/contracts"
                link="See the contracts"
                tone=Tone::of(s.contracts_differing)
                testid="tile-contracts-differing"
            />
        </section>
        <p class="mt-2 text-xs text-slate-500">
            {match synced {
                Some(t) => {
                    view! {
                        "Counted from what SeatSync holds; licences last synced "
                        <span title=exact(t)>{relative(t)}</span>
                        "."
                    }
                        .into_any()
                }
                None => "Counted from what SeatSync holds; the licences have not been synced yet.".into_any(),
            }}
        </p>
    }
}

#[component]
fn Tile(
    label: &'static str,
    value: String,
    detail: String,
    /// The list the tile counts.
    href: &'static str,
    /// The link's words.
    link: &'static str,
    tone: Tone,
    testid: &'static str,
) -> impl IntoView {
    let (border, number) = match tone {
        Tone::ToDo => ("border-amber-200", "text-amber-900"),
        Tone::Clear => ("border-slate-200", "text-slate-700"),
    };
    view! {
        <a
            href=href
            data-testid=testid
            class=format!(
                "group block rounded-xl border {border} bg-white p-5 shadow-sm hover:border-indigo-300 hover:shadow focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500",
            )
        >
            <span class="block text-xs font-semibold uppercase tracking-wide text-slate-500">{label}</span>
            <span class=format!("mt-1 block text-3xl font-semibold tabular-nums {number}") data-testid="tile-value">
                {value}
            </span>
            <span class="mt-1 block text-sm text-slate-600">{detail}</span>
            <span class="mt-3 block text-sm font-medium text-indigo-700 group-hover:underline">{link} " →"</span>
        </a>
    }
}
