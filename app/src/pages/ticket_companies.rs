//! Where tickets go: the PSA SeatSync opens its tickets in (an Admin chooses it among the ones set
//! up) and, for ConnectWise Manage and HaloPSA, which company or client each customer is there.
//! SeatSync suggests one by name and domain; an Editor accepts one or all, or chooses by typing a
//! name. A customer without one gets no ticket, and the alert run says so.

use leptos::prelude::*;
use leptos_meta::Title;
use seatsync_domain::{kinds::TicketPsa, Role};

use crate::{
    api::{
        me::Me,
        tickets::{
            ticket_companies, AcceptTicketCompanies, PsaCompany, SetTicketCompany, TicketCompaniesView,
            TicketCompanyLine,
        },
    },
    components::{
        common::{
            button,
            format::{exact, relative},
            mutation::{on_answer, send},
            Loaded,
        },
        modal::Feedback,
        ticket_psa::TicketPsaChoice,
    },
};

/// The actions of an Editor; a Viewer gets none.
#[derive(Clone, Copy)]
struct Choices {
    set: ServerAction<SetTicketCompany>,
    accept_all: ServerAction<AcceptTicketCompanies>,
}

#[component]
pub fn TicketCompaniesPage() -> impl IntoView {
    let me = expect_context::<Me>();
    let changed = RwSignal::new(0u32);
    let companies = Resource::new(move || changed.get(), |_| ticket_companies());
    let feedback = RwSignal::new(None::<Result<String, String>>);
    let choices = Choices { set: ServerAction::new(), accept_all: ServerAction::new() };
    let answered = move |answer: Result<String, crate::error::AppError>| {
        feedback.set(Some(answer.map_err(|e| e.to_string())));
        changed.update(|c| *c += 1);
    };
    on_answer(choices.set, answered);
    on_answer(choices.accept_all, answered);
    let choices = me.may(Role::Editor).then_some(choices);
    view! {
        <Title text="Where tickets go" />
        <h1 class="text-2xl font-semibold">"Where tickets go"</h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-600">
            "The PSA SeatSync opens its tickets in (the unused-licence alerts), and which of its companies each customer is. A customer without one gets no ticket. Changes apply from the next alert run; tickets already open stay where they are."
        </p>
        <p class="mt-2 text-sm">
            <a class="text-indigo-700 underline" href="/alerts">
                "Back to the alerts"
            </a>
        </p>
        <Feedback message=feedback.into() />
        <TicketPsaChoice admin=me.may(Role::Admin) changed said=feedback />
        <Loaded resource=companies class="mt-6" let:view>
            <CompaniesBody view choices />
        </Loaded>
    }
}

#[component]
fn CompaniesBody(view: TicketCompaniesView, choices: Option<Choices>) -> impl IntoView {
    let TicketCompaniesView { psa, psa_name, company_word, companies_word, configured, read_error, rows, companies } =
        view;
    if psa == TicketPsa::Autotask {
        return view! {
            <p class="text-sm text-slate-700" data-testid="autotask-companies">
                "Autotask tickets go to the company each customer is mapped to. "
                <a class="text-indigo-700 underline" href="/mapping/customers">
                    "Map customers"
                </a>
            </p>
        }
        .into_any();
    }
    let without = rows.iter().filter(|r| r.company.is_none()).count();
    let suggested = rows.iter().filter(|r| r.company.is_none() && r.suggestion.is_some()).count();
    let heading = format!("Customers' {psa_name} {companies_word}");
    let summary = format!(
        "{} of {} customers have a {company_word}; {without} have none and get no ticket.",
        rows.len() - without,
        rows.len()
    );
    let companies = StoredValue::new(companies);
    let word = StoredValue::new(company_word);
    view! {
        <section aria-labelledby="ticket-companies">
            <h2 id="ticket-companies" class="text-lg font-semibold">
                {heading}
            </h2>
            {(!configured)
                .then(|| {
                    view! {
                        <p class="mt-1 text-sm text-amber-800">
                            {format!("{psa_name} is not set up: an Admin sets it up under Settings.")}
                        </p>
                    }
                })}
            {read_error
                .map(|e| {
                    view! {
                        <p class="mt-1 text-sm text-red-700" data-testid="companies-error">
                            {format!("The {companies_word} could not be read from {psa_name}: {e}")}
                        </p>
                    }
                })}
            <p class="mt-1 text-sm text-slate-700" data-testid="companies-summary">
                {summary}
            </p>
            {choices
                .filter(|_| suggested > 0)
                .map(|c| {
                    view! {
                        <button
                            class=format!("mt-3 {}", button::PRIMARY)
                            disabled=move || c.accept_all.pending().get()
                            on:click=move |_| send(c.accept_all, AcceptTicketCompanies {})
                        >
                            {format!("Accept all {suggested} suggestions")}
                        </button>
                    }
                })}
            <datalist id="psa-companies">
                {companies
                    .with_value(|cs| {
                        cs.iter().map(|c| view! { <option value=c.name.clone()></option> }).collect_view()
                    })}
            </datalist>
            <table class="mt-4 w-full text-left text-sm">
                <thead class="text-slate-600">
                    <tr>
                        <th class="py-2 pr-3 font-normal">"Customer"</th>
                        <th class="py-2 pr-3 font-normal">{format!("{psa_name} {}", word.get_value())}</th>
                        <th class="py-2 font-normal">
                            <span class="sr-only">"Actions"</span>
                        </th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|row| view! { <CompanyLine row companies choices word /> }).collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}

