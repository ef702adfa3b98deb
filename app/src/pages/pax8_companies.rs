//! Pax8 companies: which tenant each one is. SeatSync matches a company whose subscriptions
//! point at a tenant's Partner Center subscriptions, and suggests one by domain and name; an
//! Editor confirms or ignores a suggestion (one or all), picks the tenant by hand, or gives a
//! decision back to SeatSync's matching. Until then a suggested company's subscriptions are not
//! alerted, since a wrong match would change the wrong customer's licences.

use leptos::prelude::*;
use leptos_meta::Title;
use seatsync_domain::{kinds::Pax8LinkState, Role, TenantId};

use crate::{
    api::{
        me::Me,
        pax8::{
            pax8_companies, AcceptPax8Suggestions, DecidePax8Company, Pax8CompaniesView, Pax8CompanyRow, Pax8Decide,
            TenantChoice,
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
        pax8_products::Pax8Products,
    },
};

/// The actions of an Editor; a Viewer gets none.
#[derive(Clone, Copy)]
struct Decisions {
    decide: ServerAction<DecidePax8Company>,
    accept_all: ServerAction<AcceptPax8Suggestions>,
}

#[component]
pub fn Pax8CompaniesPage() -> impl IntoView {
    let me = expect_context::<Me>();
    let changed = RwSignal::new(0u32);
    let data = Resource::new(move || changed.get(), |_| pax8_companies());
    let feedback = RwSignal::new(None::<Result<String, String>>);
    let decisions = Decisions { decide: ServerAction::new(), accept_all: ServerAction::new() };
    let answered = move |answer: Result<String, crate::error::AppError>| {
        match answer {
            Ok(words) => feedback.set(Some(Ok(words))),
            Err(e) => feedback.set(Some(Err(e.to_string()))),
        }
        changed.update(|c| *c += 1);
    };
    on_answer(decisions.decide, answered);
    on_answer(decisions.accept_all, answered);
    let decisions = me.may(Role::Editor).then_some(decisions);
    view! {
        <Title text="Pax8 companies" />
        <h1 class="text-2xl font-semibold">"Pax8 companies"</h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-600">
            "Which customer each Pax8 company is. A company whose subscriptions are a tenant's in Partner Center is matched by SeatSync; others are suggested by domain and name and wait for a person, since a wrong match would change the wrong customer's licences. Decisions count from the next alert run."
        </p>
        <p class="mt-2 text-sm">
            <a class="text-indigo-700 underline" href="/alerts">
                "Back to the alerts"
            </a>
        </p>
        <Feedback message=feedback.into() />
        <Loaded resource=data class="mt-6" let:view>
            <CompaniesBody view decisions />
        </Loaded>
        <Pax8Products admin=me.may(Role::Admin) />
    }
}

#[component]
fn CompaniesBody(view: Pax8CompaniesView, decisions: Option<Decisions>) -> impl IntoView {
    let Pax8CompaniesView { companies, tenants, read_at, pax8_configured } = view;
    let suggested = companies.iter().filter(|c| c.state == Some(Pax8LinkState::Suggested)).count();
    let read = match (pax8_configured, read_at) {
        (false, _) => "Pax8 is not set up: an Admin sets it up under Settings, then the alert run reads its companies."
            .to_string(),
        (true, None) => {
            "Pax8 has not been read yet: the next unused-licence alert run or billing report reads it.".to_string()
        }
        (true, Some(at)) => format!("Pax8 read {} by the alert run.", relative(at)),
    };
    let tenants = StoredValue::new(tenants);
    view! {
        <p class="text-sm text-slate-700" data-testid="pax8-read">
            {read}
        </p>
        {decisions
            .filter(|_| suggested > 0)
            .map(|d| {
                view! {
                    <div class="mt-3 flex items-center gap-3">
                        <button
                            class=button::PRIMARY
                            disabled=move || d.accept_all.pending().get()
                            on:click=move |_| send(d.accept_all, AcceptPax8Suggestions {})
                        >
                            {format!("Accept all {suggested} suggestions")}
                        </button>
                    </div>
                }
            })}
        {if companies.is_empty() {
            view! { <p class="mt-4 text-sm text-slate-600">"No Pax8 company is known yet."</p> }.into_any()
        } else {
            view! {
                <table class="mt-4 w-full text-left text-sm">
                    <thead class="text-slate-600">
                        <tr>
                            <th class="py-2 pr-3 font-normal">"Pax8 company"</th>
                            <th class="py-2 pr-3 font-normal">"Customer"</th>
                            <th class="py-2 pr-3 font-normal">"How SeatSync knows"</th>
                            <th class="py-2 font-normal">
                                <span class="sr-only">"Actions"</span>
                            </th>
                        </tr>
                    </thead>
                    <tbody>
                        {companies
                            .into_iter()
                            .map(|company| view! { <CompanyRow company tenants decisions /> })
                            .collect_view()}
                    </tbody>
                </table>
            }
                .into_any()
        }}
    }
}

fn state_words(row: &Pax8CompanyRow) -> (&'static str, &'static str) {
    match row.state {
        None => ("no customer found", "text-slate-600"),
        Some(Pax8LinkState::Matched) => ("matched", "text-emerald-800"),
        Some(Pax8LinkState::Suggested) => ("suggested, waiting for a person", "text-amber-800"),
        Some(Pax8LinkState::Confirmed) => ("confirmed", "text-emerald-800"),
        Some(Pax8LinkState::Ignored) => ("ignored", "text-slate-600"),
    }
}

#[component]
fn CompanyRow(
    company: Pax8CompanyRow,
    tenants: StoredValue<Vec<TenantChoice>>,
    decisions: Option<Decisions>,
) -> impl IntoView {
    let (state, state_class) = state_words(&company);
    let why = match (&company.state, &company.decided_by, company.decided_at) {
        (Some(Pax8LinkState::Confirmed | Pax8LinkState::Ignored), by, Some(at)) => {
            format!("{} decided, {}", by.clone().unwrap_or_else(|| "Someone".into()), relative(at))
        }
        (_, _, _) => {
            // A match by subscriptions is certain; only a suggestion says how sure it is.
            let confidence = company
                .confidence
                .filter(|_| company.state == Some(Pax8LinkState::Suggested))
                .map(|c| format!(" ({:.0}% sure)", c * 100.0))
                .unwrap_or_default();
            company.reason.clone().map(|r| format!("{r}{confidence}")).unwrap_or_else(|| "—".into())
        }
    };
    let history = company.history.clone();
    let id = company.id.clone();
    let name = company.name.clone();
    let subscriptions = company.subscriptions;
    let decided = matches!(company.state, Some(Pax8LinkState::Confirmed | Pax8LinkState::Ignored));
    let suggested_tenant = company.tenant_id.clone().filter(|_| !decided);
    view! {
        <tr class="border-t border-slate-200 align-top" data-testid="pax8-company">
            <td class="py-2 pr-3">
                <span class="font-medium" data-testid="pax8-name">
                    {name.clone()}
                </span>
                <span class="block text-xs text-slate-500">
                    {format!("{subscriptions} subscriptions")} {company.website.clone().map(|w| format!(" · {w}"))}
                    {company.status.clone().filter(|s| !s.eq_ignore_ascii_case("active")).map(|s| format!(" · {s}"))}
                </span>
            </td>
            <td class="py-2 pr-3">
                <span>{company.tenant_name.clone().unwrap_or_else(|| "—".into())}</span>
                <span class=format!("block text-xs {state_class}") data-testid="pax8-state">
                    {state}
                </span>
            </td>
            <td class="py-2 pr-3 text-slate-700">
                {why}
                {(!history.is_empty())
                    .then(|| {
                        view! {
                            <details class="mt-1 text-xs text-slate-600">
                                <summary>"History"</summary>
                                <ul data-testid="pax8-history">
                                    {history
                                        .into_iter()
                                        .map(|h| {
                                            view! {
                                                <li>
                                                    {format!(
                                                        "{} by {}, ",
                                                        h.words,
                                                        h.by.unwrap_or_else(|| "someone".into()),
                                                    )} <span title=exact(h.at)>{relative(h.at)}</span>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            </details>
                        }
                    })}
            </td>
            <td class="py-2">
                {decisions
                    .map(|d| {
                        view! { <CompanyActions d id=id.clone() name=name.clone() suggested_tenant decided tenants /> }
                    })}
            </td>
        </tr>
    }
}

#[component]
fn CompanyActions(
    d: Decisions,
    id: seatsync_domain::Pax8CompanyId,
    name: String,
    suggested_tenant: Option<TenantId>,
    decided: bool,
    tenants: StoredValue<Vec<TenantChoice>>,
) -> impl IntoView {
    let id_text = id.to_string();
    let chosen = RwSignal::new(suggested_tenant.clone().map(|t| t.to_string()).unwrap_or_default());
    let pending = d.decide.pending();
    let decide = move |decide: Pax8Decide, tenant: Option<TenantId>| {
        send(d.decide, DecidePax8Company { company_id: id.clone(), decide, tenant_id: tenant })
    };
    let decide = StoredValue::new(decide);
    let field = format!("pax8-tenant-{}", id_text);
    view! {
        <div class="flex flex-wrap items-center gap-2">
            {if decided {
                view! {
                    <button
                        class=button::IN_ROW
                        disabled=move || pending.get()
                        on:click=move |_| decide.with_value(|f| f(Pax8Decide::Reset, None))
                    >
                        "Undo"
                        <span class="sr-only">{format!(" the decision on {name}")}</span>
                    </button>
                }
                    .into_any()
            } else {
                view! {
                    <label class="sr-only" for=field.clone()>
                        {format!("Customer for {name}")}
                    </label>
                    <select
                        id=field
                        class="max-w-48 rounded-md border border-slate-300 px-2 py-1"
                        prop:value=move || chosen.get()
                        on:change=move |ev| chosen.set(event_target_value(&ev))
                    >
                        <option value="">"Choose a customer…"</option>
                        {tenants
                            .with_value(|ts| {
                                ts.iter()
                                    .map(|t| {
                                        let value = t.tenant_id.to_string();
                                        view! { <option value=value>{t.name.clone()}</option> }
                                    })
                                    .collect_view()
                            })}
                    </select>
                    <button
                        class=button::IN_ROW
                        disabled=move || pending.get() || chosen.get().is_empty()
                        on:click=move |_| {
                            let tenant = TenantId::new(chosen.get_untracked());
                            decide.with_value(|f| f(Pax8Decide::Confirm, Some(tenant)))
                        }
                    >
                        "Confirm"
                    </button>
                    <button
                        class=button::IN_ROW
                        disabled=move || pending.get()
                        on:click=move |_| decide.with_value(|f| f(Pax8Decide::Ignore, None))
                    >
                        "Ignore"
                    </button>
                }
                    .into_any()
            }}
        </div>
    }
}
