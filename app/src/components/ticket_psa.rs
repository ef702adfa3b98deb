//! The PSA SeatSync opens its tickets in: said to everyone, chosen by an Admin among the PSAs
//! set up. On Settings and on the Where tickets go page.

use leptos::prelude::*;
use seatsync_domain::kinds::TicketPsa;

use crate::{
    api::tickets::{load_ticket_psa, SaveTicketPsa, TicketPsaInfo},
    components::{
        common::{
            button,
            mutation::{on_answer, send},
            Loaded,
        },
        modal::Feedback,
    },
};

/// What a save said, where the page shows it.
pub type Said = RwSignal<Option<Result<String, String>>>;

/// The PSA for tickets. On a page that shows what follows from it, `changed` is bumped after a
/// save and `said` is the page's own feedback line (one line per page); otherwise the section
/// has its own.
#[component]
pub fn TicketPsaChoice(
    admin: bool,
    #[prop(optional)] changed: Option<RwSignal<u32>>,
    #[prop(optional)] said: Option<Said>,
) -> impl IntoView {
    let saved = RwSignal::new(0u32);
    let info = Resource::new(move || saved.get(), |_| load_ticket_psa());
    let own = said.is_none();
    let feedback = said.unwrap_or_else(|| RwSignal::new(None));
    let save = ServerAction::<SaveTicketPsa>::new();
    on_answer(save, move |answer| {
        feedback.set(Some(
            answer.map(|info| format!("Tickets now go to {}.", info.chosen.name())).map_err(|e| e.to_string()),
        ));
        saved.update(|c| *c += 1);
        if let Some(changed) = changed {
            changed.update(|c| *c += 1);
        }
    });
    let save = admin.then_some(save);
    view! {
        <section class="mt-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="ticket-psa">
            <h2 id="ticket-psa" class="font-semibold">
                "PSA for tickets"
            </h2>
            <Loaded resource=info let:info>
                <PsaForm info save />
            </Loaded>
            {own.then(|| view! { <Feedback message=feedback.into() /> })}
        </section>
    }
}

#[component]
fn PsaForm(info: TicketPsaInfo, save: Option<ServerAction<SaveTicketPsa>>) -> impl IntoView {
    let TicketPsaInfo { chosen, options } = info;
    let picked = RwSignal::new(chosen.as_str().to_string());
    let said = format!("SeatSync's tickets go to {}.", chosen.name());
    view! {
        <p class="mt-1 text-sm text-slate-700" data-testid="ticket-psa">
            {said}
        </p>
        {save
            .map(|save| {
                view! {
                    <form
                        class="mt-2 flex flex-wrap items-end gap-3 text-sm"
                        on:submit=move |ev| {
                            ev.prevent_default();
                            if let Some(psa) = TicketPsa::parse(&picked.get_untracked()) {
                                send(save, SaveTicketPsa { psa });
                            }
                        }
                    >
                        <label class="grid gap-1">
                            <span>"Open tickets in"</span>
                            <select
                                class="rounded-md border border-slate-300 px-2 py-1"
                                prop:value=move || picked.get()
                                on:change=move |ev| picked.set(event_target_value(&ev))
                            >
                                {options
                                    .iter()
                                    .map(|o| {
                                        let words = if o.configured {
                                            o.name.clone()
                                        } else {
                                            format!("{} (not set up)", o.name)
                                        };
                                        view! {
                                            <option value=o.psa.as_str() disabled=!o.configured>
                                                {words}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                        </label>
                        <button type="submit" class=button::SECONDARY disabled=move || save.pending().get()>
                            "Save PSA"
                        </button>
                    </form>
                    <p class="mt-1 text-xs text-slate-500">
                        "A PSA is set up on its page under Settings; its ticket defaults (queue, board, ticket type) are chosen there too."
                    </p>
                }
            })}
    }
}
