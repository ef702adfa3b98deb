//! Billing: the billing count report, every tool's seats and devices per PSA company in one
//! table (sticky heading and first column, filtered by company), how each tool fared, what
//! changed since the report before (changed cells highlighted, the old value on hover), its CSV
//! and the changes' CSV, and every earlier report. Editors start a run.

use leptos::prelude::*;
use leptos_meta::Title;
use seatsync_domain::{
    kinds::{BillingTool, JobKind},
    Role,
};

use crate::{
    api::{
        billing::{
            load_billing, BillingCell, BillingChangesCsv, BillingCsv, BillingReportView, BillingView, ReportSent,
            ToolLine, TotalsPoint,
        },
        jobs::RunJob,
        me::Me,
    },
    components::{
        billing_settings::BillingSettings,
        common::{
            button,
            download::save_file,
            format::{count, exact, relative},
            mutation::{on_answer, send},
            polling::use_polling_while,
            ErrorLine, Loaded, WhyDisabled,
        },
        modal::Feedback,
    },
};

#[component]
pub fn BillingPage() -> impl IntoView {
    let me = expect_context::<Me>();
    let running = RwSignal::new(false);
    let progress = RwSignal::new(None::<String>);
    let tick = use_polling_while(std::time::Duration::from_secs(2), running.into());
    let shown = RwSignal::new(None::<i64>);
    let data = Resource::new(move || (tick.get(), shown.get()), |(_, id)| load_billing(id));
    Effect::new(move |_| {
        if let Some(Ok(v)) = data.get() {
            running.set(v.running);
            progress.set(v.progress);
        }
    });
    let feedback = RwSignal::new(None::<Result<String, String>>);
    let run = ServerAction::<RunJob>::new();
    on_answer(run, move |answer| match answer {
        Ok(_) => {
            feedback.set(Some(Ok("Run started; the report below is replaced when it ends.".into())));
            shown.set(None);
            running.set(true);
        }
        Err(e) => feedback.set(Some(Err(e.to_string()))),
    });
    let may_run = me.may(Role::Editor);
    view! {
        <Title text="Billing" />
        <div class="flex flex-wrap items-start justify-between gap-4">
            <div>
                <h1 class="text-2xl font-semibold">"Billing count report"</h1>
                <p class="mt-1 max-w-3xl text-sm text-slate-600">
                    "Every tool's seats and devices per PSA company, in one table to bill from. A number is what the tool counted (0 when it counted nothing for a customer it knows); a blank means no data: the customer is not the tool's, or the tool failed or is not set up, as the list of tools says."
                </p>
                <p class="mt-1 text-sm text-slate-700">
                    "Which PSA company each tool's customer is: "
                    {BillingTool::ALL
                        .into_iter()
                        .enumerate()
                        .map(|(i, tool)| {
                            view! {
                                {(i > 0).then_some(" · ")}
                                <a class="text-indigo-700 underline" href=format!("/billing/tools/{}", tool.as_str())>
                                    {format!("{} {}", tool.name(), tool.customers_word())}
                                </a>
                            }
                        })
                        .collect_view()}
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
                                        kind: JobKind::BillingReport,
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
        <p class="mt-2 text-sm text-indigo-800" role="status" data-testid="billing-progress">
            {move || progress.get().map(|words| format!("Report running: {words}."))}
        </p>
        <BillingSettings admin=me.may(Role::Admin) />
        <Loaded resource=data class="mt-6" let:view>
            <BillingBody view shown />
        </Loaded>
    }
}

