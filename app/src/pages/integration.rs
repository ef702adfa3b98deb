//! One integration's page (Admin): its fields, where each value comes from, a save that keeps
//! secrets write-only, "Test connection", and the history of changes.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use seatsync_domain::kinds::{IntegrationAction, IntegrationKey, TicketPsa};

use crate::{
    api::settings::{
        get_integration, FieldChange, FieldInfo, FieldInput, FieldSource, IntegrationChange, IntegrationDetail,
        SaveIntegration,
    },
    components::{
        common::{
            button,
            format::{exact, relative},
            mutation::{on_answer, send},
            Loaded,
        },
        integrations::{
            ConnectWiseTicketDefaults, HaloTicketDefaults, StatusBadge, TestConnection, TestEmail, TestTicket,
            TicketDefaults,
        },
        modal::Feedback,
    },
};

#[component]
pub fn IntegrationPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || params.read().get("key").unwrap_or_default();
    let detail = Resource::new(key, get_integration);
    // Kept here, above the form: a save reloads the integration, which draws the form anew.
    let feedback = RwSignal::new(None::<Result<String, String>>);
    view! {
        <Title text="Integration" />
        <a class="text-sm text-indigo-700 underline" href="/settings">
            "← All integrations"
        </a>
        <Loaded resource=detail class="mt-4" let:d>
            <IntegrationForm detail=d feedback on_saved=move || detail.refetch() />
        </Loaded>
    }
}

/// A field being edited: what it was, and what the Admin typed.
#[derive(Clone)]
struct Editing {
    info: FieldInfo,
    typed: RwSignal<String>,
}

impl Editing {
    /// What saving this field would change, if anything.
    fn change(&self) -> Option<FieldChange> {
        if self.info.source == FieldSource::Environment {
            return None;
        }
        let typed = self.typed.get_untracked().trim().to_string();
        if self.info.input == FieldInput::Secret {
            // A secret is never shown, so an empty box means "leave it".
            return (!typed.is_empty()).then(|| FieldChange { field: self.info.name.clone(), value: Some(typed) });
        }
        let saved = (self.info.source == FieldSource::Stored).then(|| self.info.value.clone().unwrap_or_default());
        match (saved, typed.is_empty()) {
            (Some(s), false) if s == typed => None,
            (Some(_), true) => Some(FieldChange { field: self.info.name.clone(), value: None }),
            (None, true) => None,
            _ => Some(FieldChange { field: self.info.name.clone(), value: Some(typed) }),
        }
    }
}

