//! Alerts: the seats each tenant could give back, worst first, with when the reduction can take
//! effect and where it is made (Pax8 or Partner Center); the seats reducible only at a later
//! renewal; what the rule left out and why; and the totals over time. Editors start a run.

use leptos::prelude::*;
use leptos_meta::Title;
use seatsync_domain::{
    kinds::{FindingChannel, FindingTiming, JobKind, TicketPsa},
    Role,
};

use crate::{
    api::{
        alerts::{
            load_alerts, AlertPoint, AlertRunLine, AlertsView, Exclude, FindingRow, IgnoreSku, MakeLink, PassedOverRow,
            SaveAlertEmail, SaveAlertSettings, SetAllowance, TenantAlerts, UnignoreSku,
        },
        jobs::RunJob,
        me::Me,
    },
    components::{
        alert_allowances::AlertAllowances,
        alert_lists::{AlertLists, ListActions},
        alert_settings::{AlertEmailForm, AlertSettingsForm},
        alert_tickets::{AlertTicketList, RunEmailsLine, RunTicketsLine},
        changes::ChangeList,
        common::{
            button,
            format::{count, exact, money, relative},
            mutation::{on_answer, send},
            polling::use_polling_while,
            Loaded, WhyDisabled,
        },
        modal::Feedback,
    },
};

#[component]
pub fn AlertsPage() -> impl IntoView {
    let me = expect_context::<Me>();
    let may_run = me.may(Role::Editor);
    let running = RwSignal::new(false);
    let tick = use_polling_while(std::time::Duration::from_secs(2), running.into());
    let changed = RwSignal::new(0u32);
    let data = Resource::new(move || (tick.get(), changed.get()), |_| load_alerts());
    Effect::new(move |_| {
        if let Some(Ok(v)) = data.get() {
            running.set(v.running);
        }
    });
    let feedback = RwSignal::new(None::<Result<String, String>>);
    // "Reduce…" makes a link and opens its confirmation page, the one a ticket's link leads to.
    let reduce = ServerAction::<MakeLink>::new();
    let navigate = leptos_router::hooks::use_navigate();
    on_answer(reduce, move |answer| match answer {
        Ok(token) => navigate(&format!("/alerts/reduce/{token}"), Default::default()),
        Err(e) => feedback.set(Some(Err(e.to_string()))),
    });
    let reduce = may_run.then_some(reduce);
    let lists = ListActions {
        ignore: ServerAction::<IgnoreSku>::new(),
        unignore: ServerAction::<UnignoreSku>::new(),
        exclude: ServerAction::<Exclude>::new(),
    };
    let saved = move |answer: Result<(), crate::error::AppError>| match answer {
        Ok(()) => {
            feedback.set(Some(Ok("Saved. It applies from the next run: Run now to see it.".into())));
            changed.update(|c| *c += 1);
        }
        Err(e) => feedback.set(Some(Err(e.to_string()))),
    };
    on_answer(lists.ignore, saved);
    on_answer(lists.unignore, saved);
    on_answer(lists.exclude, saved);
    let lists = may_run.then_some(lists);
    let allowance = ServerAction::<SetAllowance>::new();
    on_answer(allowance, saved);
    let allowance = may_run.then_some(allowance);
    let settings = ServerAction::<SaveAlertSettings>::new();
    on_answer(settings, saved);
    let settings = me.may(Role::Admin).then_some(settings);
    let email = ServerAction::<SaveAlertEmail>::new();
    on_answer(email, saved);
    let email = me.may(Role::Admin).then_some(email);
    let run = ServerAction::<RunJob>::new();
    on_answer(run, move |answer| match answer {
        Ok(_) => {
            feedback.set(Some(Ok("Run started; the findings below are replaced when it ends.".into())));
            changed.update(|c| *c += 1);
        }
        Err(e) => feedback.set(Some(Err(e.to_string()))),
    });
    view! {
        <Title text="Alerts" />
        <div class="flex flex-wrap items-start justify-between gap-4">
            <div>
                <h1 class="text-2xl font-semibold">"Unused-licence alerts"</h1>
                <p class="mt-1 max-w-3xl text-sm text-slate-600">
                    "Seats bought and not assigned, beyond each customer's spare allowance, that can be given back: now while a subscription's cancellation window is open (or any time on a legacy one), otherwise at its renewal. Free, trial, device and ignored licences are left out, and so is anything SeatSync has no place to change."
                </p>
            </div>
            {may_run
                .then(|| {
                    view! {
                        <div>
                            <button
                                class=button::PRIMARY
                                disabled=move || running.get() || run.pending().get()
                                on:click=move |_| send(
                                    run,
                                    RunJob {
                                        kind: JobKind::LicenceAlerts,
                                    },
                                )
                            >
                                "Run now"
                            </button>
                            <WhyDisabled reason=Signal::derive(move || {
                                running.get().then(|| "A run is going; the page follows it.".to_string())
                            }) />
                        </div>
                    }
                })}
        </div>
        <Feedback message=feedback.into() />
        <Loaded resource=data class="mt-6" let:data>
            <AlertsBody data reduce lists settings allowance email />
        </Loaded>
    }
}

