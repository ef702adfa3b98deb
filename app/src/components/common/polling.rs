//! Polling: a signal that ticks every `every` while the component lives, for pages that follow
//! a run live. In the browser only: the server renders once.

use std::time::Duration;

use leptos::prelude::*;

/// A counter that goes up every `every`; read it in a resource's source to fetch again. The
/// timer stops when the component that asked for it goes away.
pub fn use_polling(every: Duration) -> ReadSignal<u64> {
    let tick = RwSignal::new(0u64);
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || {
                tick.try_update(|t| *t += 1);
            },
            every,
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    tick.read_only()
}