#[component]
fn IntegrationForm(
    detail: IntegrationDetail,
    feedback: RwSignal<Option<Result<String, String>>>,
    on_saved: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let IntegrationDetail { info, fields, history, secrets_can_be_stored } = detail;
    let key = info.key.as_str().to_string();
    let editing: Vec<Editing> = fields
        .into_iter()
        .map(|f| {
            let start =
                if f.source == FieldSource::Stored { f.value.clone().unwrap_or_default() } else { String::new() };
            Editing { typed: RwSignal::new(start), info: f }
        })
        .collect();
    let save = ServerAction::<SaveIntegration>::new();
    on_answer(save, {
        let on_saved = on_saved.clone();
        move |answer| match answer {
            Ok(_) => {
                feedback.set(Some(Ok("Saved. SeatSync uses the new settings from now on.".into())));
                on_saved();
            }
            Err(e) => feedback.set(Some(Err(e.to_string()))),
        }
    });
    let submit = {
        let editing = editing.clone();
        let key = key.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let changes: Vec<FieldChange> = editing.iter().filter_map(Editing::change).collect();
            if changes.is_empty() {
                feedback.set(Some(Err("Nothing has changed.".into())));
                return;
            }
            feedback.set(None);
            send(save, SaveIntegration { key: key.clone(), changes });
        }
    };
    let remove = move |field: String| {
        feedback.set(None);
        send(save, SaveIntegration { key: key.clone(), changes: vec![FieldChange { field, value: None }] });
    };
    let name = info.name.clone();
    view! {
        <Title text=name.clone() />
        <div class="mt-2 flex flex-wrap items-center gap-3">
            <h1 class="text-2xl font-semibold">{name.clone()}</h1>
            <StatusBadge configured=info.configured />
        </div>
        <p class="mt-1 text-sm text-slate-600">"Used by: " {info.used_by.join(", ")}</p>
        {(!info.missing.is_empty())
            .then(|| {
                view! { <p class="mt-1 text-sm text-amber-800">"Still needed: " {info.missing.join(", ")}</p> }
            })}
        {(!secrets_can_be_stored)
            .then(|| {
                view! {
                    <p class="mt-3 rounded-md bg-amber-50 p-3 text-sm text-amber-900" role="note">
                        "Secrets can be saved here once the server has SEATSYNC_SECRETS_KEY (32 random bytes, e.g. openssl rand -base64 32). Until then they come from the environment only."
                    </p>
                }
            })}
        <form class="mt-6 max-w-2xl space-y-5" on:submit=submit>
            {editing
                .iter()
                .cloned()
                .map(|e| view! { <FieldRow editing=e secrets_can_be_stored remove=remove.clone() /> })
                .collect_view()}
            <div class="flex items-center gap-3">
                <button type="submit" class=button::PRIMARY disabled=move || save.pending().get()>
                    {move || if save.pending().get() { "Saving…" } else { "Save" }}
                </button>
            </div>
            <Feedback message=feedback.into() />
        </form>
        {(info.testable && info.configured)
            .then(|| {
                view! {
                    <section class="mt-8 max-w-2xl">
                        <h2 class="text-lg font-semibold">"Connection"</h2>
                        <TestConnection key=info.key.as_str().to_string() name=name.clone() />
                    </section>
                }
            })}
        {(info.configured && info.key == IntegrationKey::Smtp)
            .then(|| {
                view! {
                    <section class="mt-8 max-w-2xl">
                        <h2 class="text-lg font-semibold">"Test e-mail"</h2>
                        <p class="mt-1 text-sm text-slate-600">
                            "A real message with a small file attached, recorded with SeatSync's other e-mails on the Jobs page."
                        </p>
                        <TestEmail />
                    </section>
                }
            })}
        {(info.configured && info.key == IntegrationKey::ConnectWise)
            .then(|| {
                view! {
                    <section class="mt-8 max-w-3xl">
                        <h2 class="text-lg font-semibold">"Tickets"</h2>
                        <p class="mt-1 text-sm text-slate-600">
                            "The board and status SeatSync's tickets open in, chosen from ConnectWise's own lists."
                        </p>
                        <ConnectWiseTicketDefaults />
                        <TestTicket psa=TicketPsa::ConnectWise />
                    </section>
                }
            })}
        {(info.configured && info.key == IntegrationKey::Halo)
            .then(|| {
                view! {
                    <section class="mt-8 max-w-3xl">
                        <h2 class="text-lg font-semibold">"Tickets"</h2>
                        <p class="mt-1 text-sm text-slate-600">
                            "The ticket type SeatSync's tickets open as, chosen from HaloPSA's own list. Halo shows the tickets' text as HTML."
                        </p>
                        <HaloTicketDefaults />
                        <TestTicket psa=TicketPsa::Halo />
                    </section>
                }
            })}
        {(info.configured && info.key == IntegrationKey::Autotask)
            .then(|| {
                view! {
                    <section class="mt-8 max-w-3xl">
                        <h2 class="text-lg font-semibold">"Tickets"</h2>
                        <p class="mt-1 text-sm text-slate-600">
                            "How SeatSync files the tickets it opens (alerts, billing reports), chosen from this Autotask database's own lists."
                        </p>
                        <TicketDefaults />
                        <TestTicket psa=TicketPsa::Autotask />
                    </section>
                }
            })}
        <History changes=history />
    }
}

