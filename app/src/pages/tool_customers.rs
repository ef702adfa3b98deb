//! A billing tool's customers (`/billing/tools/:tool`): which PSA company each Datto RMM site or
//! Huntress organization is. The tool's own link or the customer's Microsoft tenant places most;
//! SeatSync suggests a company for the rest by name and domain, and an Editor accepts one or all,
//! chooses by typing a name, leaves one out (the MSP's own site) or withdraws a decision. Every
//! decision is listed below with who made it. A customer placed nowhere is named on the report.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use seatsync_domain::{kinds::BillingTool, Role};

use crate::{
    api::{
        billing::{
            load_tool_customers, AcceptToolCustomers, IgnoreToolCustomer, PlaceToolCustomer, PsaCompany,
            ToolCustomerLine, ToolCustomersView,
        },
        me::Me,
    },
    components::{
        common::{
            button,
            format::{exact, relative},
            mutation::{on_answer, send},
            Loaded,
        },
        modal::Feedback,
    },
};

/// The actions of an Editor; a Viewer gets none.
#[derive(Clone, Copy)]
struct Choices {
    place: ServerAction<PlaceToolCustomer>,
    ignore: ServerAction<IgnoreToolCustomer>,
    accept_all: ServerAction<AcceptToolCustomers>,
}

#[component]
pub fn ToolCustomersPage() -> impl IntoView {
    let me = expect_context::<Me>();
    let params = use_params_map();
    let tool = move || params.read().get("tool").and_then(|t| BillingTool::parse(&t));
    let changed = RwSignal::new(0u32);
    let customers = Resource::new(
        move || (tool(), changed.get()),
        |(tool, _)| async move {
            match tool {
                Some(tool) => load_tool_customers(tool).await,
                None => Err(crate::error::AppError::NotFound("That billing tool".into())),
            }
        },
    );
    let feedback = RwSignal::new(None::<Result<String, String>>);
    let choices = Choices { place: ServerAction::new(), ignore: ServerAction::new(), accept_all: ServerAction::new() };
    let answered = move |answer: Result<String, crate::error::AppError>| {
        feedback.set(Some(answer.map_err(|e| e.to_string())));
        changed.update(|c| *c += 1);
    };
    on_answer(choices.place, answered);
    on_answer(choices.ignore, answered);
    on_answer(choices.accept_all, answered);
    let choices = me.may(Role::Editor).then_some(choices);
    let title = move || tool().map(|t| format!("{} {}", t.name(), t.customers_word())).unwrap_or_default();
    view! {
        <Title text=title />
        <h1 class="text-2xl font-semibold">{move || format!("{}: which company each is", title())}</h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-600">
            "Each of the tool's customers is billed to one Autotask company: the one a person chose here, else the one the tool itself links it to, else the company of its Microsoft tenant. One placed nowhere is left out of the report and named on it. Changes apply from the next report."
        </p>
        {move || {
            (tool() == Some(BillingTool::Pax8))
                .then(|| {
                    view! {
                        <p class="mt-1 max-w-3xl text-sm text-slate-600">
                            "A Pax8 company's Microsoft tenant is the one it is matched to on the "
                            <a class="text-indigo-700 underline" href="/alerts/pax8-companies">
                                "Pax8 companies and tenants"
                            </a> " page. A company that buys nothing from Microsoft has no tenant: place it here."
                        </p>
                    }
                })
        }}
        <p class="mt-2 text-sm">
            <a class="text-indigo-700 underline" href="/billing">
                "Back to the billing report"
            </a>
        </p>
        <Feedback message=feedback.into() />
        <Loaded resource=customers class="mt-6" let:view>
            <CustomersBody view choices />
        </Loaded>
    }
}

