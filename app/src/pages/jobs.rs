//! Jobs: every background job with its schedule in words, the run going now with its progress,
//! the last runs and a chart of how long runs took. Editors run the syncs now; Admins pause a
//! schedule.

use leptos::prelude::*;
use leptos_meta::Title;
use seatsync_domain::{
    kinds::{DeliveryChannel, DeliveryStatus, JobKind, JobStatus, JobTrigger},
    Role,
};

use crate::{
    api::{
        jobs::{list_jobs, DeliveryInfo, JobInfo, JobsView, PauseJob, RunDuration, RunInfo, RunJob, SendAgain},
        me::Me,
    },
    components::{
        common::{
            button,
            format::{exact, relative, time_left},
            mutation::{on_answer, send},
            polling::use_polling_while,
            Loaded, WhyDisabled,
        },
        modal::Feedback,
        progress::ProgressBar,
    },
};

#[component]
pub fn JobsPage() -> impl IntoView {
    let me = expect_context::<Me>();
    let may_run = me.may(Role::Editor);
    let may_pause = me.may(Role::Admin);
    // Polled every two seconds while a run is queued or going, and every 30 seconds otherwise
    // (so a scheduled run shows up), only while the tab is visible.
    let active = RwSignal::new(false);
    let tick = use_polling_while(std::time::Duration::from_secs(2), active.into());
    let idle_tick = use_polling_while(std::time::Duration::from_secs(30), Signal::derive(move || !active.get()));
    let changed = RwSignal::new(0u32);
    let view_data = Resource::new(move || (tick.get(), idle_tick.get(), changed.get()), |_| list_jobs());
    Effect::new(move |_| {
        if let Some(Ok(v)) = view_data.get() {
            active.set(v.jobs.iter().any(|j| j.active.is_some()));
        }
    });
    let feedback = RwSignal::new(None::<Result<String, String>>);
    let run = ServerAction::<RunJob>::new();
    on_answer(run, move |answer| match answer {
        Ok(_) => {
            feedback.set(Some(Ok("Run started; its progress shows below.".into())));
            changed.update(|c| *c += 1);
        }
        Err(e) => feedback.set(Some(Err(e.to_string()))),
    });
    let pause = ServerAction::<PauseJob>::new();
    on_answer(pause, move |answer| match answer {
        Ok(()) => changed.update(|c| *c += 1),
        Err(e) => feedback.set(Some(Err(e.to_string()))),
    });
    let send_again = ServerAction::<SendAgain>::new();
    on_answer(send_again, move |answer| {
        match answer {
            Ok(done) if done.ok => feedback.set(Some(Ok(done.message))),
            Ok(done) => feedback.set(Some(Err(done.message))),
            Err(e) => feedback.set(Some(Err(e.to_string()))),
        }
        changed.update(|c| *c += 1);
    });
    let actions = JobActions { may_run, may_pause, run, pause, send_again };
    view! {
        <Title text="Jobs" />
        <h1 class="text-2xl font-semibold">"Jobs"</h1>
        <p class="mt-1 text-sm text-slate-600">
            "SeatSync's background work. Each job runs once per scheduled time across every SeatSync server, one run at a time; a run whose server stops is taken over by another."
        </p>
        <Feedback message=feedback.into() />
        <Loaded resource=view_data class="mt-6" let:data>
            <JobList data actions />
        </Loaded>
    }
}

/// What the signed-in person may do, and the actions that do it.
#[derive(Clone, Copy)]
struct JobActions {
    may_run: bool,
    may_pause: bool,
    run: ServerAction<RunJob>,
    pause: ServerAction<PauseJob>,
    /// Sends an e-mail that may not have arrived once more (Editors).
    send_again: ServerAction<SendAgain>,
}

#[component]
fn JobList(data: JobsView, actions: JobActions) -> impl IntoView {
    let JobsView { jobs, durations, instance, deliveries } = data;
    view! {
        <div class="mt-6 grid gap-4">
            {jobs.into_iter().map(|job| view! { <JobCard job actions /> }).collect_view()}
        </div>
        <section class="mt-8 rounded-xl border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="durations">
            <h2 id="durations" class="font-semibold">
                "How long runs took"
            </h2>
            <p class="mt-1 text-sm text-slate-600">"Finished runs of the last 30 days, in seconds."</p>
            <DurationChart durations />
        </section>
        <Deliveries deliveries actions />
        <p class="mt-4 text-xs text-slate-500">"This page was served by " {instance} "."</p>
    }
}

