//! The counts by status at the top of both mapping pages, which double as a status filter.

use leptos::prelude::*;

use crate::{api::mapping::MappingState, components::common::url_param::UrlParam};

/// Which rows are shown; in the address as `?status=unmapped` (all: no parameter).
#[derive(Clone, Copy, Default, PartialEq)]
pub enum Filter {
    #[default]
    All,
    Only(MappingState),
}

impl std::str::FromStr for Filter {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Ok(match s {
            "mapped" => Filter::Only(MappingState::Mapped),
            "ignored" => Filter::Only(MappingState::Ignored),
            "unmapped" => Filter::Only(MappingState::Unmapped),
            "all" => Filter::All,
            _ => return Err(()),
        })
    }
}

impl std::fmt::Display for Filter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Filter::All => "all",
            Filter::Only(MappingState::Mapped) => "mapped",
            Filter::Only(MappingState::Ignored) => "ignored",
            Filter::Only(MappingState::Unmapped) => "unmapped",
        })
    }
}

/// A count per status; clicking one shows only that status (again: all).
#[component]
pub fn StatusCounts(
    /// How many rows are in a state (read reactively, so the counts follow every save).
    count: Callback<MappingState, usize>,
    filter: UrlParam<Filter>,
) -> impl IntoView {
    let count = move |state: MappingState| count.run(state);
    view! {
        <section class="mt-6 flex flex-wrap gap-3" aria-label="Counts by status">
            <StatusCount
                label="Mapped"
                state=MappingState::Mapped
                n=Signal::derive(move || count(MappingState::Mapped))
                color="border-emerald-200 bg-emerald-50 text-emerald-900"
                testid="count-mapped"
                filter
            />
            <StatusCount
                label="Ignored"
                state=MappingState::Ignored
                n=Signal::derive(move || count(MappingState::Ignored))
                color="border-slate-200 bg-slate-50 text-slate-700"
                testid="count-ignored"
                filter
            />
            <StatusCount
                label="Not mapped"
                state=MappingState::Unmapped
                n=Signal::derive(move || count(MappingState::Unmapped))
                color="border-amber-200 bg-amber-50 text-amber-900"
                testid="count-unmapped"
                filter
            />
        </section>
    }
}

#[component]
fn StatusCount(
    label: &'static str,
    state: MappingState,
    n: Signal<usize>,
    color: &'static str,
    testid: &'static str,
    filter: UrlParam<Filter>,
) -> impl IntoView {
    let value = Filter::Only(state);
    view! {
        <button
            class=move || {
                format!(
                    "rounded-lg border px-3 py-2 text-left {} {}",
                    color,
                    if filter.get() == value { "ring-2 ring-indigo-500" } else { "" },
                )
            }
            aria-pressed=move || if filter.get() == value { "true" } else { "false" }
            on:click=move |_| filter.set(if filter.get_untracked() == value { Filter::All } else { value })
        >
            <span class="block text-xs font-semibold uppercase tracking-wide">{label}</span>
            <span class="block text-2xl font-semibold tabular-nums" data-testid=testid>
                {move || n.get()}
            </span>
        </button>
    }
}
