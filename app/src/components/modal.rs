//! A modal dialog: a labelled `role="dialog"` over a dimmed page. Escape or the backdrop closes
//! it. When it opens, focus moves to its first field; Tab and Shift+Tab stay inside it; when it
//! closes, focus goes back to what had it before (the button that opened it), so a keyboard
//! user carries on where they were.

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
    // The element that had focus when the dialog opened: it gets it back on close.
    let opener = focus::Opener::remember();
    Effect::new(move |_| {
        if let Some(el) = panel.get() {
            focus::settle(el);
        }
    });
    on_cleanup(move || opener.restore());
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
                    } else if ev.key() == "Tab" {
                        if let Some(el) = panel.get_untracked() {
                            if focus::wrap_tab(&el, ev.shift_key()) {
                                ev.prevent_default();
                            }
                        }
                    }
                }
            >
                <div class="flex items-start justify-between gap-4">
                    <h2 class="text-lg font-semibold">{heading}</h2>
                    <button
                        type="button"
                        class="rounded px-2 text-xl leading-none text-slate-500 hover:text-slate-700"
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

/// Focus inside the dialog, in the browser; nothing on the server.
mod focus {
    #[cfg(feature = "hydrate")]
    use leptos::prelude::*;
    #[cfg(feature = "hydrate")]
    use leptos::wasm_bindgen::JsCast;
    use leptos::web_sys;

    /// What can take focus inside the dialog, in the order Tab visits it.
    #[cfg(feature = "hydrate")]
    const FOCUSABLE: &str = "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), \
        textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";
    /// The fields a person came to the dialog for: they get focus first, before its buttons.
    #[cfg(feature = "hydrate")]
    const FIELDS: &str = "input:not([disabled]), select:not([disabled]), textarea:not([disabled])";

    /// The element that had focus before the dialog opened (kept in the browser only).
    #[derive(Clone, Copy)]
    pub(super) struct Opener(#[cfg(feature = "hydrate")] StoredValue<Option<web_sys::HtmlElement>, LocalStorage>);

    impl Opener {
        pub(super) fn remember() -> Opener {
            #[cfg(feature = "hydrate")]
            {
                let active = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.active_element())
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
                Opener(StoredValue::new_local(active))
            }
            #[cfg(not(feature = "hydrate"))]
            Opener()
        }

        /// Gives focus back, unless the opener has left the page (its row was drawn again).
        pub(super) fn restore(self) {
            #[cfg(feature = "hydrate")]
            if let Some(Some(el)) = self.0.try_get_value() {
                if el.is_connected() {
                    let _ = el.focus();
                }
            }
        }
    }

    #[cfg(feature = "hydrate")]
    fn all(panel: &web_sys::Element, selector: &str) -> Vec<web_sys::HtmlElement> {
        let Ok(list) = panel.query_selector_all(selector) else { return Vec::new() };
        (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
            // Hidden elements (display: none) have no layout box and cannot take focus.
            .filter(|e| e.offset_parent().is_some() || e.get_client_rects().length() > 0)
            .collect()
    }

    /// Focuses the first field, else the first button, else the dialog itself. A field that
    /// arrives a moment later (a picker whose options are still loading) gets focus when it
    /// comes, unless the person has moved focus meanwhile.
    pub(super) fn settle(panel: web_sys::HtmlDivElement) {
        #[cfg(feature = "hydrate")]
        settle_within(panel, 30);
        #[cfg(not(feature = "hydrate"))]
        let _ = panel;
    }

    #[cfg(feature = "hydrate")]
    fn settle_within(panel: web_sys::HtmlDivElement, tries_left: u32) {
        if !panel.is_connected() {
            return;
        }
        if let Some(field) = all(&panel, FIELDS).into_iter().next() {
            let _ = field.focus();
            return;
        }
        let fallback =
            all(&panel, FOCUSABLE).into_iter().find(|e| e.get_attribute("aria-label").as_deref() != Some("Close"));
        let _ = match &fallback {
            Some(el) => el.focus(),
            None => panel.focus(),
        };
        if tries_left == 0 {
            return;
        }
        let placed = active_element();
        set_timeout(
            move || {
                // Only while focus is where it was put: a person who moved it keeps it there.
                if active_element() == placed {
                    settle_within(panel, tries_left - 1);
                }
            },
            std::time::Duration::from_millis(100),
        );
    }

    #[cfg(feature = "hydrate")]
    fn active_element() -> Option<web_sys::Element> {
        web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element())
    }

    /// Keeps Tab inside the dialog: from its last element Tab goes to the first, and Shift+Tab
    /// from the first to the last. Returns whether it moved focus itself.
    pub(super) fn wrap_tab(panel: &web_sys::HtmlDivElement, backwards: bool) -> bool {
        #[cfg(feature = "hydrate")]
        {
            let items = all(panel, FOCUSABLE);
            let (Some(first), Some(last)) = (items.first(), items.last()) else { return true };
            let active = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element());
            let is = |el: &web_sys::HtmlElement| {
                active.as_ref().is_some_and(|a| a == el.unchecked_ref::<web_sys::Element>())
            };
            let outside = !active.as_ref().is_some_and(|a| panel.contains(Some(a.as_ref())));
            if backwards
                && (is(first)
                    || outside
                    || active.as_ref().is_some_and(|a| a == panel.unchecked_ref::<web_sys::Element>()))
            {
                let _ = last.focus();
                return true;
            }
            if !backwards && (is(last) || outside) {
                let _ = first.focus();
                return true;
            }
            false
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (panel, backwards);
            false
        }
    }
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
