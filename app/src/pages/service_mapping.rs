//! Service mapping: every Microsoft offer seen in the subscriptions (offer + term + billing
//! cycle) tied to the Autotask service it is billed through, or ignored. Editors change it in a
//! modal, which can also create the service from the naming template.

use leptos::prelude::*;
use leptos_meta::Title;
use seatsync_domain::{billing_cycle_words, Role, Term};

use crate::{
    api::{
        mapping::{
            offer_mappings, AcceptServiceItem, AcceptServiceSuggestions, MappingState, OfferMappingRow, RefreshInfo,
            ServiceSuggestionInfo, UndoAcceptedServices, UndoServiceAccept,
        },
        me::Me,
    },
    components::common::{
        button,
        mutation::{on_answer, send},
        url_param::{url_param, Flag},
        Loaded, WhyDisabled,
    },
    components::modal::Feedback,
    components::{
        mapping::{
            history::MappingHistory,
            offer_modal::OfferModal,
            refresh_line::RefreshLine,
            status_counts::{Filter, StatusCounts},
            tally,
            template_bulk::TemplateBulkModal,
            UndoBulkAccept,
        },
        modal::Modal,
    },
};

#[component]
pub fn ServiceMappingPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| offer_mappings());
    view! {
        <Title text="Service mapping" />
        <Loaded resource=data let:d>
            <OfferTable rows=d.rows refresh=d.refresh configured=d.autotask_configured />
        </Loaded>
    }
}

