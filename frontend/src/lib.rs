//! Hydrates the server-rendered page once the WASM has loaded.

// The views' types nest deeply (tachys builds one type per view tree); the hydration code of the
// larger pages needs more than the default 128 levels, as `app` does.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // Marks the page as live: what is typed into the server-rendered inputs before this is not
    // seen by the app, so the browser tests wait for it before they type.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "");
    }
}
