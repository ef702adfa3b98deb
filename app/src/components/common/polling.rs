//! Polling: a signal that ticks every `every` while a run is followed live, for pages that show
//! a run's progress. In the browser only: the server renders once.

use std::time::Duration;

use leptos::prelude::*;

/// A counter that goes up every `every` while `active` holds and the tab is visible; read it in
/// a resource's source to fetch again. Nothing is fetched while no run is active or while the
/// user looks at another tab, so an idle page costs the server nothing. The timer stops when
/// the component that asked for it goes away.
pub fn use_polling_while(every: Duration, active: Signal<bool>) -> ReadSignal<u64> {
    let tick = RwSignal::new(0u64);
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || {
                if active.try_get_untracked().unwrap_or(false) && tab_visible() {
                    tick.try_update(|t| *t += 1);
                }
            },
            every,
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    tick.read_only()
}

/// Whether the page is in the tab the user is looking at.
fn tab_visible() -> bool {
    !document().hidden()
}
