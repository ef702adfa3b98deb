//! Hydrates the server-rendered page once the WASM has loaded.

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
