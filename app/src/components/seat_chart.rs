//! A small line chart of purchased against assigned seats over time.

use leptos::prelude::*;

use crate::api::licences::{SeatPoint, SeatSeries};

const W: f64 = 320.0;
const H: f64 = 110.0;
const PAD: f64 = 6.0;

fn polyline(points: &[(f64, i64)], max: i64) -> String {
    points
        .iter()
        .map(|(x, v)| {
            format!(
                "{:.1},{:.1}",
                PAD + x * (W - 2.0 * PAD),
                H - PAD - (*v as f64 / max.max(1) as f64) * (H - 2.0 * PAD)
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a chart with too little history says instead of a line: one point draws nothing a
/// reader can compare, so it says when the history began and that the line follows.
fn history_note(points: &[SeatPoint]) -> Option<String> {
    match points {
        [] => Some("No history yet: the first sync starts it.".into()),
        [only] => Some(format!(
            "History starts {}: the line is drawn from the next sync on.",
            only.at.format("%Y-%m-%d %H:%M UTC")
        )),
        _ => None,
    }
}

#[component]
pub fn SeatChart(series: SeatSeries) -> impl IntoView {
    let note = history_note(&series.points);
    let first = series.points.first().map(|p| p.at);
    let last = series.points.last().map(|p| p.at);
    let span = match (first, last) {
        (Some(a), Some(b)) if b > a => (b - a).num_seconds() as f64,
        _ => 1.0,
    };
    let x = |t: chrono::DateTime<chrono::Utc>| first.map(|f| (t - f).num_seconds() as f64 / span).unwrap_or(0.0);
    let max = series.points.iter().map(|p| p.purchased.max(p.assigned)).max().unwrap_or(1);
    let purchased: Vec<(f64, i64)> = series.points.iter().map(|p| (x(p.at), p.purchased)).collect();
    let assigned: Vec<(f64, i64)> = series.points.iter().map(|p| (x(p.at), p.assigned)).collect();
    let latest = series.points.last().copied();
    let label = format!("Purchased and assigned seats of {} over time", series.product);
    view! {
        <figure class="rounded-xl border border-slate-200 bg-white p-3 shadow-sm">
            <figcaption class="flex justify-between text-sm">
                <span class="font-medium">{series.product.clone()}</span>
                {latest
                    .map(|l| {
                        view! {
                            <span class="text-slate-500">{format!("{} of {} assigned", l.assigned, l.purchased)}</span>
                        }
                    })}
            </figcaption>
            {match note {
                Some(note) => {
                    view! {
                        <p class="mt-2 text-sm text-slate-500" data-testid="chart-history-note">
                            {note}
                        </p>
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <svg viewBox=format!("0 0 {W} {H}") class="mt-2 w-full" role="img" aria-label=label>
                            <line x1=PAD y1=H - PAD x2=W - PAD y2=H - PAD stroke="#e2e8f0" />
                            <polyline points=polyline(&purchased, max) fill="none" stroke="#4f46e5" stroke-width="2" />
                            <polyline
                                points=polyline(&assigned, max)
                                fill="none"
                                stroke="#059669"
                                stroke-width="2"
                                stroke-dasharray="4 3"
                            />
                        </svg>
                        <p class="mt-1 flex justify-between text-xs text-slate-500">
                            <span>{first.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default()}</span>
                            <span>
                                <span class="text-indigo-600">"— purchased"</span>
                                " · "
                                <span class="text-emerald-700">"- - assigned"</span>
                            </span>
                            <span>{last.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default()}</span>
                        </p>
                    }
                        .into_any()
                }
            }}
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_little_history_says_when_it_starts() {
        let at = "2026-12-01T09:30:00Z".parse().unwrap();
        let point = SeatPoint { at, purchased: 10, assigned: 8 };
        assert_eq!(history_note(&[]).unwrap(), "No history yet: the first sync starts it.");
        assert_eq!(
            history_note(&[point]).unwrap(),
            "History starts 2026-12-01 09:30 UTC: the line is drawn from the next sync on."
        );
        assert_eq!(history_note(&[point, point]), None);
    }
}
