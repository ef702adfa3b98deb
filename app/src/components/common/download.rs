//! Saving a file the server sent (a CSV export) as a download, in the browser.

/// Offers `text` to the user as the file `file_name` (nothing on the server).
pub fn save_file(file_name: &str, mime: &str, text: &str) {
    #[cfg(feature = "hydrate")]
    if let Err(e) = browser::save(file_name, mime, text) {
        leptos::logging::warn!("the download could not be started: {e:?}");
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (file_name, mime, text);
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::{
        wasm_bindgen::{JsCast, JsValue},
        web_sys,
    };

    pub(super) fn save(file_name: &str, mime: &str, text: &str) -> Result<(), JsValue> {
        let parts = js_sys_array(text);
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(mime);
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
        let url = web_sys::Url::create_object_url_with_blob(&blob)?;
        let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
        let link: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
        link.set_href(&url);
        link.set_download(file_name);
        link.click();
        web_sys::Url::revoke_object_url(&url)?;
        Ok(())
    }

    fn js_sys_array(text: &str) -> JsValue {
        let array = leptos::web_sys::js_sys::Array::new();
        array.push(&JsValue::from_str(text));
        array.into()
    }
}