#[component]
fn FieldRow(
    editing: Editing,
    secrets_can_be_stored: bool,
    remove: impl Fn(String) + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let Editing { info, typed } = editing;
    let id = format!("field-{}", info.name);
    let from_env = info.source == FieldSource::Environment;
    let secret = info.input == FieldInput::Secret;
    let input_type = match &info.input {
        FieldInput::Secret => "password",
        FieldInput::Url => "url",
        FieldInput::Email => "email",
        FieldInput::Number => "number",
        _ => "text",
    };
    let placeholder = match (&info.source, secret) {
        (FieldSource::Environment, true) => "Set in the environment".to_string(),
        (FieldSource::Environment, false) => info.value.clone().unwrap_or_default(),
        (_, true) if info.is_set => "Set: type a new value to replace it".to_string(),
        (_, true) => "Not set".to_string(),
        (_, false) => info.default.clone().map(|d| format!("Default: {d}")).unwrap_or_default(),
    };
    let where_from = match info.source {
        FieldSource::Environment => {
            format!("From the environment variable {}, which wins over this page: change it there.", info.env)
        }
        FieldSource::Stored => {
            let when = info.set_at.map(relative).unwrap_or_default();
            match &info.set_by {
                Some(by) => format!("Saved here {when} by {by}."),
                None => format!("Saved here {when}."),
            }
        }
        FieldSource::Default => format!("The default. The environment variable {} would win over this page.", info.env),
        FieldSource::Unset if info.required => "Required.".to_string(),
        FieldSource::Unset => "Optional.".to_string(),
    };
    let where_from =
        if secret { format!("{where_from} Secret: saved encrypted, never shown again.") } else { where_from };
    let stored = info.source == FieldSource::Stored;
    let field = info.name.clone();
    let label = info.label.clone();
    let choices = match &info.input {
        FieldInput::Choice(c) => Some(c.clone()),
        _ => None,
    };
    let disabled = from_env || (secret && !secrets_can_be_stored);
    view! {
        <div>
            <label class="block text-sm font-medium" for=id.clone()>
                {label.clone()}
            </label>
            {match choices {
                Some(choices) => {
                    view! {
                        <select
                            id=id.clone()
                            class="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5 disabled:bg-slate-100"
                            disabled=disabled
                            prop:value=move || typed.get()
                            on:change=move |ev| typed.set(event_target_value(&ev))
                        >
                            <option value="">{placeholder.clone()}</option>
                            {choices
                                .into_iter()
                                .map(|c| view! { <option value=c.clone()>{c.clone()}</option> })
                                .collect_view()}
                        </select>
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <input
                            id=id.clone()
                            type=input_type
                            autocomplete=if secret { "new-password" } else { "off" }
                            class="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5 font-mono text-sm disabled:bg-slate-100"
                            placeholder=placeholder
                            disabled=disabled
                            prop:value=move || typed.get()
                            on:input=move |ev| typed.set(event_target_value(&ev))
                        />
                    }
                        .into_any()
                }
            }}
            <p class="mt-1 flex flex-wrap items-center gap-2 text-xs text-slate-500">
                <span>{where_from}</span>
                {(!info.help.is_empty()).then(|| view! { <span>{info.help.clone()}</span> })}
                {stored
                    .then(|| {
                        let remove = remove.clone();
                        let field = field.clone();
                        view! {
                            <button
                                type="button"
                                class="text-red-700 underline"
                                aria-label=format!("Remove saved value of {label}")
                                on:click=move |_| remove(field.clone())
                            >
                                "Remove saved value"
                            </button>
                        }
                    })}
            </p>
        </div>
    }
}

#[component]
fn History(changes: Vec<IntegrationChange>) -> impl IntoView {
    view! {
        <section class="mt-10 max-w-3xl">
            <h2 class="text-lg font-semibold">"History"</h2>
            {if changes.is_empty() {
                view! { <p class="mt-2 text-sm text-slate-500">"Nothing has been changed on this page yet."</p> }
                    .into_any()
            } else {
                view! {
                    <table class="mt-2 w-full text-left text-sm">
                        <thead class="text-xs uppercase text-slate-500">
                            <tr>
                                <th class="py-1 pr-3">"When"</th>
                                <th class="py-1 pr-3">"Who"</th>
                                <th class="py-1">"What"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {changes
                                .into_iter()
                                .map(|c| {
                                    view! {
                                        <tr class="border-t border-slate-100">
                                            <td class="py-1 pr-3 whitespace-nowrap" title=exact(c.at)>
                                                {relative(c.at)}
                                            </td>
                                            <td class="py-1 pr-3">
                                                {c.by.clone().unwrap_or_else(|| "SeatSync".into())}
                                            </td>
                                            <td class="py-1">{describe(&c)}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                    .into_any()
            }}
        </section>
    }
}

/// A change in words; a secret's values are never known here.
fn describe(c: &IntegrationChange) -> String {
    let field = c.field.clone().unwrap_or_default();
    match (c.action, &c.old_value, &c.new_value) {
        (IntegrationAction::Rotated, _, _) => "Secrets re-encrypted with a new key".into(),
        (IntegrationAction::Cleared, Some(old), _) => format!("{field} removed (was {old})"),
        (IntegrationAction::Cleared, None, _) => format!("{field} removed"),
        (IntegrationAction::Set, Some(old), Some(new)) => format!("{field} changed from {old} to {new}"),
        (IntegrationAction::Set, None, Some(new)) => format!("{field} set to {new}"),
        (IntegrationAction::Set, _, None) => format!("{field} set (secret, not shown)"),
    }
}