#[component]
fn CustomersBody(view: ToolCustomersView, choices: Option<Choices>) -> impl IntoView {
    let ToolCustomersView {
        tool,
        tool_name,
        customer_word,
        customers_word,
        configured,
        last_read,
        customers,
        companies,
        history,
    } = view;
    let listed: Vec<&ToolCustomerLine> = customers.iter().filter(|c| !c.gone).collect();
    let placed = listed.iter().filter(|c| c.company.is_some()).count();
    let ignored = listed.iter().filter(|c| c.ignored).count();
    let open = listed.len() - placed - ignored;
    let suggested = listed.iter().filter(|c| c.company.is_none() && !c.ignored && c.suggestion.is_some()).count();
    let summary = format!(
        "{} {customers_word}: {placed} placed in a company, {open} placed nowhere (not billed), {ignored} left out.",
        listed.len()
    );
    let filter = RwSignal::new(String::new());
    let companies = StoredValue::new(companies);
    let rows = StoredValue::new(customers);
    view! {
        <section aria-labelledby="tool-customers">
            <h2 id="tool-customers" class="text-lg font-semibold">
                {format!("{tool_name}'s {customers_word}")}
            </h2>
            {(!configured)
                .then(|| {
                    view! {
                        <p class="mt-1 text-sm text-amber-800" data-testid="tool-not-configured">
                            {format!(
                                "{tool_name} is not set up: an Admin sets it up under Settings › Integrations, and the next report reads its {customers_word}.",
                            )}
                        </p>
                    }
                })}
            {match last_read {
                Some(at) => {
                    view! {
                        <p class="mt-1 text-sm text-slate-700" data-testid="tool-customers-summary">
                            {summary}
                            " "
                            <span class="text-slate-500" title=exact(at)>
                                {format!("As the report read them {}.", relative(at))}
                            </span>
                        </p>
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <p class="mt-1 text-sm text-slate-700" data-testid="tool-customers-summary">
                            {format!(
                                "No report has read {tool_name}'s {customers_word} yet: run the billing report once it is set up.",
                            )}
                        </p>
                    }
                        .into_any()
                }
            }}
            <div class="mt-3 flex flex-wrap items-center gap-3">
                {choices
                    .filter(|_| suggested > 0)
                    .map(|c| {
                        view! {
                            <button
                                class=button::PRIMARY
                                disabled=move || c.accept_all.pending().get()
                                on:click=move |_| send(c.accept_all, AcceptToolCustomers { tool })
                            >
                                {format!("Accept all {suggested} suggestions")}
                            </button>
                        }
                    })}
                <label class="text-sm text-slate-700">
                    {format!("Find a {customer_word} ")}
                    <input
                        type="search"
                        class="ml-1 w-56 rounded-md border border-slate-300 px-2 py-1"
                        prop:value=move || filter.get()
                        on:input=move |ev| filter.set(event_target_value(&ev))
                    />
                </label>
            </div>
            <datalist id="autotask-companies">
                {companies
                    .with_value(|cs| {
                        cs.iter().map(|c| view! { <option value=c.name.clone()></option> }).collect_view()
                    })}
            </datalist>
            <table class="mt-4 w-full text-left text-sm">
                <thead class="text-slate-600">
                    <tr>
                        <th class="py-2 pr-3 font-normal">{format!("{tool_name} {customer_word}")}</th>
                        <th class="py-2 pr-3 font-normal">"Autotask company"</th>
                        <th class="py-2 font-normal">
                            <span class="sr-only">"Actions"</span>
                        </th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let wanted = filter.get().trim().to_lowercase();
                        rows.with_value(|rows| {
                            rows.iter()
                                .filter(|r| wanted.is_empty() || r.name.to_lowercase().contains(&wanted))
                                .cloned()
                                .map(|row| view! { <CustomerLine tool row companies choices /> })
                                .collect_view()
                        })
                    }}
                </tbody>
            </table>
        </section>
        <History history />
    }
}

