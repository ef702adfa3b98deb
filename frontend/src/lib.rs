//! Hydrates the server-rendered page once the WASM has loaded.
//!
//! The pages are lazily loaded routes (`app/src/routes.rs`): hydration first fetches the code of
//! the page on screen, then attaches to it.

// The views' types nest deeply (tachys builds one type per view tree); the hydration code of the
// larger pages needs more than the default 128 levels, as `app` does.
#![recursion_limit = "256"]

use leptos::{mount::hydrate_from_async, prelude::*};

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Hydration sets up Leptos' executor itself; until then wasm-bindgen's drives this future.
    wasm_bindgen_futures::spawn_local(async {
        let app = hydrate_from_async(document().body().expect("a page has a body"), app::App).await;
        // The app lives as long as the page.
        app.forget();
        // Marks the page as live: what is typed into the server-rendered inputs before this is
        // not seen by the app, so the browser tests wait for it before they type.
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "");
        }
    });
}