#[component]
fn AlertsBody(
    data: AlertsView,
    reduce: Option<ServerAction<MakeLink>>,
    lists: Option<ListActions>,
    settings: Option<ServerAction<SaveAlertSettings>>,
    allowance: Option<ServerAction<SetAllowance>>,
    email: Option<ServerAction<SaveAlertEmail>>,
) -> impl IntoView {
    let AlertsView {
        last_run,
        pax8_configured,
        tenants,
        at_renewal,
        passed_over,
        history,
        total_reducible,
        total_monthly_saving,
        pending_companies,
        running,
        changes,
        ignored_skus,
        exclusions,
        tickets,
        renewal_notice_days,
        allowances,
        ticket_psa,
        ticket_waiting,
        email_mode,
        email_to,
    } = data;
    let empty = tenants.is_empty();
    view! {
        <RunLine last_run running ticket_psa />
        {(!pax8_configured)
            .then(|| {
                view! {
                    <p class="mt-2 text-sm text-amber-800" data-testid="pax8-missing">
                        "Pax8 is not set up: subscriptions are changed in Partner Center only. An Admin sets Pax8 up under Settings."
                    </p>
                }
            })}
        {(pending_companies > 0)
            .then(|| {
                view! {
                    <p class="mt-2 text-sm text-amber-800" data-testid="pending-companies">
                        {format!(
                            "{pending_companies} Pax8 {} suggested for a tenant and not confirmed yet: until then, their subscriptions are not alerted. ",
                            if pending_companies == 1 { "company is" } else { "companies are" },
                        )}
                        <a class="text-indigo-700 underline" href="/alerts/pax8-companies">
                            "Review the Pax8 companies"
                        </a>
                    </p>
                }
            })}
        <div class="mt-4 grid gap-4 sm:grid-cols-2">
            <div class="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
                <p class="text-sm text-slate-600">"Seats to give back now or at a near renewal"</p>
                <p class="mt-1 text-2xl font-semibold" data-testid="total-reducible">
                    {count(total_reducible)}
                </p>
            </div>
            <div class="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
                <p class="text-sm text-slate-600">"Saving a month"</p>
                <p class="mt-1 text-2xl font-semibold" data-testid="total-saving">
                    {money(total_monthly_saving)}
                </p>
            </div>
        </div>
        <section class="mt-6" aria-labelledby="alerted-tenants">
            <h2 id="alerted-tenants" class="text-lg font-semibold">
                "Customers with seats to give back"
            </h2>
            {if empty {
                view! {
                    <p class="mt-2 text-sm text-slate-600" data-testid="no-alerts">
                        "No customer has seats to give back now or at a near renewal."
                    </p>
                }
                    .into_any()
            } else {
                view! {
                    <div class="mt-2 grid gap-3">
                        {tenants
                            .into_iter()
                            .map(|tenant| view! { <TenantCard tenant reduce exclude=lists.map(|l| l.exclude) /> })
                            .collect_view()}
                    </div>
                }
                    .into_any()
            }}
        </section>
        <AtRenewal rows=at_renewal />
        <section class="mt-8" aria-labelledby="changes-made">
            <h2 id="changes-made" class="text-lg font-semibold">
                "Changes made"
            </h2>
            <p class="mt-1 text-sm text-slate-600">"Quantities lowered through reduction links, newest first."</p>
            {if changes.is_empty() {
                view! { <p class="mt-2 text-sm text-slate-600">"None yet."</p> }.into_any()
            } else {
                let customers = changes.iter().map(|c| c.tenant_name.clone()).collect::<Vec<_>>();
                let lines = changes.into_iter().map(|c| c.change).collect::<Vec<_>>();
                view! { <ChangeList lines customers /> }.into_any()
            }}
        </section>
        <AlertTicketList tickets psa=ticket_psa />
        <PassedOver rows=passed_over />
        <AlertLists ignored=ignored_skus exclusions actions=lists />
        <AlertAllowances rows=allowances set=allowance />
        <AlertSettingsForm renewal_notice_days ticket_waiting save=settings />
        <AlertEmailForm mode=email_mode to=email_to save=email />
        <section class="mt-8 rounded-xl border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="alert-history">
            <h2 id="alert-history" class="font-semibold">
                "Over time"
            </h2>
            <p class="mt-1 text-sm text-slate-600">"Seats to give back and their monthly saving at each run."</p>
            <HistoryChart points=history />
        </section>
    }
}

