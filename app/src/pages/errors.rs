//! The 403 and 404 pages.

use leptos::prelude::*;
use leptos_meta::Title;
use seatsync_domain::Role;

#[cfg(feature = "ssr")]
fn set_status(code: u16) {
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = http::StatusCode::from_u16(code) {
            opts.set_status(status);
        }
    }
}

#[component]
pub fn Forbidden(needed: Role) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_status(403);
    let me = use_context::<crate::api::me::Me>();
    let have = me.and_then(|m| m.role).map(|r| r.label()).unwrap_or("no SeatSync role");
    view! {
        <Title text="Not allowed" />
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

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_status(404);
    view! {
        <Title text="Not found" />
        <section class="mx-auto max-w-xl rounded-xl border border-slate-200 bg-white p-8">
            <p class="text-sm font-semibold text-slate-500">"404 · Not found"</p>
            <h1 class="mt-2 text-2xl font-semibold">"There is no page here"</h1>
            <p class="mt-3 text-slate-700">"The address may be mistyped, or the page has moved."</p>
            <a href="/" class="mt-6 inline-block text-indigo-700 underline">
                "Back to the dashboard"
            </a>
        </section>
    }
}
