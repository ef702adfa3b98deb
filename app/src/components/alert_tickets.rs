//! The unused-licence tickets on the Alerts page: each customer's ticket from its opening to its
//! close, with the notes SeatSync added, and what the last run did to the tickets and e-mailed.

use leptos::prelude::*;
use seatsync_domain::kinds::{DeliveryStatus, TicketPsa};

use crate::{
    api::alerts::{AlertTicketRow, RunEmails, RunTickets, TicketNoteRow},
    components::common::format::{exact, relative},
};

/// Customers without a company named on the run's line; the rest are counted.
const SHOWN_NAMES: usize = 5;

/// One line on what the newest run did to the tickets, and what it could not do.
#[component]
pub fn RunTicketsLine(tickets: RunTickets, psa: TicketPsa) -> impl IntoView {
    let RunTickets { opened, noted, closed, unmapped, failed, skipped } = tickets;
    let done = format!("Tickets: {opened} opened, {noted} noted, {closed} closed.");
    let unmapped = (!unmapped.is_empty()).then(|| {
        let named: Vec<&str> = unmapped.iter().take(SHOWN_NAMES).map(String::as_str).collect();
        let more = unmapped.len().saturating_sub(SHOWN_NAMES);
        format!(
            "{} with seats to give back {} no {} {}, so no ticket: {}{}. ",
            unmapped.len(),
            if unmapped.len() == 1 { "has" } else { "have" },
            psa.name(),
            psa.company_word(),
            named.join(", "),
            if more > 0 { format!(" and {more} more") } else { String::new() }
        )
    });
    let (companies_page, companies_link) = match psa {
        TicketPsa::Autotask => ("/mapping/customers", "Map customers".to_string()),
        _ => ("/alerts/ticket-companies", format!("Choose their {} {}", psa.name(), psa.companies_word())),
    };
    view! {
        {match skipped {
            Some(why) => {
                view! {
                    <p class="mt-1 text-sm text-amber-800" data-testid="tickets-skipped">
                        {why}
                    </p>
                }
                    .into_any()
            }
            None => {
                view! {
                    <p class="mt-1 text-sm text-slate-700" data-testid="tickets-line">
                        {done}
                        {unmapped
                            .map(|words| {
                                view! {
                                    " "
                                    {words}
                                    <a class="text-indigo-700 underline" href=companies_page>
                                        {companies_link}
                                    </a>
                                }
                            })}
                    </p>
                }
                    .into_any()
            }
        }}
        {(!failed.is_empty())
            .then(|| {
                view! {
                    <p class="mt-1 text-sm text-red-700" data-testid="tickets-failed">
                        {format!("Not sent, tried again next run: {}", failed.join("; "))}
                    </p>
                }
            })}
    }
}

/// What the newest run e-mailed.
#[component]
pub fn RunEmailsLine(emails: RunEmails) -> impl IntoView {
    let RunEmails { sent, failed } = emails;
    let sent = match sent {
        0 if failed.is_empty() => "E-mail: nothing new to send.".to_string(),
        1 => "E-mail: 1 message sent.".to_string(),
        n => format!("E-mail: {n} messages sent."),
    };
    view! {
        <p class="mt-1 text-sm text-slate-700" data-testid="emails-line">
            {sent}
        </p>
        {(!failed.is_empty())
            .then(|| {
                view! {
                    <p class="mt-1 text-sm text-red-700" data-testid="emails-failed">
                        {format!("E-mail not sent: {}", failed.join("; "))}
                    </p>
                }
            })}
    }
}

/// The newest tickets, newest first.
#[component]
pub fn AlertTicketList(tickets: Vec<AlertTicketRow>, psa: TicketPsa) -> impl IntoView {
    view! {
        <section class="mt-8" aria-labelledby="alert-tickets">
            <h2 id="alert-tickets" class="text-lg font-semibold">
                "Tickets"
            </h2>
            <p class="mt-1 text-sm text-slate-600">
                {format!(
                    "One {} ticket per customer while seats are left to give back: a note when they change or a link is confirmed, closed when none are left. ",
                    psa.name(),
                )} <a class="text-indigo-700 underline" href="/alerts/ticket-companies">
                    "Where tickets go"
                </a>
            </p>
            {if tickets.is_empty() {
                view! { <p class="mt-2 text-sm text-slate-600">"None yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="mt-2 grid gap-2" data-testid="alert-tickets">
                        {tickets.into_iter().map(|ticket| view! { <TicketLine ticket /> }).collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}

fn status_words(status: DeliveryStatus, error: Option<&str>) -> Option<String> {
    match status {
        DeliveryStatus::Delivered => None,
        DeliveryStatus::Pending => Some("being sent".into()),
        DeliveryStatus::Uncertain => Some("may not have arrived".into()),
        DeliveryStatus::Failed => Some(format!("not sent: {}", error.unwrap_or("no reason given"))),
    }
}

#[component]
fn TicketLine(ticket: AlertTicketRow) -> impl IntoView {
    let AlertTicketRow {
        tenant_name,
        ticket_number,
        delivery_status,
        delivery_error,
        opened_at,
        closed_at,
        closed_why,
        notes,
        ..
    } = ticket;
    let state = match (closed_at, closed_why) {
        (Some(at), why) => format!("closed {} ({})", relative(at), why.unwrap_or_else(|| "closed".into())),
        (None, _) => "open".into(),
    };
    let number = ticket_number.unwrap_or_else(|| "not made yet".into());
    let problem = status_words(delivery_status, delivery_error.as_deref());
    view! {
        <li class="rounded-lg border border-slate-200 bg-white p-3 text-sm shadow-sm" data-testid="alert-ticket">
            <p>
                <span class="font-medium">{tenant_name}</span>
                {format!(" · ticket {number} · opened ")}
                <span title=exact(opened_at)>{relative(opened_at)}</span>
                {format!(" · {state}")}
            </p>
            {problem.map(|p| view! { <p class="text-red-700">{p}</p> })}
            {(!notes.is_empty())
                .then(|| {
                    view! {
                        <ul class="mt-1 list-disc pl-5 text-slate-700">
                            {notes.into_iter().map(|note| view! { <NoteLine note /> }).collect_view()}
                        </ul>
                    }
                })}
        </li>
    }
}

#[component]
fn NoteLine(note: TicketNoteRow) -> impl IntoView {
    let TicketNoteRow { title, closes, status, error, at } = note;
    let problem = status_words(status, error.as_deref()).map(|p| format!(" ({p})")).unwrap_or_default();
    let what = if closes { format!("{title}, and closed") } else { title };
    view! { <li data-testid="alert-ticket-note">{what} {" · "} <span title=exact(at)>{relative(at)}</span> {problem}</li> }
}
