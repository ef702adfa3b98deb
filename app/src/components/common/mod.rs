//! The small kit every page builds on: button looks, formatting, the error line, loaded data,
//! changes, the polling hook and the 403 page. Pages import these, never each other.

pub mod button;
pub mod download;
pub mod format;
pub mod mutation;
pub mod polling;
pub mod url_param;

use leptos::prelude::*;
use seatsync_domain::Role;
use serde::{de::DeserializeOwned, Serialize};

use crate::error::AppError;

/// A titled card across the page: a heading (which names the region), a line on what it shows,
/// its content, and a hint under it.
#[component]
pub fn Panel(
    /// The heading's id, which labels the region.
    id: &'static str,
    title: &'static str,
    lead: &'static str,
    hint: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <section class="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby=id>
            <h2 id=id class="font-semibold">
                {title}
            </h2>
            <p class="mt-1 text-sm text-slate-600">{lead}</p>
            {children()}
            <p class="mt-3 text-sm text-slate-500">{hint}</p>
        </section>
    }
}

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

/// Why an action cannot be taken now, in visible text under its button: a tooltip reaches
/// neither touch screens nor people who never hover, so a disabled button must say why itself.
#[component]
pub fn WhyDisabled(
    /// The reason, or `None` while the action is possible.
    #[prop(into)]
    reason: Signal<Option<String>>,
) -> impl IntoView {
    move || {
        reason.get().map(|r| {
            view! {
                <p class="mt-1 text-xs text-slate-500" data-testid="why-disabled">
                    {r}
                </p>
            }
        })
    }
}

/// A loaded resource drawn by its children (`let:value` names it): a quiet "Loading…" until
/// the first answer, the last answer kept on screen while it reloads (a `Transition`), and the
/// error in its place when loading failed. The one way pages show data they fetch.
#[component]
pub fn Loaded<T, V, F>(
    resource: Resource<Result<T, AppError>>,
    /// Draws the value.
    children: F,
    /// What is shown before the first answer.
    #[prop(default = "Loading…")]
    loading: &'static str,
    /// Spacing for the loading and error lines, where the page needs it.
    #[prop(optional)]
    class: &'static str,
) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    V: IntoView + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
{
    view! {
        <Transition fallback=move || {
            view! { <p class=format!("text-slate-500 {class}")>{loading}</p> }
        }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(value) => children(value).into_any(),
                        Err(e) => view! { <ErrorLine message=e.to_string() class /> }.into_any(),
                    }
                })
            }}
        </Transition>
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