#[component]
fn RunLine(last_run: Option<AlertRunLine>, running: bool, ticket_psa: TicketPsa) -> impl IntoView {
    let line = match &last_run {
        None => "No run yet: the first one starts on the schedule, or now by hand.".to_string(),
        Some(r) => format!(
            "Last run {}: {} customers weighed, {} with seats to give back.",
            relative(r.finished_at),
            r.tenants,
            r.alerted
        ),
    };
    let title = last_run.as_ref().map(|r| exact(r.finished_at)).unwrap_or_default();
    let pax8_error = last_run.as_ref().and_then(|r| r.pax8_error.clone()).map(|e| {
        let read = last_run
            .as_ref()
            .and_then(|r| r.pax8_read_at)
            .map(|t| format!("its last good read, {}, was used", relative(t)))
            .unwrap_or_else(|| "no earlier read exists, so nothing bought through Pax8 was alerted".into());
        format!("Pax8 could not be read ({e}); {read}.")
    });
    let error = last_run.as_ref().and_then(|r| r.error.clone());
    let tickets = last_run.as_ref().and_then(|r| r.tickets.clone());
    let emails = last_run.as_ref().and_then(|r| r.emails.clone());
    view! {
        <p class="mt-4 text-sm text-slate-700" title=title data-testid="alert-run">
            {line}
            {running.then_some(" A run is going now.")}
        </p>
        {pax8_error
            .map(|e| {
                view! {
                    <p class="mt-1 text-sm text-amber-800" data-testid="pax8-error">
                        {e}
                    </p>
                }
            })}
        {error.map(|e| view! { <p class="mt-1 text-sm text-red-700">{format!("The run failed: {e}")}</p> })}
        {tickets.map(|tickets| view! { <RunTicketsLine tickets psa=ticket_psa /> })}
        {emails.map(|emails| view! { <RunEmailsLine emails /> })}
    }
}

fn when(row: &FindingRow) -> String {
    let day = |d: Option<chrono::DateTime<chrono::Utc>>| d.map(|d| d.format("%Y-%m-%d").to_string());
    match (row.timing, day(row.timing_date)) {
        (FindingTiming::Now, Some(until)) => format!("now (window open until {until})"),
        (FindingTiming::Now, None) => "now".into(),
        (FindingTiming::AtRenewal, Some(on)) => format!("at renewal on {on}"),
        (FindingTiming::AtRenewal, None) => "at renewal".into(),
    }
}

