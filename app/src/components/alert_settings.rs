//! The Admin's settings of the alerts on the Alerts page: the notice before a renewal and the
//! e-mail.

use leptos::prelude::*;

use seatsync_domain::email::AlertEmailMode;

use crate::{
    api::alerts::{SaveAlertEmail, SaveAlertSettings},
    components::common::{button, mutation::send},
};

/// How many days before an annual or 3-year renewal its seats are alerted. Shown to everyone,
/// editable by an Admin (`save` is `None` for the others).
#[component]
pub fn AlertSettingsForm(
    renewal_notice_days: i64,
    ticket_waiting: bool,
    save: Option<ServerAction<SaveAlertSettings>>,
) -> impl IntoView {
    let days = RwSignal::new(renewal_notice_days.to_string());
    let waiting = RwSignal::new(ticket_waiting);
    let waiting_words = "Tickets also list unused seats that wait for a customer's Pax8 company to be confirmed (without links), so such a customer gets a ticket too.";
    view! {
        <section
            class="mt-8 rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
            aria-labelledby="alert-settings"
        >
            <h2 id="alert-settings" class="font-semibold">
                "Settings"
            </h2>
            {match save {
                None => {
                    view! {
                        <p class="mt-1 text-sm text-slate-600" data-testid="notice-days">
                            {format!(
                                "Annual and 3-year subscriptions are alerted from {renewal_notice_days} days before they renew (and while their cancellation window is open). An Admin changes this.",
                            )}
                        </p>
                        {ticket_waiting
                            .then(|| {
                                view! {
                                    <p class="mt-1 text-sm text-slate-600" data-testid="ticket-waiting">
                                        {waiting_words}
                                    </p>
                                }
                            })}
                    }
                        .into_any()
                }
                Some(save) => {
                    view! {
                        <form
                            class="mt-2 flex flex-wrap items-end gap-3 text-sm"
                            on:submit=move |ev| {
                                ev.prevent_default();
                                let parsed = days.get_untracked().trim().parse::<i64>().unwrap_or(-1);
                                send(
                                    save,
                                    SaveAlertSettings {
                                        renewal_notice_days: parsed,
                                        ticket_waiting: Some(waiting.get_untracked()),
                                    },
                                );
                            }
                        >
                            <label class="grid gap-1">
                                <span>"Alert annual and 3-year subscriptions this many days before they renew"</span>
                                <input
                                    type="number"
                                    class="w-28 rounded-md border border-slate-300 px-2 py-1"
                                    prop:value=move || days.get()
                                    on:input=move |ev| days.set(event_target_value(&ev))
                                />
                            </label>
                            <label class="flex max-w-xl items-start gap-2">
                                <input
                                    type="checkbox"
                                    class="mt-1"
                                    prop:checked=move || waiting.get()
                                    on:change=move |ev| waiting.set(event_target_checked(&ev))
                                />
                                <span>{waiting_words}</span>
                            </label>
                            <button type="submit" class=button::SECONDARY disabled=move || save.pending().get()>
                                "Save settings"
                            </button>
                        </form>
                        <p class="mt-1 text-xs text-slate-500">
                            "Monthly terms are always alerted; longer ones while their cancellation window is open and from this many days before renewal. It applies from the next run."
                        </p>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

/// Whether and to whom the alerts are e-mailed. Shown to everyone, editable by an Admin (`save`
/// is `None` for the others).
#[component]
pub fn AlertEmailForm(
    mode: AlertEmailMode,
    to: Vec<String>,
    save: Option<ServerAction<SaveAlertEmail>>,
) -> impl IntoView {
    let chosen = RwSignal::new(mode);
    let addresses = RwSignal::new(to.join(", "));
    view! {
        <section class="mt-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="alert-email">
            <h2 id="alert-email" class="font-semibold">
                "E-mail"
            </h2>
            {match save {
                None => {
                    let said = match mode {
                        AlertEmailMode::Off => "The alerts are not e-mailed. An Admin changes this.".to_string(),
                        _ => format!("The alerts are e-mailed, {}, to {}.", mode.words(), to.join(", ")),
                    };
                    view! {
                        <p class="mt-1 text-sm text-slate-600" data-testid="email-setting">
                            {said}
                        </p>
                    }
                        .into_any()
                }
                Some(save) => {
                    view! {
                        <p class="mt-1 text-sm text-slate-600">
                            "Beside the tickets, or instead of them, the alerts can be e-mailed with the same kind of links: each still asks for sign-in and confirmation, and works once."
                        </p>
                        <form
                            class="mt-2 grid gap-3 text-sm"
                            on:submit=move |ev| {
                                ev.prevent_default();
                                send(
                                    save,
                                    SaveAlertEmail {
                                        mode: chosen.get_untracked(),
                                        to: addresses.get_untracked(),
                                    },
                                );
                            }
                        >
                            <fieldset class="grid gap-1">
                                <legend class="mb-1">"Send"</legend>
                                {AlertEmailMode::ALL
                                    .into_iter()
                                    .map(|m| {
                                        view! {
                                            <label class="flex items-center gap-2">
                                                <input
                                                    type="radio"
                                                    name="alert-email-mode"
                                                    value=m.as_str()
                                                    prop:checked=move || chosen.get() == m
                                                    on:change=move |_| chosen.set(m)
                                                />
                                                {m.words()}
                                            </label>
                                        }
                                    })
                                    .collect_view()}
                            </fieldset>
                            <label class="grid gap-1">
                                <span>"To (commas between addresses)"</span>
                                <input
                                    class="max-w-xl rounded-md border border-slate-300 px-2 py-1"
                                    placeholder="billing@your-msp.example"
                                    prop:value=move || addresses.get()
                                    on:input=move |ev| addresses.set(event_target_value(&ev))
                                />
                            </label>
                            <div>
                                <button type="submit" class=button::SECONDARY disabled=move || save.pending().get()>
                                    "Save e-mail"
                                </button>
                            </div>
                        </form>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
