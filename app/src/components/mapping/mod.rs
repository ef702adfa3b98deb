//! The mapping pages' modals and their parts.

pub mod history;
pub mod new_company;
pub mod offer_modal;
pub mod refresh_line;
pub mod status_counts;
pub mod template_bulk;
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

/// Counts a bulk change's outcomes (each a saved row or an error), handing every saved row to
/// `on_row`; the number saved and the errors in words.
pub fn tally<R>(
    outcomes: impl IntoIterator<Item = (Option<R>, Option<String>)>,
    mut on_row: impl FnMut(R),
) -> (usize, Vec<String>) {
    let mut saved = 0;
    let mut problems = Vec::new();
    for outcome in outcomes {
        match outcome {
            (Some(row), _) => {
                saved += 1;
                on_row(row);
            }
            (None, Some(e)) => problems.push(e),
            (None, None) => {}
        }
    }
    (saved, problems)
}

/// "Undo" for the last bulk accept, while there is one to undo: the mappings it made are taken
/// back one by one, and any a person changed since are left alone and named.
#[leptos::component]
pub fn UndoBulkAccept(
    /// How many mappings the last bulk accept made (0: nothing to undo, nothing shown).
    #[prop(into)]
    count: leptos::prelude::Signal<usize>,
    /// "tenant" or "offer".
    noun: &'static str,
    #[prop(into)] busy: leptos::prelude::Signal<bool>,
    #[prop(into)] on_undo: leptos::prelude::Callback<()>,
) -> impl leptos::IntoView {
    use leptos::prelude::*;

    use crate::components::common::button;
    move || {
        let n = count.get();
        (n > 0).then(|| {
            let label = if n == 1 {
                format!("Undo: unmap that {noun} again")
            } else {
                format!("Undo: unmap these {n} {noun}s again")
            };
            view! {
                <button class=format!("mt-2 {}", button::OUTLINE) disabled=busy on:click=move |_| on_undo.run(())>
                    {label}
                </button>
            }
        })
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