#[component]
fn BillingBody(view: BillingView, shown: RwSignal<Option<i64>>) -> impl IntoView {
    let BillingView { report, reports, running, configured, history, .. } = view;
    let Some(report) = report else {
        let words = if configured {
            "No report yet: Run now makes the first one, and the schedule the next ones."
        } else {
            "Autotask is not set up: its companies are the report's rows. An Admin sets it up under Settings."
        };
        return view! {
            <p class="text-sm text-slate-700" data-testid="no-report">
                {words}
            </p>
        }
        .into_any();
    };
    let current = report.id;
    view! {
        <p class="mt-4 text-sm text-slate-700" data-testid="report-line" title=exact(report.made_at)>
            {format!(
                "Report made {}: {} companies, {} columns.",
                relative(report.made_at),
                count(report.rows.len() as i64),
                report.columns.len(),
            )}
            {running.then_some(" A run is going now.")}
        </p>
        {(reports.len() > 1)
            .then(|| {
                view! {
                    <label class="mt-2 flex items-center gap-2 text-sm">
                        <span>"Show the report of"</span>
                        <select
                            class="rounded-md border border-slate-300 px-2 py-1"
                            on:change=move |ev| shown.set(event_target_value(&ev).parse().ok())
                        >
                            {reports
                                .iter()
                                .map(|r| {
                                    let label = r.made_at.format("%Y-%m-%d %H:%M UTC").to_string();
                                    view! {
                                        <option value=r.id.to_string() selected=r.id == current>
                                            {label}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </label>
                }
            })}
        <Tools tools=report.tools.clone() />
        <Sent sent=report.sent.clone() />
        <Downloads id=current has_changes=report.changes.is_some() />
        <ChangesLine report=report.clone() />
        <ColumnChart columns=report.columns.clone() history />
        <ReportTable report />
    }
    .into_any()
}

/// One column's total at each report, the column chosen from the report's.
#[component]
fn ColumnChart(columns: Vec<String>, history: Vec<TotalsPoint>) -> impl IntoView {
    let chosen = RwSignal::new(columns.first().cloned().unwrap_or_default());
    let history = StoredValue::new(history);
    let drawing = move || {
        let column = chosen.get();
        let points: Vec<(chrono::DateTime<chrono::Utc>, i64)> =
            history.with_value(|h| h.iter().filter_map(|p| p.totals.get(&column).map(|t| (p.at, *t))).collect());
        if points.len() < 2 {
            return view! {
                <p class="mt-2 text-sm text-slate-500" data-testid="billing-chart-note">
                    "The chart is drawn once two reports have this column; until then there is nothing to compare."
                </p>
            }
            .into_any();
        }
        let (first, last) = (points[0].0, points[points.len() - 1].0);
        let span = (last - first).num_seconds().max(1) as f64;
        let most = points.iter().map(|p| p.1).max().unwrap_or(1).max(1) as f64;
        let line: Vec<String> = points
            .iter()
            .map(|(at, total)| {
                let x = CHART_PAD + (*at - first).num_seconds() as f64 / span * (CHART_W - 2.0 * CHART_PAD);
                let y = CHART_H - CHART_PAD - *total as f64 / most * (CHART_H - 2.0 * CHART_PAD);
                format!("{x:.1},{y:.1}")
            })
            .collect();
        let label = format!(
            "{column} from {} to {}: from {} to {}",
            first.format("%Y-%m-%d"),
            last.format("%Y-%m-%d"),
            count(points[0].1),
            count(points[points.len() - 1].1),
        );
        view! {
            <figure class="mt-2" data-testid="billing-chart">
                <svg viewBox=format!("0 0 {CHART_W} {CHART_H}") class="h-32 w-full" role="img" aria-label=label.clone()>
                    <polyline class="stroke-indigo-500" fill="none" stroke-width="2" points=line.join(" ")></polyline>
                </svg>
                <figcaption class="mt-1 text-xs text-slate-600">{label}</figcaption>
            </figure>
        }
        .into_any()
    };
    view! {
        <section class="mt-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="billing-chart">
            <h2 id="billing-chart" class="font-semibold">
                "Over time"
            </h2>
            <label class="mt-2 flex items-center gap-2 text-sm">
                <span>"Total of"</span>
                <select
                    class="max-w-md rounded-md border border-slate-300 px-2 py-1"
                    prop:value=move || chosen.get()
                    on:change=move |ev| chosen.set(event_target_value(&ev))
                >
                    {columns.iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                </select>
            </label>
            {drawing}
        </section>
    }
}

const CHART_W: f64 = 600.0;
const CHART_H: f64 = 120.0;
const CHART_PAD: f64 = 6.0;

#[component]
fn Tools(tools: Vec<ToolLine>) -> impl IntoView {
    view! {
        <section class="mt-4" aria-labelledby="billing-tools">
            <h2 id="billing-tools" class="text-lg font-semibold">
                "Tools"
            </h2>
            <ul class="mt-2 grid gap-1 text-sm">
                {tools
                    .into_iter()
                    .map(|t| {
                        let class = if t.ok { "text-emerald-800" } else { "text-red-700" };
                        let unplaced = t.unplaced.len();
                        view! {
                            <li data-testid="billing-tool">
                                <span class="font-medium">{t.tool.clone()}</span>
                                ": "
                                <span class=class data-testid="billing-tool-status">
                                    {t.status.clone()}
                                </span>
                                {t
                                    .ok
                                    .then(|| {
                                        format!(
                                            ", {} companies in {}{}",
                                            t.companies,
                                            took(t.milliseconds),
                                            t.requests.map(|n| format!(" ({n} requests)")).unwrap_or_default(),
                                        )
                                    })}
                                {t.note.clone().map(|n| format!(" ({n})"))}
                                {t
                                    .customers_page
                                    .map(|tool| {
                                        view! {
                                            " · "
                                            <a
                                                class="text-indigo-700 underline"
                                                href=format!("/billing/tools/{}", tool.as_str())
                                            >
                                                {format!("{}'s {}", tool.name(), tool.customers_word())}
                                            </a>
                                        }
                                    })}
                                {(unplaced > 0)
                                    .then(|| {
                                        view! {
                                            <details class="text-slate-600">
                                                <summary>
                                                    {format!(
                                                        "{unplaced} of its customers are mapped to no PSA company, so not in the table",
                                                    )}
                                                </summary>
                                                <p class="text-xs">{t.unplaced.join(", ")}</p>
                                            </details>
                                        }
                                    })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

/// How the report was sent, where it was.
#[component]
fn Sent(sent: Vec<ReportSent>) -> impl IntoView {
    (!sent.is_empty()).then(|| {
        view! {
            <ul class="mt-2 grid gap-1 text-sm" data-testid="billing-sent">
                {sent
                    .into_iter()
                    .map(|s| {
                        let class = if s.ok { "text-emerald-800" } else { "text-red-700" };
                        view! {
                            <li>
                                <span class="font-medium">{s.what}</span>
                                ": "
                                <span class=class>{s.said}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
    })
}

/// The report's CSV, and the changes' CSV where there is a report before it.
#[component]
fn Downloads(id: i64, has_changes: bool) -> impl IntoView {
    let report = ServerAction::<BillingCsv>::new();
    let changes = ServerAction::<BillingChangesCsv>::new();
    let save = |answer: Result<crate::api::billing::CsvFile, crate::error::AppError>| {
        if let Ok(file) = answer {
            save_file(&file.file_name, "text/csv;charset=utf-8", &file.text);
        }
    };
    on_answer(report, save);
    on_answer(changes, save);
    let failed = move || {
        report
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| changes.value().get().and_then(Result::err))
            .map(|e| view! { <ErrorLine message=e.to_string() class="mt-1 text-sm" /> })
    };
    view! {
        <div class="mt-4 flex flex-wrap gap-3">
            <button
                class=button::OUTLINE
                disabled=move || report.pending().get()
                on:click=move |_| send(report, BillingCsv { report_id: Some(id) })
            >
                "Download CSV"
            </button>
            {has_changes
                .then(|| {
                    view! {
                        <button
                            class=button::OUTLINE
                            disabled=move || changes.pending().get()
                            on:click=move |_| send(
                                changes,
                                BillingChangesCsv {
                                    report_id: Some(id),
                                },
                            )
                        >
                            "Download the changes"
                        </button>
                    }
                })}
        </div>
        {failed}
    }
}

#[component]
fn ChangesLine(report: BillingReportView) -> impl IntoView {
    let Some(c) = report.changes else {
        return view! { <p class="mt-3 text-sm text-slate-600">"The first report: nothing to compare with yet."</p> }
            .into_any();
    };
    let mut parts = vec![format!("{} cells changed", c.cells)];
    let named = |what: &str, list: &[String]| (!list.is_empty()).then(|| format!("{what}: {}", list.join(", ")));
    parts.extend(named("customers added", &c.companies_added));
    parts.extend(named("customers gone", &c.companies_removed));
    parts.extend(named("columns added", &c.columns_added));
    parts.extend(named("columns gone", &c.columns_removed));
    view! {
        <p class="mt-3 text-sm text-slate-700" data-testid="billing-changes" title=exact(c.previous_at)>
            {format!("Since the report of {}: {}.", c.previous_at.format("%Y-%m-%d"), parts.join("; "))}
        </p>
    }
    .into_any()
}

#[component]
fn ReportTable(report: BillingReportView) -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let columns = report.columns.clone();
    let rows = StoredValue::new(report.rows);
    let shown = move || {
        let wanted = filter.get().trim().to_lowercase();
        rows.with_value(|rows| {
            rows.iter()
                .filter(|r| wanted.is_empty() || r.company.to_lowercase().contains(&wanted))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <label class="mt-4 block text-sm">
            <span class="sr-only">"Filter companies"</span>
            <input
                type="search"
                class="w-72 rounded-md border border-slate-300 px-2 py-1"
                placeholder="Filter companies…"
                prop:value=move || filter.get()
                on:input=move |ev| filter.set(event_target_value(&ev))
            />
        </label>
        // Scrolled by keyboard too: the region takes focus (arrow keys then scroll it).
        <div
            class="mt-2 max-h-[70vh] overflow-auto rounded-lg border border-slate-200 bg-white focus:outline focus:outline-2 focus:outline-indigo-500"
            tabindex="0"
            role="region"
            aria-label="The report, scrollable"
        >
            <table class="min-w-full text-left text-sm" data-testid="billing-table">
                <thead class="sticky top-0 z-10 bg-slate-50 text-slate-600">
                    <tr>
                        <th class="sticky left-0 z-20 bg-slate-50 px-3 py-2 align-bottom font-medium">"Company"</th>
                        {columns
                            .into_iter()
                            .map(|c| {
                                view! { <th class="min-w-36 px-3 py-2 text-right align-bottom font-medium">{c}</th> }
                            })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>
                    <For each=shown key=|r| r.company.clone() let:row>
                        <tr class="border-t border-slate-100" data-testid="billing-row">
                            <th class="sticky left-0 whitespace-nowrap bg-white px-3 py-1.5 font-normal" scope="row">
                                {row.company.clone()}
                            </th>
                            {row.cells.into_iter().map(|cell| view! { <CellView cell /> }).collect_view()}
                        </tr>
                    </For>
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn CellView(cell: BillingCell) -> impl IntoView {
    let text = cell.value.map(|v| v.to_string()).unwrap_or_default();
    if cell.changed {
        let was = cell.before.map(|v| v.to_string()).unwrap_or_else(|| "blank".into());
        view! {
            <td class="bg-amber-100 px-3 py-1.5 text-right" title=format!("was {was}") data-testid="changed-cell">
                {text}
            </td>
        }
        .into_any()
    } else {
        view! { <td class="px-3 py-1.5 text-right">{text}</td> }.into_any()
    }
}

/// How long a tool took, in words.
fn took(milliseconds: u64) -> String {
    if milliseconds < 1000 {
        format!("{milliseconds} ms")
    } else {
        format!("{:.1} s", milliseconds as f64 / 1000.0)
    }
}