#[component]
fn JobCard(job: JobInfo, actions: JobActions) -> impl IntoView {
    let JobInfo {
        kind,
        title,
        purpose,
        configured,
        schedule,
        cron,
        next_run,
        paused,
        paused_by,
        paused_at,
        runs_by_hand,
        active,
        recent,
    } = job;
    let heading = format!("job-{}", kind.as_str());
    let labelled_by = heading.clone();
    let busy = active.is_some();
    let why_not = if !configured {
        Some("Its vendor is not configured; an Admin can see what is missing under Settings.".to_string())
    } else if busy {
        Some("A run is queued or going; it must end first.".to_string())
    } else {
        None
    };
    let run_action = actions.run;
    let pause_action = actions.pause;
    let schedule_line = match (configured, schedule) {
        (false, _) => "Not scheduled: its vendor is not configured.".to_string(),
        (true, Some(words)) if paused => format!(
            "{words}: paused{}{}.",
            paused_by.map(|p| format!(" by {p}")).unwrap_or_default(),
            paused_at.map(|t| format!(" {}", relative(t))).unwrap_or_default()
        ),
        (true, Some(words)) => {
            format!("{words}; next run {}.", next_run.map(time_left).unwrap_or_else(|| "not planned".into()))
        }
        (true, None) => "Runs only when started by hand.".to_string(),
    };
    view! {
        <section
            class="rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
            aria-labelledby=labelled_by
            data-testid=format!("job-{}", kind.as_str())
        >
            <div class="flex flex-wrap items-start justify-between gap-3">
                <div>
                    <h2 id=heading class="font-semibold">
                        {title}
                    </h2>
                    <p class="mt-1 text-sm text-slate-600">{purpose}</p>
                    <p class="mt-1 text-sm" data-testid="schedule" title=cron.unwrap_or_default()>
                        {schedule_line}
                    </p>
                </div>
                <div class="flex flex-wrap gap-2">
                    {(actions.may_run && runs_by_hand)
                        .then(|| {
                            view! {
                                <div>
                                    <button
                                        class=button::PRIMARY
                                        disabled=move || !configured || busy || run_action.pending().get()
                                        on:click=move |_| send(run_action, RunJob { kind })
                                    >
                                        "Run now"
                                    </button>
                                    <WhyDisabled reason=Signal::derive({
                                        let why_not = why_not.clone();
                                        move || why_not.clone()
                                    }) />
                                </div>
                            }
                        })}
                    {(actions.may_pause && configured)
                        .then(|| {
                            view! {
                                <button
                                    class=button::SECONDARY
                                    disabled=move || pause_action.pending().get()
                                    on:click=move |_| send(pause_action, PauseJob { kind, paused: !paused })
                                >
                                    {if paused { "Resume schedule" } else { "Pause schedule" }}
                                </button>
                            }
                        })}
                </div>
            </div>
            {active.map(|run| view! { <ActiveRun run /> })}
            <RecentRuns kind runs=recent />
        </section>
    }
}

#[component]
fn ActiveRun(run: RunInfo) -> impl IntoView {
    let what = match run.status {
        JobStatus::Queued => "Queued".to_string(),
        _ => format!(
            "Running since {}{}",
            run.started_at.map(relative).unwrap_or_default(),
            run.instance.as_deref().map(|i| format!(" on {i}")).unwrap_or_default()
        ),
    };
    let progress = match (run.done, run.total) {
        (Some(done), Some(total)) if total > 0 => Some((done, total)),
        _ => None,
    };
    let taken_over = (run.attempts > 1).then(|| {
        format!("Taken over after its server stopped (attempt {}); it goes on where it stopped.", run.attempts)
    });
    view! {
        <div class="mt-3 rounded-lg bg-indigo-50 p-3 text-sm" data-testid="active-run" aria-live="polite">
            <p class="font-medium">
                {what} {progress.map(|(done, total)| format!(": {done} of {total} {}", run.done_words))}
            </p>
            {run.note.clone().map(|note| view! { <p class="mt-1 text-slate-600">{format!("Now {note}.")}</p> })}
            {progress.map(|(done, total)| view! { <ProgressBar percent=done * 100 / total label="Run progress" /> })}
            {taken_over.map(|t| view! { <p class="mt-1 text-slate-600">{t}</p> })}
        </div>
    }
}