#[component]
fn OfferTable(rows: Vec<OfferMappingRow>, refresh: Option<RefreshInfo>, configured: bool) -> impl IntoView {
    let me = expect_context::<Me>();
    let may_edit = me.may(Role::Editor);
    let rows = RwSignal::new(rows);
    let refresh = RwSignal::new(refresh);
    let filter = url_param::<Filter>("status");
    let hide_mapped = url_param::<Flag>("hide_mapped");
    let search = url_param::<String>("q");
    let editing = RwSignal::new(None::<OfferMappingRow>);
    let creating_all = RwSignal::new(false);
    let history_of = RwSignal::new(None::<(String, String)>);
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
                        || x.offer_name.to_lowercase().contains(&needle)
                        || x.product.to_lowercase().contains(&needle)
                        || x.service_name.as_deref().unwrap_or("").to_lowercase().contains(&needle)
                })
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let on_edit = Callback::new(move |row| editing.set(Some(row)));
    let on_history = Callback::new(move |key| history_of.set(Some(key)));
    let on_saved = Callback::new(move |saved: OfferMappingRow| {
        rows.update(|r| {
            if let Some(x) = r.iter_mut().find(|x| x.offer_key == saved.offer_key) {
                // A suggestion only stands while the offer is unmapped.
                let suggestion = if saved.state == MappingState::Unmapped { x.suggestion.clone() } else { None };
                *x = OfferMappingRow { suggestion, ..saved };
            }
        })
    });
    let feedback = RwSignal::new(None::<Result<String, String>>);
    let accept_action = ServerAction::<AcceptServiceSuggestions>::new();
    let undo_action = ServerAction::<UndoAcceptedServices>::new();
    // What the last bulk accept mapped, with each offer's suggestion (the undo shows it again).
    let last_accepted = RwSignal::new(Vec::<(UndoServiceAccept, Option<ServiceSuggestionInfo>)>::new());
    let busy = Signal::derive(move || accept_action.pending().get() || undo_action.pending().get());
    on_answer(accept_action, move |answer| match answer {
        Ok(outcomes) => {
            let mut accepted = Vec::new();
            let (ok, problems) = tally(outcomes.into_iter().map(|o| (o.row, o.error)), |row: OfferMappingRow| {
                let suggestion = rows.with_untracked(|r| {
                    r.iter().find(|x| x.offer_key == row.offer_key).and_then(|x| x.suggestion.clone())
                });
                accepted
                    .push((UndoServiceAccept { offer_key: row.offer_key.clone(), version: row.version }, suggestion));
                on_saved.run(row);
            });
            last_accepted.set(accepted);
            feedback.set(Some(if problems.is_empty() {
                Ok(format!("Mapped {ok} offer(s) to their suggested services."))
            } else {
                Err(format!("Mapped {ok}; {} could not be saved: {}", problems.len(), problems.join(" ")))
            }));
        }
        Err(e) => feedback.set(Some(Err(e.to_string()))),
    });
    on_answer(undo_action, move |answer| match answer {
        Ok(outcomes) => {
            let suggestions = last_accepted.get_untracked();
            let (ok, problems) = tally(outcomes.into_iter().map(|o| (o.row, o.error)), |row: OfferMappingRow| {
                let key = row.offer_key.clone();
                on_saved.run(row);
                let suggestion = suggestions.iter().find(|(u, _)| u.offer_key == key).and_then(|(_, s)| s.clone());
                rows.update(|r| {
                    if let Some(x) = r.iter_mut().find(|x| x.offer_key == key) {
                        x.suggestion = suggestion;
                    }
                });
            });
            last_accepted.set(Vec::new());
            feedback.set(Some(if problems.is_empty() {
                Ok(format!("Undone: {ok} offer(s) are not mapped again."))
            } else {
                Err(format!("Undone for {ok}; {} left as they are: {}", problems.len(), problems.join(" ")))
            }));
        }
        Err(e) => feedback.set(Some(Err(e.to_string()))),
    });
    let undo = Callback::new(move |()| {
        let items: Vec<UndoServiceAccept> =
            last_accepted.with_untracked(|l| l.iter().map(|(u, _)| u.clone()).collect());
        feedback.set(None);
        send(undo_action, UndoAcceptedServices { items });
    });
    // Only suggestions where product, term and billing all agree are accepted in bulk; a
    // product-only one is accepted row by row, by someone who looked at it.
    let exact_shown = Memo::new(move |_| {
        shown.with(|r| {
            r.iter()
                .filter_map(|x| {
                    x.suggestion.as_ref().filter(|s| s.exact).map(|s| AcceptServiceItem {
                        offer_key: x.offer_key.clone(),
                        service_id: s.service_id,
                        version: x.version,
                    })
                })
                .collect::<Vec<_>>()
        })
    });
    let unmapped = Memo::new(move |_| rows.with(|r| r.iter().filter(|x| x.state == MappingState::Unmapped).count()));
    let accept = Callback::new(move |items: Vec<AcceptServiceItem>| {
        if items.is_empty() {
            return;
        }
        feedback.set(None);
        last_accepted.set(Vec::new());
        send(accept_action, AcceptServiceSuggestions { items });
    });
    view! {
        <div class="flex flex-wrap items-start justify-between gap-4">
            <div>
                <h1 class="text-2xl font-semibold">"Service mapping"</h1>
                <p class="mt-1 text-sm text-slate-500">
                    "Each Microsoft offer, per term and billing cycle, is billed through one Autotask service, or ignored."
                </p>
            </div>
            <RefreshLine refresh configured may_edit what="Services" />
        </div>
        <StatusCounts
            count=Callback::new(move |state| rows.with(|r| r.iter().filter(|x| x.state == state).count()))
            filter
        />
        <div class="mt-4 flex flex-wrap items-center gap-4">
            <input
                type="search"
                aria-label="Filter offers"
                placeholder="Filter by offer, product id or service"
                class="w-72 rounded-md border border-slate-300 px-2 py-1.5 text-sm"
                value=search.get_untracked()
                on:input=move |ev| search.set(event_target_value(&ev))
            />
            <label class="flex items-center gap-2 text-sm">
                <input
                    type="checkbox"
                    prop:checked=move || hide_mapped.get().0
                    on:change=move |ev| hide_mapped.set(Flag(event_target_checked(&ev)))
                />
                "Hide mapped"
            </label>
            {may_edit
                .then(|| {
                    view! {
                        <div class="ml-auto text-right">
                            <button
                                class=button::PRIMARY
                                disabled=move || busy.get() || exact_shown.with(Vec::is_empty)
                                on:click=move |_| accept.run(exact_shown.get_untracked())
                            >
                                {move || format!("Accept {} suggested services", exact_shown.with(Vec::len))}
                            </button>
                            <WhyDisabled reason=Signal::derive(move || {
                                exact_shown
                                    .with(Vec::is_empty)
                                    .then(|| "No offer shown has a service whose name fits exactly.".to_string())
                            }) />
                            <button
                                class=format!("mt-2 {}", button::OUTLINE)
                                disabled=move || busy.get() || !configured || unmapped.get() == 0
                                on:click=move |_| creating_all.set(true)
                            >
                                {move || format!("Create services for {} unmapped offers…", unmapped.get())}
                            </button>
                            <WhyDisabled reason=Signal::derive(move || {
                                if !configured {
                                    Some("Autotask is not configured, so no service can be created.".to_string())
                                } else if unmapped.get() == 0 {
                                    Some("Every offer is mapped or ignored.".to_string())
                                } else {
                                    None
                                }
                            }) />
                        </div>
                    }
                })}
        </div>
        <Feedback message=feedback.into() />
        <UndoBulkAccept count=Signal::derive(move || last_accepted.with(Vec::len)) noun="offer" busy on_undo=undo />
        <div class="mt-3 overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
            <table class="w-full text-sm" aria-label="Offer mappings">
                <thead class="bg-slate-100 text-left text-slate-600">
                    <tr>
                        <th class="px-3 py-2">"Offer"</th>
                        <th class="px-3 py-2">"Term"</th>
                        <th class="px-3 py-2">"Billing"</th>
                        <th class="px-3 py-2 text-right">"Subscriptions"</th>
                        <th class="px-3 py-2 text-right">"Seats"</th>
                        <th class="px-3 py-2">"Autotask service"</th>
                        <th class="px-3 py-2">"Actions"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        shown
                            .get()
                            .into_iter()
                            .map(|row| {
                                view! { <OfferLine row may_edit busy on_edit on_history on_accept=accept /> }
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
        </div>
        {move || {
            editing
                .get()
                .map(|row| {
                    let on_done = Callback::new(move |message: String| {
                        editing.set(None);
                        feedback.set(Some(Ok(message)));
                    });
                    view! { <OfferModal row on_saved on_done on_close=Callback::new(move |_| editing.set(None)) /> }
                })
        }}
        {move || {
            creating_all
                .get()
                .then(|| {
                    view! { <TemplateBulkModal on_saved on_close=Callback::new(move |_| creating_all.set(false)) /> }
                })
        }}
        {move || {
            history_of
                .get()
                .map(|(name, key)| {
                    view! {
                        <Modal title=format!("History of {name}") on_close=Callback::new(move |_| history_of.set(None))>
                            <MappingHistory kind="offer" key version=Signal::derive(|| 0) />
                        </Modal>
                    }
                })
        }}
    }
}

/// One offer: what it is, how much of it is sold, its service, and the actions on it.
#[component]
fn OfferLine(
    row: OfferMappingRow,
    may_edit: bool,
    #[prop(into)] busy: Signal<bool>,
    on_edit: Callback<OfferMappingRow>,
    /// Opens the history of (offer name, offer key).
    on_history: Callback<(String, String)>,
    /// Maps offers to their suggested services.
    on_accept: Callback<Vec<AcceptServiceItem>>,
) -> impl IntoView {
    let r = row;
    let suggestion = r.suggestion.clone().filter(|_| r.state == MappingState::Unmapped);
    let accept_item = suggestion.as_ref().map(|s| AcceptServiceItem {
        offer_key: r.offer_key.clone(),
        service_id: s.service_id,
        version: r.version,
    });
    let for_edit = r.clone();
    let history_key = (r.offer_name.clone(), r.offer_key.clone());
    let (badge, badge_class) = match r.state {
        MappingState::Mapped => ("Mapped", "bg-emerald-100 text-emerald-800"),
        MappingState::Ignored => ("Ignored", "bg-slate-200 text-slate-700"),
        MappingState::Unmapped => ("Not mapped", "bg-amber-100 text-amber-900"),
    };
    view! {
        <tr class="border-t border-slate-100" data-testid="offer-row">
            <td class="px-3 py-2">
                <span class="block font-medium">
                    {r.offer_name.clone()}
                    {if r.nce {
                        view! {
                            <span class="ml-2 rounded bg-indigo-50 px-1.5 text-xs font-normal text-indigo-800">
                                "NCE"
                            </span>
                        }
                            .into_any()
                    } else {
                        view! {
                            <span
                                class="ml-2 rounded bg-amber-50 px-1.5 text-xs font-normal text-amber-900"
                                title="A legacy (non-NCE) offer: priced and renewed apart from the NCE offer of the same product, so it has its own service"
                                data-testid="legacy-offer"
                            >
                                "Legacy"
                            </span>
                        }
                            .into_any()
                    }}
                </span>
                <span class="block font-mono text-xs text-slate-600">{r.product.clone()}</span>
            </td>
            <td class="px-3 py-2">{Term::words_of(&r.term)}</td>
            <td class="px-3 py-2">{billing_cycle_words(&r.billing)}</td>
            <td class="px-3 py-2 text-right tabular-nums" title=format!("in {} tenants", r.tenants)>
                {r.subscriptions}
            </td>
            <td class="px-3 py-2 text-right tabular-nums">{r.quantity}</td>
            <td class="px-3 py-2">
                <span
                    class=format!("whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium {badge_class}")
                    data-testid="mapping-status"
                >
                    {(r.state == MappingState::Unmapped).then(|| view! { <span aria-hidden="true">"● "</span> })}
                    {badge}
                </span>
                {r
                    .service_name
                    .clone()
                    .map(|n| {
                        view! {
                            <span class="ml-2" data-testid="mapped-service">
                                {n}
                            </span>
                        }
                    })}
                {r
                    .service_missing
                    .then(|| {
                        view! { <span class="ml-1 text-xs text-amber-700">"(not in Autotask any more)"</span> }
                    })}
                {suggestion
                    .map(|s| {
                        let item = accept_item.clone();
                        view! {
                            <span class="mt-1 block text-xs text-slate-600" data-testid="suggested-service">
                                "Suggested: "
                                <strong>{s.service_name.clone()}</strong>
                                <span class="text-slate-500">
                                    {format!(" ({}{})", if s.exact { "" } else { "product only: " }, s.reason)}
                                </span>
                                {may_edit
                                    .then(|| {
                                        view! {
                                            <button
                                                class=format!("ml-2 {}", button::IN_ROW)
                                                disabled=busy
                                                on:click=move |_| on_accept.run(item.clone().into_iter().collect())
                                            >
                                                "Accept"
                                            </button>
                                        }
                                    })}
                            </span>
                        }
                    })}
            </td>
            <td class="px-3 py-2 whitespace-nowrap">
                {may_edit
                    .then(|| {
                        view! {
                            <button
                                class="text-indigo-700 hover:underline"
                                on:click=move |_| on_edit.run(for_edit.clone())
                            >
                                "Edit"
                            </button>
                            " · "
                        }
                    })}
                <button class="text-indigo-700 hover:underline" on:click=move |_| on_history.run(history_key.clone())>
                    "History"
                </button>
            </td>
        </tr>
    }
}
