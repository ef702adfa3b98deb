//! The mapping pages' modals and their parts.

pub mod history;
pub mod offer_modal;
pub mod refresh_line;
pub mod status_counts;
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

/// What both mapping modals do with a save's answer: the page hears of the change; a mapping or
/// an ignore is done, so the modal closes and the page says what the item now is (`describe`);
/// after an undo or a reset the pick is cleared and the modal stays, for the next pick. An error
/// is shown where the user clicked.
pub fn saved_answer<Row, Id>(
    current: leptos::prelude::RwSignal<Row>,
    selected: leptos::prelude::RwSignal<Option<Id>>,
    feedback: leptos::prelude::RwSignal<Option<Result<String, String>>>,
    on_saved: leptos::prelude::Callback<Row>,
    on_done: leptos::prelude::Callback<String>,
    describe: fn(&Row) -> (crate::api::mapping::MappingState, String),
) -> impl Fn(Result<Row, crate::error::AppError>) + Copy + 'static
where
    Row: Clone + Send + Sync + 'static,
    Id: Send + Sync + 'static,
{
    use leptos::prelude::*;
    move |answer| match answer {
        Ok(saved) => {
            let (state, message) = describe(&saved);
            on_saved.run(saved.clone());
            if state == crate::api::mapping::MappingState::Unmapped {
                selected.set(None);
                current.set(saved);
                feedback.set(Some(Ok(message)));
            } else {
                // Last: closing the modal disposes what it owns.
                on_done.run(message);
            }
        }
        Err(e) => feedback.set(Some(Err(e.to_string()))),
    }
}

/// A modal's action button: the primary action filled, the others outlined; all are disabled
/// while a save is under way so one click saves once.
#[leptos::component]
pub fn ActionButton(
    #[prop(optional)] primary: bool,
    #[prop(into)] busy: leptos::prelude::Signal<bool>,
    #[prop(into)] on_click: leptos::prelude::Callback<()>,
    children: leptos::prelude::Children,
) -> impl leptos::IntoView {
    use leptos::prelude::*;

    use crate::components::common::button;
    let look = if primary { button::PRIMARY } else { button::SECONDARY };
    view! {
        <button class=look disabled=busy on:click=move |_| on_click.run(())>
            {children()}
        </button>
    }
}

/// How a mapping modal names what it maps and what that is mapped to.
#[derive(Clone, Copy)]
pub struct Words {
    /// "tenant" or "offer".
    pub noun: &'static str,
    /// "company" or "service".
    pub target: &'static str,
}

/// The modal's body for an ignored item: take the ignore back, or reset it.
#[leptos::component]
pub fn IgnoredBody(
    words: Words,
    /// Why ignoring matters, after "This tenant is ignored".
    consequence: &'static str,
    #[prop(into)] busy: leptos::prelude::Signal<bool>,
    #[prop(into)] act: leptos::prelude::Callback<crate::api::mapping::MappingAction>,
) -> impl leptos::IntoView {
    use crate::api::mapping::MappingAction;
    use leptos::prelude::*;
    view! {
        <p class="text-sm">
            {format!("This {} is ", words.noun)} <strong>"ignored"</strong> {format!(": {consequence}")}
        </p>
        <div class="mt-4 flex flex-wrap gap-2">
            <ActionButton primary=true busy on_click=move |_| act.run(MappingAction::UndoIgnore)>
                "Undo ignore"
            </ActionButton>
            <ActionButton busy on_click=move |_| act.run(MappingAction::Reset)>
                "Reset mapping"
            </ActionButton>
        </div>
    }
}

/// The modal's body for a mapped item: change what it is mapped to, ignore it, or reset it.
#[leptos::component]
pub fn MappedBody(
    words: Words,
    /// "Mapped to" or "Billed through".
    lead: &'static str,
    target_name: String,
    /// The target is no longer in Autotask.
    missing: bool,
    picker: leptos::prelude::AnyView,
    #[prop(into)] busy: leptos::prelude::Signal<bool>,
    #[prop(into)] act: leptos::prelude::Callback<crate::api::mapping::MappingAction>,
) -> impl leptos::IntoView {
    use crate::api::mapping::MappingAction;
    use leptos::prelude::*;
    view! {
        <p class="text-sm">
            {format!("{lead} ")} <strong>{target_name}</strong>
            {missing.then(|| view! { <span class="ml-1 text-amber-700">"(no longer in Autotask)"</span> })}
        </p>
        <p class="mt-3 text-sm font-medium">{format!("Change the {}", words.target)}</p>
        <div class="mt-1">{picker}</div>
        <div class="mt-4 flex flex-wrap gap-2">
            <ActionButton primary=true busy on_click=move |_| act.run(MappingAction::Map)>
                {format!("Save {}", words.target)}
            </ActionButton>
            <ActionButton busy on_click=move |_| act.run(MappingAction::Ignore)>
                {format!("Ignore {}", words.noun)}
            </ActionButton>
            <ActionButton busy on_click=move |_| act.run(MappingAction::Reset)>
                "Reset mapping"
            </ActionButton>
        </div>
    }
}
