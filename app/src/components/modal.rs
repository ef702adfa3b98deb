//! A modal dialog: a labelled `role="dialog"` over a dimmed page. Escape or the backdrop closes
//! it; focus moves into it when it opens.

use leptos::{html, prelude::*};

#[component]
pub fn Modal(
    /// The heading, also the dialog's accessible name.
    #[prop(into)]
    title: String,
    on_close: Callback<()>,
    children: Children,
) -> impl IntoView {
    let panel = NodeRef::<html::Div>::new();
    let heading = title.clone();
    // Focus the first field (or the panel) so the keyboard works at once.
    Effect::new(move |_| {
        if let Some(el) = panel.get() {
            let first = el
                .query_selector("input:not([disabled]), select:not([disabled]), button:not([disabled])")
                .ok()
                .flatten();
            match first.and_then(wasm_focusable) {
                Some(f) => {
                    let _ = f.focus();
                }
                None => {
                    let _ = el.focus();
                }
            }
        }
    });
    view! {
        <div
            class="fixed inset-0 z-40 flex items-start justify-center overflow-y-auto bg-slate-900/40 p-4 pt-16"
            on:click=move |_| on_close.run(())
        >
            <div
                node_ref=panel
                role="dialog"
                aria-modal="true"
                aria-label=title.clone()
                tabindex="-1"
                class="w-full max-w-xl rounded-xl bg-white p-6 shadow-xl outline-none"
                on:click=|ev| ev.stop_propagation()
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        ev.prevent_default();
                        on_close.run(());
                    }
                }
            >
                <div class="flex items-start justify-between gap-4">
                    <h2 class="text-lg font-semibold">{heading}</h2>
                    <button
                        type="button"
                        class="rounded px-2 text-xl leading-none text-slate-400 hover:text-slate-700"
                        aria-label="Close"
                        on:click=move |_| on_close.run(())
                    >
                        "×"
                    </button>
                </div>
                <div class="mt-4">{children()}</div>
            </div>
        </div>
    }
}

#[cfg(feature = "hydrate")]
fn wasm_focusable(el: leptos::web_sys::Element) -> Option<leptos::web_sys::HtmlElement> {
    use leptos::wasm_bindgen::JsCast;
    el.dyn_into::<leptos::web_sys::HtmlElement>().ok()
}

#[cfg(not(feature = "hydrate"))]
fn wasm_focusable(_el: leptos::web_sys::Element) -> Option<leptos::web_sys::HtmlElement> {
    None
}

/// A success or error line under a form; `role` makes screen readers announce it.
#[component]
pub fn Feedback(message: Signal<Option<Result<String, String>>>) -> impl IntoView {
    move || {
        message.get().map(|m| match m {
            Ok(text) => view! {
                <p class="mt-3 rounded-md bg-emerald-50 p-3 text-sm text-emerald-800" role="status">
                    {text}
                </p>
            }
            .into_any(),
            Err(text) => view! {
                <p class="mt-3 rounded-md bg-red-50 p-3 text-sm text-red-800" role="alert">
                    {text}
                </p>
            }
            .into_any(),
        })
    }
}