fn channel(c: FindingChannel) -> &'static str {
    match c {
        FindingChannel::Pax8 => "Pax8",
        FindingChannel::PartnerCenter => "Partner Center",
    }
}

#[component]
fn TenantCard(
    tenant: TenantAlerts,
    reduce: Option<ServerAction<MakeLink>>,
    exclude: Option<ServerAction<Exclude>>,
) -> impl IntoView {
    let TenantAlerts { tenant_id, name, reducible, monthly_saving, saving_incomplete, findings } = tenant;
    let heading = format!("alert-{tenant_id}");
    let labelled_by = heading.clone();
    let saving = match (saving_incomplete, monthly_saving > 0.0) {
        (true, false) => "no price known".to_string(),
        (true, true) => format!("at least {} a month", money(monthly_saving)),
        (false, _) => format!("{} a month", money(monthly_saving)),
    };
    view! {
        <article
            class="rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
            aria-labelledby=labelled_by
            data-testid="alert-tenant"
        >
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <h3 id=heading class="font-semibold">
                    {name}
                </h3>
                <p class="text-sm text-slate-700">
                    <span data-testid="tenant-reducible">{format!("{} seats", count(reducible))}</span>
                    " · "
                    <span>{saving}</span>
                </p>
            </div>
            <FindingTable rows=findings show_tenant=false reduce exclude />
            {reduce
                .zip(exclude)
                .map(|(action, exclude)| {
                    let tenant = tenant_id.clone();
                    let left_out = tenant_id.clone();
                    view! {
                        <div class="mt-3 flex gap-2">
                            <button
                                class=button::SECONDARY
                                disabled=move || action.pending().get()
                                on:click=move |_| send(
                                    action,
                                    MakeLink {
                                        tenant: tenant.clone(),
                                        subscription: None,
                                    },
                                )
                            >
                                "Reduce all…"
                            </button>
                            <button
                                class=button::OUTLINE
                                disabled=move || exclude.pending().get()
                                on:click=move |_| {
                                    send(
                                        exclude,
                                        Exclude {
                                            tenant: left_out.clone(),
                                            sku: None,
                                            excluded: true,
                                            note: None,
                                        },
                                    )
                                }
                            >
                                "Leave customer out"
                            </button>
                        </div>
                    }
                })}
        </article>
    }
}

