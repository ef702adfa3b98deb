//! When the billing report is made and where it goes, on the Billing page: said to everyone; an
//! Admin changes the schedule (daily, weekly on a day, monthly on a day, at an hour UTC), the
//! company of the PSA for tickets its ticket is filed for, and the e-mail addresses.

use leptos::prelude::*;
use seatsync_domain::billing_delivery::Frequency;

use crate::{
    api::billing::{load_billing_settings, BillingSettingsView, SaveBillingSettings},
    components::{
        common::{
            button,
            format::exact,
            mutation::{on_answer, send},
            Loaded,
        },
        modal::Feedback,
    },
};

const WEEKDAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

#[component]
pub fn BillingSettings(admin: bool) -> impl IntoView {
    let saved = RwSignal::new(0u32);
    let settings = Resource::new(move || saved.get(), |_| load_billing_settings());
    let feedback = RwSignal::new(None::<Result<String, String>>);
    let save = ServerAction::<SaveBillingSettings>::new();
    on_answer(save, move |answer| {
        feedback.set(Some(answer.map_err(|e| e.to_string())));
        saved.update(|c| *c += 1);
    });
    view! {
        <section
            class="mt-6 rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
            aria-labelledby="billing-delivery"
        >
            <h2 id="billing-delivery" class="font-semibold">
                "Schedule and delivery"
            </h2>
            <Loaded resource=settings let:view>
                <SettingsBody view save=admin.then_some(save) />
            </Loaded>
            <Feedback message=feedback.into() />
        </section>
    }
}

#[component]
fn SettingsBody(view: BillingSettingsView, save: Option<ServerAction<SaveBillingSettings>>) -> impl IntoView {
    let BillingSettingsView {
        schedule,
        schedule_words,
        from_app,
        next_run,
        delivery,
        delivery_words,
        ticket_psa,
        companies,
        companies_error,
        email_configured,
    } = view;
    let source = if from_app { " (set on this page)" } else { " (the configured default)" };
    let next = next_run.map(|at| {
        view! { <span>{format!(" Next: {}.", exact(at))}</span> }
    });
    let form = save.map(|save| {
        let frequency = RwSignal::new(schedule.frequency);
        let weekday = RwSignal::new(schedule.weekday);
        let day = RwSignal::new(schedule.day);
        let hour = RwSignal::new(schedule.hour);
        let company = RwSignal::new(delivery.ticket_company.as_ref().map(|c| c.name.clone()).unwrap_or_default());
        let email_to = RwSignal::new(delivery.email_to.join(", "));
        let company_label =
            format!("{} {} for the ticket (empty: no ticket)", ticket_psa.name(), ticket_psa.company_word());
        view! {
            <form
                class="mt-3 grid max-w-3xl gap-3 text-sm"
                on:submit=move |ev| {
                    ev.prevent_default();
                    send(
                        save,
                        SaveBillingSettings {
                            frequency: frequency.get_untracked(),
                            weekday: weekday.get_untracked(),
                            day: day.get_untracked(),
                            hour: hour.get_untracked(),
                            ticket_company: Some(company.get_untracked()),
                            email_to: Some(email_to.get_untracked()),
                        },
                    );
                }
            >
                <div class="flex flex-wrap items-end gap-3">
                    <label class="grid gap-1">
                        "How often"
                        <select
                            class="rounded-md border border-slate-300 px-2 py-1"
                            on:change=move |ev| {
                                frequency
                                    .set(
                                        match event_target_value(&ev).as_str() {
                                            "daily" => Frequency::Daily,
                                            "weekly" => Frequency::Weekly,
                                            _ => Frequency::Monthly,
                                        },
                                    )
                            }
                        >
                            <option value="daily" selected=schedule.frequency == Frequency::Daily>
                                "Every day"
                            </option>
                            <option value="weekly" selected=schedule.frequency == Frequency::Weekly>
                                "Every week"
                            </option>
                            <option value="monthly" selected=schedule.frequency == Frequency::Monthly>
                                "Every month"
                            </option>
                        </select>
                    </label>
                    <Show when=move || frequency.get() == Frequency::Weekly>
                        <label class="grid gap-1">
                            "On"
                            <select
                                class="rounded-md border border-slate-300 px-2 py-1"
                                on:change=move |ev| weekday.set(event_target_value(&ev).parse().unwrap_or(1))
                            >
                                {WEEKDAYS
                                    .iter()
                                    .enumerate()
                                    .map(|(i, name)| {
                                        let n = i as u8 + 1;
                                        view! {
                                            <option value=n.to_string() selected=weekday.get_untracked() == n>
                                                {*name}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                        </label>
                    </Show>
                    <Show when=move || frequency.get() == Frequency::Monthly>
                        <label class="grid gap-1">
                            "On day (1 to 28)"
                            <input
                                type="number"
                                min="1"
                                max="28"
                                class="w-20 rounded-md border border-slate-300 px-2 py-1"
                                prop:value=move || day.get().to_string()
                                on:input=move |ev| day.set(event_target_value(&ev).parse().unwrap_or(0))
                            />
                        </label>
                    </Show>
                    <label class="grid gap-1">
                        "At (UTC)"
                        <select
                            class="rounded-md border border-slate-300 px-2 py-1"
                            on:change=move |ev| hour.set(event_target_value(&ev).parse().unwrap_or(7))
                        >
                            {(0u8..24)
                                .map(|h| {
                                    view! {
                                        <option value=h.to_string() selected=schedule.hour == h>
                                            {format!("{h:02}:00")}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </label>
                </div>
                <label class="grid gap-1">
                    {company_label}
                    <input
                        list="billing-ticket-companies"
                        class="w-80 rounded-md border border-slate-300 px-2 py-1"
                        placeholder="Your own company, usually"
                        prop:value=move || company.get()
                        on:input=move |ev| company.set(event_target_value(&ev))
                    />
                </label>
                <datalist id="billing-ticket-companies">
                    {companies.iter().map(|c| view! { <option value=c.name.clone()></option> }).collect_view()}
                </datalist>
                {companies_error
                    .map(|e| view! { <p class="text-red-700">{format!("The companies could not be read: {e}")}</p> })}
                <label class="grid gap-1">
                    "E-mail it to (commas between addresses; empty: no e-mail)"
                    <input
                        class="w-full rounded-md border border-slate-300 px-2 py-1"
                        placeholder="billing@your-msp.example"
                        prop:value=move || email_to.get()
                        on:input=move |ev| email_to.set(event_target_value(&ev))
                    />
                </label>
                {(!email_configured)
                    .then(|| {
                        view! {
                            <p class="text-amber-800">
                                "E-mail is not set up (SMTP under Settings), so no address can be given yet."
                            </p>
                        }
                    })}
                <div>
                    <button type="submit" class=button::PRIMARY disabled=move || save.pending().get()>
                        "Save schedule and delivery"
                    </button>
                </div>
            </form>
        }
    });
    view! {
        <p class="mt-1 text-sm text-slate-700" data-testid="billing-schedule">
            {format!("{schedule_words}{source}.")}
            {next}
        </p>
        <p class="mt-1 text-sm text-slate-700" data-testid="billing-delivery-words">
            {delivery_words}
        </p>
        {form}
    }
}