#[component]
fn CustomerLine(
    tool: BillingTool,
    row: ToolCustomerLine,
    companies: StoredValue<Vec<PsaCompany>>,
    choices: Option<Choices>,
) -> impl IntoView {
    let ToolCustomerLine { key, name, company, placed_by, ignored, decided, decided_by, decided_at, suggestion, gone } =
        row;
    let who = move || match decided_at {
        Some(at) => view! {
            <span class="block text-xs text-slate-500" title=exact(at)>
                {format!("by {}, {}", decided_by.clone().unwrap_or_else(|| "someone".into()), relative(at))}
            </span>
        }
        .into_any(),
        None => ().into_any(),
    };
    let current = match (&company, ignored, &suggestion) {
        (_, true, _) => view! {
            <span class="text-slate-600" data-testid="tool-customer-ignored">
                "Left out: not billed"
            </span>
            {who()}
        }
        .into_any(),
        (Some(c), _, _) => view! {
            <span data-testid="tool-customer-company">{c.name.clone()}</span>
            <span class="block text-xs text-slate-500">{placed_by.clone().unwrap_or_default()}</span>
            {decided.then(who)}
        }
        .into_any(),
        (None, _, Some(s)) => view! {
            <span class="text-amber-800" data-testid="tool-customer-suggestion">
                {format!("Suggested: {}", s.company.name)}
            </span>
            <span class="block text-xs text-slate-500">
                {format!("{} ({:.0}% sure)", s.reason, s.confidence * 100.0)}
            </span>
        }
        .into_any(),
        (None, _, None) => view! {
            <span class="text-red-700" data-testid="tool-customer-unplaced">
                "No company: not billed"
            </span>
        }
        .into_any(),
    };
    let actions = choices.map(|c| {
        let typed = RwSignal::new(String::new());
        let pending = Signal::derive(move || c.place.pending().get() || c.ignore.pending().get());
        let key = StoredValue::new(key.clone());
        let place = move |company_id: Option<i64>| {
            send(c.place, PlaceToolCustomer { tool, key: key.get_value(), company_id });
        };
        let chosen_id = move || {
            let typed = typed.get();
            companies.with_value(|cs| cs.iter().find(|c| c.name.eq_ignore_ascii_case(typed.trim())).map(|c| c.id))
        };
        let field = format!("company-for-{}", key.get_value());
        let accept = suggestion.as_ref().filter(|_| company.is_none() && !ignored).map(|s| s.company.id);
        let name = StoredValue::new(name.clone());
        view! {
            <div class="flex flex-wrap items-center gap-2">
                {accept
                    .map(|id| {
                        view! {
                            <button
                                class=button::IN_ROW
                                disabled=move || pending.get()
                                on:click=move |_| place(Some(id))
                            >
                                "Accept"
                                <span class="sr-only">{format!(" the suggestion for {}", name.get_value())}</span>
                            </button>
                        }
                    })} <label class="sr-only" for=field.clone()>
                    {format!("Autotask company for {}", name.get_value())}
                </label>
                <input
                    id=field
                    list="autotask-companies"
                    class="w-56 rounded-md border border-slate-300 px-2 py-1"
                    placeholder="Type a company…"
                    prop:value=move || typed.get()
                    on:input=move |ev| typed.set(event_target_value(&ev))
                />
                <button
                    class=button::IN_ROW
                    disabled=move || pending.get() || chosen_id().is_none()
                    on:click=move |_| place(chosen_id())
                >
                    "Choose"
                    <span class="sr-only">{format!(" for {}", name.get_value())}</span>
                </button>
                {(!ignored)
                    .then(|| {
                        view! {
                            <button
                                class=button::IN_ROW
                                disabled=move || pending.get()
                                on:click=move |_| send(
                                    c.ignore,
                                    IgnoreToolCustomer {
                                        tool,
                                        key: key.get_value(),
                                    },
                                )
                            >
                                "Leave out"
                                <span class="sr-only">{format!(" {}", name.get_value())}</span>
                            </button>
                        }
                    })}
                {decided
                    .then(|| {
                        view! {
                            <button class=button::IN_ROW disabled=move || pending.get() on:click=move |_| place(None)>
                                "Withdraw decision"
                                <span class="sr-only">{format!(" for {}", name.get_value())}</span>
                            </button>
                        }
                    })}
            </div>
        }
    });
    view! {
        <tr class="border-t border-slate-200 align-top" data-testid="tool-customer">
            <td class="py-2 pr-3">
                <span class="font-medium" data-testid="tool-customer-name">
                    {name.clone()}
                </span>
                {gone
                    .then(|| {
                        view! {
                            <span class="block text-xs text-slate-500">
                                {format!("not listed by {} at the last read", tool.name())}
                            </span>
                        }
                    })}
            </td>
            <td class="py-2 pr-3">{current}</td>
            <td class="py-2">{actions}</td>
        </tr>
    }
}

#[component]
fn History(history: Vec<crate::api::billing::ToolCustomerDecision>) -> impl IntoView {
    (!history.is_empty()).then(|| {
        view! {
            <section class="mt-8" aria-labelledby="tool-customer-history">
                <h2 id="tool-customer-history" class="text-lg font-semibold">
                    "Decisions"
                </h2>
                <ul class="mt-2 grid gap-1 text-sm" data-testid="tool-customer-history">
                    {history
                        .into_iter()
                        .map(|h| {
                            view! {
                                <li>
                                    <span class="font-medium">{h.customer_name}</span>
                                    {format!(": {}, by {} ", h.what, h.by.unwrap_or_else(|| "someone".into()))}
                                    <span class="text-slate-500" title=exact(h.at)>
                                        {relative(h.at)}
                                    </span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        }
    })
}