#[component]
fn FindingTable(
    rows: Vec<FindingRow>,
    show_tenant: bool,
    reduce: Option<ServerAction<MakeLink>>,
    #[prop(default = None)] exclude: Option<ServerAction<Exclude>>,
) -> impl IntoView {
    view! {
        <div class="mt-3 overflow-x-auto">
            <table class="min-w-full text-sm">
                <thead class="text-left text-slate-500">
                    <tr>
                        {show_tenant.then(|| view! { <th class="py-1 pr-3 font-medium">"Customer"</th> })}
                        <th class="py-1 pr-3 font-medium">"Product"</th> <th class="py-1 pr-3 font-medium">"Term"</th>
                        <th class="py-1 pr-3 text-right font-medium">"Bought"</th>
                        <th
                            class="py-1 pr-3 text-right font-medium"
                            title="Users holding the licence, across all its subscriptions"
                        >
                            "Assigned"
                        </th> <th class="py-1 pr-3 text-right font-medium">"Spare"</th>
                        <th class="py-1 pr-3 text-right font-medium">"Give back"</th>
                        <th class="py-1 pr-3 font-medium">"When"</th>
                        <th class="py-1 pr-3 font-medium">"Changed in"</th>
                        <th class="py-1 text-right font-medium">"Saving a month"</th>
                        {reduce.map(|_| view! { <th class="py-1 pl-3 font-medium">"Act"</th> })}
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {rows
                        .into_iter()
                        .map(|row| {
                            let when = when(&row);
                            view! {
                                <tr data-testid="finding">
                                    {show_tenant
                                        .then(|| view! { <td class="py-1 pr-3">{row.tenant_name.clone()}</td> })}
                                    <td class="py-1 pr-3">{row.product.clone()}</td>
                                    <td class="py-1 pr-3">{row.term.clone()}</td>
                                    <td class="py-1 pr-3 text-right">
                                        {count(row.purchased)}
                                        {(row.sku_purchased != row.purchased)
                                            .then(|| {
                                                view! {
                                                    <span class="block text-xs text-slate-500">
                                                        {format!("of {} in all", count(row.sku_purchased))}
                                                    </span>
                                                }
                                            })}
                                        {row
                                            .scheduled
                                            .map(|next| {
                                                view! {
                                                    <span
                                                        class="block text-xs text-slate-500"
                                                        data-testid="finding-scheduled"
                                                    >
                                                        {format!("{} scheduled for renewal", count(next))}
                                                    </span>
                                                }
                                            })}
                                    </td> <td class="py-1 pr-3 text-right">{count(row.assigned)}</td>
                                    <td class="py-1 pr-3 text-right">{count(row.allowance)}</td>
                                    <td class="py-1 pr-3 text-right font-medium" data-testid="finding-reducible">
                                        {format!("{} (to {})", count(row.reducible), count(row.target))}
                                    </td> <td class="py-1 pr-3">{when}</td>
                                    <td class="py-1 pr-3">{channel(row.channel)}</td>
                                    <td class="py-1 text-right">
                                        {row.monthly_saving.map(money).unwrap_or_else(|| "no price".into())}
                                    </td>
                                    {reduce
                                        .map(|action| {
                                            let tenant = row.tenant_id.clone();
                                            let subscription = row.subscription_id.clone();
                                            let product = format!(" {}", row.product);
                                            let leave_out = exclude
                                                .map(|exclude| {
                                                    let tenant = row.tenant_id.clone();
                                                    let sku = row.sku_id.clone();
                                                    let product = format!(" {} for this customer", row.product);
                                                    // The product is read out after the visible words, which the name must start with.
                                                    view! {
                                                        <button
                                                            class=button::SMALL
                                                            on:click=move |_| {
                                                                send(
                                                                    exclude,
                                                                    Exclude {
                                                                        tenant: tenant.clone(),
                                                                        sku: Some(sku.clone()),
                                                                        excluded: true,
                                                                        note: None,
                                                                    },
                                                                )
                                                            }
                                                        >
                                                            "Leave out"
                                                            <span class="sr-only">{product}</span>
                                                        </button>
                                                    }
                                                });
                                            view! {
                                                <td class="py-1 pl-3 whitespace-nowrap space-x-2">
                                                    <button
                                                        class=button::IN_ROW
                                                        disabled=move || action.pending().get()
                                                        on:click=move |_| {
                                                            send(
                                                                action,
                                                                MakeLink {
                                                                    tenant: tenant.clone(),
                                                                    subscription: Some(subscription.clone()),
                                                                },
                                                            )
                                                        }
                                                    >
                                                        {format!("Reduce to {}…", count(row.target))}
                                                        <span class="sr-only">{product}</span>
                                                    </button>
                                                    {leave_out}
                                                </td>
                                            }
                                        })}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn AtRenewal(rows: Vec<FindingRow>) -> impl IntoView {
    let empty = rows.is_empty();
    view! {
        <section class="mt-8" aria-labelledby="at-renewal">
            <h2 id="at-renewal" class="text-lg font-semibold">
                "Reducible at renewal"
            </h2>
            <p class="mt-1 text-sm text-slate-600">
                "Annual and 3-year subscriptions whose window is closed and whose renewal is further off than the notice period: they are alerted when it nears."
            </p>
            {if empty {
                view! { <p class="mt-2 text-sm text-slate-600">"None."</p> }.into_any()
            } else {
                view! { <FindingTable rows show_tenant=true reduce=None /> }.into_any()
            }}
        </section>
    }
}

#[component]
fn PassedOver(rows: Vec<PassedOverRow>) -> impl IntoView {
    let empty = rows.is_empty();
    view! {
        <section class="mt-8" aria-labelledby="passed-over">
            <h2 id="passed-over" class="text-lg font-semibold">
                "Unused seats left out"
            </h2>
            <p class="mt-1 text-sm text-slate-600">"Seats nobody uses that are not alerted, and why."</p>
            {if empty {
                view! { <p class="mt-2 text-sm text-slate-600">"None."</p> }.into_any()
            } else {
                view! {
                    <div class="mt-2 overflow-x-auto">
                        <table class="min-w-full text-sm">
                            <thead class="text-left text-slate-500">
                                <tr>
                                    <th class="py-1 pr-3 font-medium">"Customer"</th>
                                    <th class="py-1 pr-3 font-medium">"Licence"</th>
                                    <th class="py-1 pr-3 text-right font-medium">"Unused"</th>
                                    <th class="py-1 font-medium">"Why it is left out"</th>
                                </tr>
                            </thead>
                            <tbody class="divide-y divide-slate-100">
                                {rows
                                    .into_iter()
                                    .map(|row| {
                                        view! {
                                            <tr data-testid="passed-over">
                                                <td class="py-1 pr-3">{row.tenant_name}</td>
                                                <td class="py-1 pr-3">{row.product}</td>
                                                <td class="py-1 pr-3 text-right">
                                                    {row.unused.map(count).unwrap_or_else(|| "unknown".into())}
                                                </td>
                                                <td class="py-1">{row.reason}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                    .into_any()
            }}
        </section>
    }
}

const W: f64 = 640.0;
const H: f64 = 140.0;
const PAD: f64 = 8.0;

/// Seats (indigo) and money (emerald) on one time axis, each scaled to its own largest value.
#[component]
fn HistoryChart(points: Vec<AlertPoint>) -> impl IntoView {
    if points.len() < 2 {
        return view! {
            <p class="mt-3 text-sm text-slate-500" data-testid="history-note">
                "The chart is drawn once two runs have finished; until then there is nothing to compare."
            </p>
        }
        .into_any();
    }
    let first = points[0].at;
    let last = points[points.len() - 1].at;
    let span = (last - first).num_seconds().max(1) as f64;
    let x = move |p: &AlertPoint| PAD + (p.at - first).num_seconds() as f64 / span * (W - 2.0 * PAD);
    let most_seats = points.iter().map(|p| p.reducible).max().unwrap_or(1).max(1) as f64;
    let most_money = points.iter().map(|p| p.monthly_saving).fold(1.0f64, f64::max);
    let line = |value: &dyn Fn(&AlertPoint) -> f64, most: f64| {
        points
            .iter()
            .map(|p| format!("{:.1},{:.1}", x(p), H - PAD - value(p) / most * (H - 2.0 * PAD)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let seats = line(&|p| p.reducible as f64, most_seats);
    let saving = line(&|p| p.monthly_saving, most_money);
    let latest = points[points.len() - 1];
    let label = format!(
        "From {} to {}: now {} seats and {} a month",
        exact(first),
        exact(last),
        count(latest.reducible),
        money(latest.monthly_saving)
    );
    view! {
        <figure class="mt-3" data-testid="alert-chart">
            <svg viewBox=format!("0 0 {W} {H}") class="h-36 w-full" role="img" aria-label=label>
                <polyline class="stroke-indigo-500" fill="none" stroke-width="2" points=seats></polyline>
                <polyline class="stroke-emerald-500" fill="none" stroke-width="2" points=saving></polyline>
            </svg>
            <figcaption class="mt-1 flex gap-4 text-xs text-slate-600">
                <span class="text-indigo-700">{format!("Seats (largest {})", count(most_seats as i64))}</span>
                <span class="text-emerald-700">{format!("Saving a month (largest {})", money(most_money))}</span>
            </figcaption>
        </figure>
    }
    .into_any()
}
