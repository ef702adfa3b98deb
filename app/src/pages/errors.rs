//! The 404 page (the 403 page is the role gate's, in `components::common`).

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::components::common::set_status(404);
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
