//! A progress bar for long work (syncs), drawn in SVG: its width is an attribute, not an inline
//! style, so the pages' Content-Security-Policy needs no `'unsafe-inline'` for styles.

use leptos::prelude::*;

#[component]
pub fn ProgressBar(
    /// Done, from 0 to 100.
    percent: i32,
    /// What is progressing, for screen readers.
    label: &'static str,
) -> impl IntoView {
    let percent = percent.clamp(0, 100);
    view! {
        <svg
            class="mt-2 h-2 w-full overflow-hidden rounded"
            role="progressbar"
            aria-label=label
            aria-valuemin="0"
            aria-valuemax="100"
            aria-valuenow=percent
            preserveAspectRatio="none"
            viewBox="0 0 100 1"
        >
            <rect class="fill-slate-100" width="100" height="1"></rect>
            <rect class="fill-indigo-500" width=percent height="1"></rect>
        </svg>
    }
}