#[component]
fn CompanyLine(
    row: TicketCompanyLine,
    companies: StoredValue<Vec<PsaCompany>>,
    choices: Option<Choices>,
    word: StoredValue<String>,
) -> impl IntoView {
    let TicketCompanyLine { tenant_id, tenant_name, company, set_by, set_at, suggestion } = row;
    let current = match (&company, &suggestion) {
        (Some(c), _) => {
            let who = match (set_by, set_at) {
                (by, Some(at)) => view! {
                    <span class="block text-xs text-slate-500" title=exact(at)>
                        {format!("chosen by {}, {}", by.unwrap_or_else(|| "someone".into()), relative(at))}
                    </span>
                }
                .into_any(),
                _ => ().into_any(),
            };
            view! {
                <span data-testid="chosen-company">{c.name.clone()}</span>
                {who}
            }
            .into_any()
        }
        (None, Some(s)) => view! {
            <span class="text-amber-800" data-testid="suggested-company">
                {format!("Suggested: {}", s.company.name)}
            </span>
            <span class="block text-xs text-slate-500">
                {format!("{} ({:.0}% sure)", s.reason, s.confidence * 100.0)}
            </span>
        }
        .into_any(),
        (None, None) => {
            view! { <span class="text-slate-500">{format!("No {} — no ticket", word.get_value())}</span> }.into_any()
        }
    };
    let actions = choices.map(|c| {
        let typed = RwSignal::new(String::new());
        let pending = c.set.pending();
        let tenant = StoredValue::new(tenant_id.clone());
        let set = move |company_id: Option<i64>| {
            send(c.set, SetTicketCompany { tenant_id: tenant.get_value(), company_id });
        };
        let chosen_id = move || {
            let name = typed.get();
            companies.with_value(|cs| cs.iter().find(|c| c.name.eq_ignore_ascii_case(name.trim())).map(|c| c.id))
        };
        let field = format!("company-for-{}", tenant_id.as_str());
        let label = format!("{} for {tenant_name}", word.get_value());
        let accept = suggestion.as_ref().filter(|_| company.is_none()).map(|s| s.company.id);
        let has_company = company.is_some();
        view! {
            <div class="flex flex-wrap items-center gap-2">
                {accept
                    .map(|id| {
                        view! {
                            <button class=button::IN_ROW disabled=move || pending.get() on:click=move |_| set(Some(id))>
                                "Accept"
                                <span class="sr-only">{format!(" the suggestion for {tenant_name}")}</span>
                            </button>
                        }
                    })} <label class="sr-only" for=field.clone()>
                    {label}
                </label>
                <input
                    id=field
                    list="psa-companies"
                    class="w-56 rounded-md border border-slate-300 px-2 py-1"
                    placeholder=format!("Type a {}…", word.get_value())
                    prop:value=move || typed.get()
                    on:input=move |ev| typed.set(event_target_value(&ev))
                />
                <button
                    class=button::IN_ROW
                    disabled=move || pending.get() || chosen_id().is_none()
                    on:click=move |_| set(chosen_id())
                >
                    "Choose"
                </button>
                {has_company
                    .then(|| {
                        view! {
                            <button class=button::IN_ROW disabled=move || pending.get() on:click=move |_| set(None)>
                                "Clear"
                            </button>
                        }
                    })}
            </div>
        }
    });
    view! {
        <tr class="border-t border-slate-200 align-top" data-testid="ticket-company">
            <td class="py-2 pr-3 font-medium" data-testid="tenant-name">
                {tenant_name.clone()}
            </td>
            <td class="py-2 pr-3">{current}</td>
            <td class="py-2">{actions}</td>
        </tr>
    }
}
