//! The small kit every page builds on: formatting, the error line, the polling hook and the
//! 403 page. Pages import these, never each other.

pub mod format;
pub mod polling;

use leptos::prelude::*;
use seatsync_domain::Role;

/// An error where the user acted or where data was to be, announced to screen readers.
#[component]
pub fn ErrorLine(
    /// What went wrong, in words.
    #[prop(into)]
    message: String,
    /// Extra classes: spacing, and a size where the text around it is not the page's.
    #[prop(optional)]
    class: &'static str,
) -> impl IntoView {
    view! {
        <p class=format!("text-red-700 {class}") role="alert">
            {message}
        </p>
    }
}

/// Sets the HTTP status of the page being rendered (on the server; nothing in the browser).
#[cfg(feature = "ssr")]
pub fn set_status(code: u16) {
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = http::StatusCode::from_u16(code) {
            opts.set_status(status);
        }
    }
}

/// The 403 page: what the page needs, the role the user has, and whom to ask.
#[component]
pub fn Forbidden(needed: Role) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_status(403);
    let me = use_context::<crate::api::me::Me>();
    let have = me.and_then(|m| m.role).map(|r| r.label()).unwrap_or("no SeatSync role");
    view! {
        <leptos_meta::Title text="Not allowed" />
        <section class="mx-auto max-w-xl rounded-xl border border-amber-200 bg-amber-50 p-8" role="alert">
            <p class="text-sm font-semibold text-amber-700">"403 · Not allowed"</p>
            <h1 class="mt-2 text-2xl font-semibold">"This page needs the " {needed.label()} " role"</h1>
            <p class="mt-3 text-slate-700">
                "You are signed in with " <strong>{have}</strong>
                ". If you need access, ask a SeatSync Admin to change your role on the Users page."
            </p>
            <a href="/" class="mt-6 inline-block text-indigo-700 underline">
                "Back to the dashboard"
            </a>
        </section>
    }
}
