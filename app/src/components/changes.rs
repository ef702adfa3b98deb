//! The quantity changes reduction links made, as the confirmation page and the Alerts page list
//! them: what changed where (before and after), or the vendor's refusal in its words, and who
//! confirmed it when.

use leptos::prelude::*;
use seatsync_domain::kinds::{FindingChannel, QuantityChangeStatus};

use crate::{
    api::alerts::ChangeLine,
    components::common::format::{count, exact},
};

fn channel(c: FindingChannel) -> &'static str {
    match c {
        FindingChannel::Pax8 => "Pax8",
        FindingChannel::PartnerCenter => "Partner Center",
    }
}

/// `customers` names each line's customer, where the list spans several.
#[component]
pub fn ChangeList(lines: Vec<ChangeLine>, #[prop(optional)] customers: Vec<String>) -> impl IntoView {
    view! {
        <ul class="mt-3 grid gap-2">
            {lines
                .into_iter()
                .enumerate()
                .map(|(i, l)| {
                    let customer = customers.get(i).map(|c| format!("{c} · ")).unwrap_or_default();
                    let when = if l.next_term { "for the next term" } else { "now" };
                    let (tone, words) = match l.status {
                        QuantityChangeStatus::Done => {
                            (
                                "text-emerald-800",
                                format!(
                                    "{}: {} → {} in {} ({when}).",
                                    l.product,
                                    count(l.before),
                                    count(l.after.unwrap_or(l.target)),
                                    channel(l.channel),
                                ),
                            )
                        }
                        QuantityChangeStatus::Refused => {
                            (
                                "text-red-700",
                                format!(
                                    "{}: {} refused the change to {}: {}",
                                    l.product,
                                    channel(l.channel),
                                    count(l.target),
                                    l.detail.clone().unwrap_or_default(),
                                ),
                            )
                        }
                        QuantityChangeStatus::Uncertain => {
                            (
                                "text-amber-800",
                                format!(
                                    "{}: not confirmed by {} ({}). Check the quantity there before trying again.",
                                    l.product,
                                    channel(l.channel),
                                    l.detail.clone().unwrap_or_default(),
                                ),
                            )
                        }
                        QuantityChangeStatus::Failed | QuantityChangeStatus::Intent => {
                            (
                                "text-red-700",
                                format!(
                                    "{}: not changed ({}).",
                                    l.product,
                                    l.detail.clone().unwrap_or_else(|| "no answer".into()),
                                ),
                            )
                        }
                    };
                    let by = match (&l.by, l.at) {
                        (Some(by), Some(at)) => format!(" By {by}, {}.", exact(at)),
                        _ => String::new(),
                    };
                    view! {
                        <li class=format!("text-sm {tone}") data-testid="change-line">
                            {customer}
                            {words}
                            <span class="text-slate-500">{by}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
