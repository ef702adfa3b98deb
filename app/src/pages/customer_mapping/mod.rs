//! Customer mapping: every tenant tied to its Autotask company, deliberately ignored, or not
//! mapped yet, with suggestions. Viewers read; Editors change (in a modal); Admins also copy ids.

use leptos::prelude::*;
use leptos_meta::Title;
use seatsync_domain::{suggest::STRONG_CONFIDENCE, CompanyId, Role, TenantId};

use crate::{
    api::{
        mapping::{
            customer_mappings, AcceptItem, AcceptSuggestions, DismissSuggestion, MappingState, RefreshInfo,
            SuggestionInfo, TenantMappingRow, UndoAcceptedSuggestions, UndoTenantAccept,
        },
        me::Me,
    },
    components::common::{
        button,
        mutation::{on_answer, send},
        url_param::{url_param, Flag},
        Loaded, WhyDisabled,
    },
    components::{
        mapping::{
            history::MappingHistory,
            refresh_line::RefreshLine,
            status_counts::{Filter, StatusCounts},
            tally,
            tenant_modal::TenantModal,
            UndoBulkAccept,
        },
        modal::{Feedback, Modal},
    },
};

mod filters;
mod row;

use filters::FilterBar;
use row::{MappingRow, RowActions};

#[component]
pub fn CustomerMappingPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| customer_mappings());
    view! {
        <Title text="Customer mapping" />
        <Loaded resource=data let:d>
            <MappingTable rows=d.rows refresh=d.refresh configured=d.autotask_configured />
        </Loaded>
    }
}