fn trigger_words(trigger: JobTrigger) -> &'static str {
    match trigger {
        JobTrigger::Schedule => "Schedule",
        JobTrigger::CatchUp => "Schedule (missed while stopped)",
        JobTrigger::Manual => "By hand",
        JobTrigger::Start => "First start",
    }
}

fn status_words(status: JobStatus) -> (&'static str, &'static str) {
    match status {
        JobStatus::Queued => ("Queued", "text-slate-600"),
        JobStatus::Running => ("Running", "text-indigo-700"),
        JobStatus::Succeeded => ("Succeeded", "text-emerald-700"),
        JobStatus::Partial => ("Partly failed", "text-amber-700"),
        JobStatus::Failed => ("Failed", "text-red-700"),
        JobStatus::Skipped => ("Skipped", "text-slate-600"),
    }
}

fn duration_words(run: &RunInfo) -> String {
    match (run.started_at, run.finished_at) {
        (Some(start), Some(end)) => {
            let secs = (end - start).num_milliseconds() as f64 / 1000.0;
            if secs < 60.0 {
                format!("{secs:.1} s")
            } else {
                format!("{} min {} s", secs as i64 / 60, secs as i64 % 60)
            }
        }
        (Some(_), None) => "going".into(),
        _ => "—".into(),
    }
}

