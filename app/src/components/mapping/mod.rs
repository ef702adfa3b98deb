//! The mapping pages' modals and their parts.

pub mod history;
pub mod offer_modal;
pub mod tenant_modal;

/// Copies text to the clipboard (in the browser; nothing on the server).
pub fn copy_to_clipboard(text: String) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        if let Some(window) = leptos::web_sys::window() {
            let promise = window.navigator().clipboard().write_text(&text);
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}

/// A modal's action button: the primary action filled, the others outlined; all are disabled
/// while a save is under way so one click saves once.
#[leptos::component]
pub fn ActionButton(
    #[prop(optional)] primary: bool,
    busy: leptos::prelude::RwSignal<bool>,
    #[prop(into)] on_click: leptos::prelude::Callback<()>,
    children: leptos::prelude::Children,
) -> impl leptos::IntoView {
    use leptos::prelude::*;
    let look = if primary { "bg-indigo-600 text-white hover:bg-indigo-500" } else { "border border-slate-300 hover:bg-slate-50" };
    view! {
        <button class=format!("rounded-md px-3 py-1.5 text-sm font-medium disabled:opacity-50 {look}") disabled=busy on:click=move |_| on_click.run(())>
            {children()}
        </button>
    }
}