#[component]
fn MappingTable(rows: Vec<TenantMappingRow>, refresh: Option<RefreshInfo>, configured: bool) -> impl IntoView {
    const FIRST: usize = 200;
    let me = expect_context::<Me>();
    let may_edit = me.may(Role::Editor);
    let is_admin = me.may(Role::Admin);
    let rows = RwSignal::new(rows);
    let refresh = RwSignal::new(refresh);
    let filter = url_param::<Filter>("status");
    let hide_mapped = url_param::<Flag>("hide_mapped");
    let search = url_param::<String>("q");
    let show_all = RwSignal::new(false);
    let editing = RwSignal::new(None::<TenantMappingRow>);
    let history_of = RwSignal::new(None::<(String, String)>);
    let feedback = RwSignal::new(None::<Result<String, String>>);
    let accept_action = ServerAction::<AcceptSuggestions>::new();
    let dismiss_action = ServerAction::<DismissSuggestion>::new();
    // Which tenant's suggestion the dismissal in flight is for (one at a time: `send`).
    let dismissed = StoredValue::new(None::<TenantId>);
    // Rows' accept and dismiss buttons wait while either runs, so no click is dropped unseen.
    let undo_action = ServerAction::<UndoAcceptedSuggestions>::new();
    // What the last bulk accept mapped, with the suggestion each tenant had: its undo brings the
    // suggestion back with the unmapped row.
    let last_accepted = RwSignal::new(Vec::<(UndoTenantAccept, Option<SuggestionInfo>)>::new());
    let busy = Signal::derive(move || {
        accept_action.pending().get() || dismiss_action.pending().get() || undo_action.pending().get()
    });

    let shown = Memo::new(move |_| {
        let needle = search.get().to_lowercase();
        let f = filter.get();
        let hide = hide_mapped.get().0;
        rows.with(|r| {
            r.iter()
                .filter(|x| match f {
                    Filter::All => true,
                    Filter::Only(s) => x.state == s,
                })
                .filter(|x| !(hide && x.state == MappingState::Mapped))
                .filter(|x| {
                    needle.is_empty()
                        || x.name.to_lowercase().contains(&needle)
                        || x.domain.as_deref().unwrap_or("").contains(&needle)
                        || x.company_name.as_deref().unwrap_or("").to_lowercase().contains(&needle)
                })
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let replace = move |saved: TenantMappingRow| {
        rows.update(|r| {
            if let Some(x) = r.iter_mut().find(|x| x.tenant_id == saved.tenant_id) {
                let suggestion = if saved.state == MappingState::Unmapped { x.suggestion.clone() } else { None };
                *x = TenantMappingRow { suggestion, ..saved };
            }
        })
    };
    let on_saved = Callback::new(replace);
    // Who holds a company already, besides the tenant being mapped: mapped to it, or its strong
    // suggestion (a company is suggested to one tenant only).
    let claimed = Callback::new(move |(tenant, company): (TenantId, CompanyId)| {
        rows.with_untracked(|all| {
            let others = || all.iter().filter(|x| x.tenant_id != tenant);
            if let Some(other) = others().find(|x| x.state == MappingState::Mapped && x.company_id == Some(company)) {
                return Some(format!(
                    "{} is already the company of {}",
                    other.company_name.clone().unwrap_or_else(|| format!("Company {company}")),
                    other.name
                ));
            }
            others().find_map(|x| {
                let s =
                    x.suggestion.as_ref().filter(|s| s.company_id == company && s.confidence >= STRONG_CONFIDENCE)?;
                Some(format!(
                    "{} is the suggested company of {} ({:.0}% sure)",
                    s.company_name,
                    x.name,
                    s.confidence * 100.0
                ))
            })
        })
    });
    on_answer(accept_action, move |answer| match answer {
        Ok(outcomes) => {
            let mut accepted = Vec::new();
            let (ok, problems) = tally(outcomes.into_iter().map(|o| (o.row, o.error)), |row: TenantMappingRow| {
                let suggestion = rows.with_untracked(|r| {
                    r.iter().find(|x| x.tenant_id == row.tenant_id).and_then(|x| x.suggestion.clone())
                });
                accepted
                    .push((UndoTenantAccept { tenant_id: row.tenant_id.clone(), version: row.version }, suggestion));
                replace(row);
            });
            last_accepted.set(accepted);
            feedback.set(Some(if problems.is_empty() {
                Ok(format!("Mapped {ok} tenant(s) to their suggested companies."))
            } else {
                Err(format!("Mapped {ok}; {} could not be saved: {}", problems.len(), problems.join(" ")))
            }));
        }
        Err(e) => feedback.set(Some(Err(e.to_string()))),
    });
    on_answer(undo_action, move |answer| match answer {
        Ok(outcomes) => {
            let suggestions = last_accepted.get_untracked();
            let (ok, problems) = tally(outcomes.into_iter().map(|o| (o.row, o.error)), |row: TenantMappingRow| {
                let suggestion =
                    suggestions.iter().find(|(u, _)| u.tenant_id == row.tenant_id).and_then(|(_, s)| s.clone());
                replace(row.clone());
                rows.update(|r| {
                    if let Some(x) = r.iter_mut().find(|x| x.tenant_id == row.tenant_id) {
                        x.suggestion = suggestion;
                    }
                });
            });
            last_accepted.set(Vec::new());
            feedback.set(Some(if problems.is_empty() {
                Ok(format!("Undone: {ok} tenant(s) are not mapped again."))
            } else {
                Err(format!("Undone for {ok}; {} left as they are: {}", problems.len(), problems.join(" ")))
            }));
        }
        Err(e) => feedback.set(Some(Err(e.to_string()))),
    });
    let undo = Callback::new(move |()| {
        let items: Vec<UndoTenantAccept> = last_accepted.with_untracked(|l| l.iter().map(|(u, _)| u.clone()).collect());
        feedback.set(None);
        send(undo_action, UndoAcceptedSuggestions { items });
    });
    let accept = Callback::new(move |items: Vec<AcceptItem>| {
        if items.is_empty() {
            return;
        }
        feedback.set(None);
        last_accepted.set(Vec::new());
        send(accept_action, AcceptSuggestions { items });
    });
    let accept_all = move |_| {
        let items: Vec<AcceptItem> = shown.with_untracked(|r| {
            r.iter()
                .filter_map(|x| {
                    x.suggestion.as_ref().map(|s| AcceptItem {
                        tenant_id: x.tenant_id.clone(),
                        company_id: s.company_id,
                        version: x.version,
                    })
                })
                .collect()
        });
        accept.run(items);
    };
    on_answer(dismiss_action, move |answer| match answer {
        Ok(()) => {
            let Some(tenant_id) = dismissed.get_value() else { return };
            rows.update(|r| {
                if let Some(x) = r.iter_mut().find(|x| x.tenant_id == tenant_id) {
                    x.suggestion = None;
                }
            })
        }
        Err(e) => feedback.set(Some(Err(e.to_string()))),
    });
    let dismiss = Callback::new(move |(tenant_id, company_id): (TenantId, CompanyId)| {
        if dismiss_action.pending().get_untracked() {
            return;
        }
        dismissed.set_value(Some(tenant_id.clone()));
        send(dismiss_action, DismissSuggestion { tenant_id, company_id });
    });
    let actions = RowActions {
        may_edit,
        is_admin,
        busy,
        accept,
        dismiss,
        edit: Callback::new(move |row| editing.set(Some(row))),
        history: Callback::new(move |key| history_of.set(Some(key))),
        feedback,
    };
    let suggestions_shown = Memo::new(move |_| shown.with(|r| r.iter().filter(|x| x.suggestion.is_some()).count()));

    view! {
        <div class="flex flex-wrap items-start justify-between gap-4">
            <div>
                <h1 class="text-2xl font-semibold">"Customer mapping"</h1>
                <p class="mt-1 text-sm text-slate-500">
                    "Each customer tenant is billed as one Autotask company, or deliberately ignored."
                </p>
            </div>
            <RefreshLine refresh configured may_edit what="Companies" />
        </div>
        <StatusCounts
            count=Callback::new(move |state| rows.with(|r| r.iter().filter(|x| x.state == state).count()))
            filter
        />
        <div class="mt-4 flex flex-wrap items-center gap-4">
            <FilterBar filter search hide_mapped />
            {may_edit
                .then(|| {
                    view! {
                        <div class="ml-auto text-right">
                            <button
                                class=button::PRIMARY
                                disabled=move || busy.get() || suggestions_shown.get() == 0
                                on:click=accept_all
                            >
                                {move || format!("Accept {} suggestions", suggestions_shown.get())}
                            </button>
                            <WhyDisabled reason=Signal::derive(move || {
                                (suggestions_shown.get() == 0)
                                    .then(|| "No tenant shown has a suggestion to accept.".to_string())
                            }) />
                        </div>
                    }
                })}
        </div>
        <Feedback message=feedback.into() />
        <UndoBulkAccept count=Signal::derive(move || last_accepted.with(Vec::len)) noun="tenant" busy on_undo=undo />
        <div class="mt-3 overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
            <table class="w-full text-sm" aria-label="Tenant mappings">
                <thead class="bg-slate-100 text-left text-slate-600">
                    <tr>
                        <th class="px-3 py-2">"Tenant"</th>
                        <th class="px-3 py-2">"Status"</th>
                        <th class="px-3 py-2">"Suggestion"</th>
                        <th class="px-3 py-2">"Actions"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let list = shown.get();
                        let limit = if show_all.get() { list.len() } else { FIRST };
                        list.into_iter().take(limit).map(|r| view! { <MappingRow r actions /> }).collect_view()
                    }}
                </tbody>
            </table>
        </div>
        {move || {
            let n = shown.with(Vec::len);
            (n > FIRST && !show_all.get())
                .then(|| {
                    view! {
                        <button class="mt-3 text-sm text-indigo-700 underline" on:click=move |_| show_all.set(true)>
                            {format!("Show all {n} tenants")}
                        </button>
                    }
                })
        }}
        {move || {
            editing
                .get()
                .map(|row| {
                    let on_done = Callback::new(move |message: String| {
                        editing.set(None);
                        feedback.set(Some(Ok(message)));
                    });
                    view! {
                        <TenantModal row on_saved on_done claimed on_close=Callback::new(move |_| editing.set(None)) />
                    }
                })
        }}
        {move || {
            history_of
                .get()
                .map(|(name, key)| {
                    view! {
                        <Modal title=format!("History of {name}") on_close=Callback::new(move |_| history_of.set(None))>
                            <MappingHistory kind="tenant" key version=Signal::derive(|| 0) />
                        </Modal>
                    }
                })
        }}
    }
}