#[component]
fn RecentRuns(kind: JobKind, runs: Vec<RunInfo>) -> impl IntoView {
    if runs.is_empty() {
        return view! { <p class="mt-3 text-sm text-slate-500">"No run yet."</p> }.into_any();
    }
    let caption = format!("Last runs of the {}", kind.title().to_lowercase());
    view! {
        <div class="mt-3 overflow-x-auto">
            <table class="w-full text-left text-sm" data-testid="runs">
                <caption class="sr-only">{caption}</caption>
                <thead class="text-xs uppercase text-slate-500">
                    <tr>
                        <th scope="col" class="py-1 pr-3">
                            "Trigger"
                        </th>
                        <th scope="col" class="py-1 pr-3">
                            "Who"
                        </th>
                        <th scope="col" class="py-1 pr-3">
                            "Started"
                        </th>
                        <th scope="col" class="py-1 pr-3">
                            "Duration"
                        </th>
                        <th scope="col" class="py-1 pr-3">
                            "Outcome"
                        </th>
                        <th scope="col" class="py-1 pr-3">
                            "Tenants"
                        </th>
                        <th scope="col" class="py-1">
                            "Error"
                        </th>
                    </tr>
                </thead>
                <tbody>
                    {runs
                        .into_iter()
                        .map(|run| {
                            let (status, colour) = status_words(run.status);
                            let started = run.started_at.unwrap_or(run.queued_at);
                            let counts = match (run.done, run.failed, run.total) {
                                (Some(done), Some(failed), Some(total)) if failed > 0 => {
                                    format!("{done} of {total}, {failed} failed")
                                }
                                (Some(done), _, Some(total)) => format!("{done} of {total}"),
                                _ => "—".into(),
                            };
                            let who = run.requested_by.clone().unwrap_or_else(|| "SeatSync".into());
                            let what = format!(
                                "{}{}{}",
                                trigger_words(run.trigger),
                                if run.dry_run { ", dry run" } else { "" },
                                run.scope_tenant_id.as_ref().map(|t| format!(", tenant {t}")).unwrap_or_default(),
                            );
                            view! {
                                <tr class="border-t border-slate-100 align-top">
                                    <td class="py-1 pr-3">{what}</td>
                                    <td class="py-1 pr-3">{who}</td>
                                    <td class="py-1 pr-3" title=exact(started)>
                                        {relative(started)}
                                    </td>
                                    <td class="py-1 pr-3">{duration_words(&run)}</td>
                                    <td class=format!("py-1 pr-3 font-medium {colour}")>{status}</td>
                                    <td class="py-1 pr-3">{counts}</td>
                                    <td class="py-1 text-slate-700">{run.error.clone().unwrap_or_default()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The tickets and e-mails SeatSync sent: what, to where, and what came of it.
#[component]
fn Deliveries(deliveries: Vec<DeliveryInfo>, actions: JobActions) -> impl IntoView {
    view! {
        <section class="mt-8 rounded-xl border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="deliveries">
            <h2 id="deliveries" class="font-semibold">
                "Tickets and e-mails"
            </h2>
            <p class="mt-1 text-sm text-slate-600">
                "Each is recorded before it is sent and sent once: one whose answer was lost is never sent again by itself. An e-mail that may have been sent can be sent again by an Editor who checked with the recipient."
            </p>
            {if deliveries.is_empty() {
                view! { <p class="mt-3 text-sm text-slate-500">"Nothing sent yet."</p> }.into_any()
            } else {
                view! {
                    <div class="mt-3 overflow-x-auto">
                        <table class="w-full text-left text-sm" data-testid="deliveries">
                            <thead class="text-xs uppercase text-slate-500">
                                <tr>
                                    <th scope="col" class="py-1 pr-3">
                                        "What"
                                    </th>
                                    <th scope="col" class="py-1 pr-3">
                                        "To"
                                    </th>
                                    <th scope="col" class="py-1 pr-3">
                                        "When"
                                    </th>
                                    <th scope="col" class="py-1 pr-3">
                                        "Result"
                                    </th>
                                    <th scope="col" class="py-1">
                                        "Answer"
                                    </th>
                                </tr>
                            </thead>
                            <tbody>
                                {deliveries
                                    .into_iter()
                                    .map(|d| {
                                        let (result, colour) = match d.status {
                                            DeliveryStatus::Delivered => ("Sent", "text-emerald-700"),
                                            DeliveryStatus::Pending => ("Sending", "text-slate-700"),
                                            DeliveryStatus::Uncertain => ("May have been sent", "text-amber-700"),
                                            DeliveryStatus::Failed => ("Not sent", "text-red-700"),
                                        };
                                        let channel = match d.channel {
                                            DeliveryChannel::Email => "E-mail",
                                            DeliveryChannel::Autotask
                                            | DeliveryChannel::ConnectWise
                                            | DeliveryChannel::Halo => "Ticket",
                                        };
                                        let files = match d.attachments {
                                            0 => String::new(),
                                            1 => ", 1 file".into(),
                                            n => format!(", {n} files"),
                                        };
                                        let by = d.requested_by.clone().map(|b| format!(" by {b}")).unwrap_or_default();
                                        let answer = d.error.clone().or(d.answer.clone()).unwrap_or_default();
                                        let again = (actions.may_run && d.status == DeliveryStatus::Uncertain
                                            && d.channel == DeliveryChannel::Email)
                                            .then(|| {
                                                let id = d.id;
                                                let label = format!("Send again: {}", d.title);
                                                // An e-mail that may not have arrived: a person who checked
                                                // with the recipient may send it once more.
                                                view! {
                                                    <button
                                                        class=format!("{} mt-1 block", button::SMALL)
                                                        aria-label=label
                                                        title="Ask the recipient first: if the first one arrived, they get the same message twice (as one conversation, under the same message id)."
                                                        disabled=move || actions.send_again.pending().get()
                                                        on:click=move |_| send(actions.send_again, SendAgain { id })
                                                    >
                                                        "Send again"
                                                    </button>
                                                }
                                            });
                                        view! {
                                            <tr class="border-t border-slate-100 align-top">
                                                <td class="py-1 pr-3">
                                                    <span class="font-medium">{d.title.clone()}</span>
                                                    <span class="block text-xs text-slate-500">
                                                        {format!("{channel}: {}{files}{by}", d.purpose)}
                                                    </span>
                                                </td>
                                                <td class="py-1 pr-3">{d.recipient.clone()}</td>
                                                <td class="py-1 pr-3" title=exact(d.created_at)>
                                                    {relative(d.created_at)}
                                                </td>
                                                <td class=format!(
                                                    "py-1 pr-3 font-medium {colour}",
                                                )>{result} {again}</td>
                                                <td class="py-1 text-slate-700">{answer}</td>
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

const CHART_W: f64 = 640.0;
const CHART_H: f64 = 160.0;
const CHART_PAD: f64 = 24.0;

/// One line per job: each finished run's duration at its start time.
#[component]
fn DurationChart(durations: Vec<RunDuration>) -> impl IntoView {
    if durations.len() < 2 {
        return view! {
            <p class="mt-3 text-sm text-slate-500">
                "The chart is drawn once two runs have finished; until then there is nothing to compare."
            </p>
        }
        .into_any();
    }
    let first = durations.iter().map(|d| d.started_at).min().expect("two or more runs");
    let last = durations.iter().map(|d| d.started_at).max().expect("two or more runs");
    let span = (last - first).num_seconds().max(1) as f64;
    let longest = durations.iter().map(|d| d.seconds).fold(1.0f64, f64::max);
    let x = move |d: &RunDuration| {
        CHART_PAD + (d.started_at - first).num_seconds() as f64 / span * (CHART_W - 2.0 * CHART_PAD)
    };
    let y = move |d: &RunDuration| CHART_H - CHART_PAD - d.seconds / longest * (CHART_H - 2.0 * CHART_PAD);
    let colours = [
        "stroke-indigo-500",
        "stroke-emerald-500",
        "stroke-amber-500",
        "stroke-slate-500",
        "stroke-rose-500",
        "stroke-sky-500",
    ];
    let lines = JobKind::ALL
        .into_iter()
        .zip(colours)
        .filter_map(|(kind, colour)| {
            let points: Vec<&RunDuration> = durations.iter().filter(|d| d.kind == kind).collect();
            (!points.is_empty()).then(|| {
                let path = points.iter().map(|d| format!("{:.1},{:.1}", x(d), y(d))).collect::<Vec<_>>().join(" ");
                let dots = points
                    .iter()
                    .map(|d| {
                        view! {
                            <circle
                                class=format!("{colour} fill-white")
                                cx=format!("{:.1}", x(d))
                                cy=format!("{:.1}", y(d))
                                r="2.5"
                            >
                                <title>
                                    {format!("{}: {:.1} s, {}", kind.title(), d.seconds, exact(d.started_at))}
                                </title>
                            </circle>
                        }
                    })
                    .collect_view();
                (kind, colour, path, dots)
            })
        })
        .collect::<Vec<_>>();
    let legend = lines
        .iter()
        .map(|(kind, colour, _, _)| {
            view! {
                <li class="flex items-center gap-1">
                    <svg class="h-2 w-4" viewBox="0 0 16 2" aria-hidden="true">
                        <line class=*colour x1="0" y1="1" x2="16" y2="1" stroke-width="2"></line>
                    </svg>
                    {kind.title()}
                </li>
            }
        })
        .collect_view();
    let label = format!("Run durations from {} to {}; the longest took {longest:.1} s", exact(first), exact(last));
    view! {
        <svg class="mt-3 w-full" viewBox=format!("0 0 {CHART_W} {CHART_H}") role="img" aria-label=label>
            <line
                class="stroke-slate-200"
                x1=CHART_PAD
                y1=CHART_H - CHART_PAD
                x2=CHART_W - CHART_PAD
                y2=CHART_H - CHART_PAD
            ></line>
            <text class="fill-slate-500 text-[10px]" x="2" y=CHART_PAD>
                {format!("{longest:.0} s")}
            </text>
            {lines
                .into_iter()
                .map(|(_, colour, path, dots)| {
                    view! {
                        <polyline class=format!("{colour} fill-none") stroke-width="1.5" points=path></polyline>
                        {dots}
                    }
                })
                .collect_view()}
        </svg>
        <ul class="mt-2 flex flex-wrap gap-4 text-xs text-slate-600">{legend}</ul>
    }
    .into_any()
}
