//! Changes: every change a page makes is a `ServerAction`. Its `pending` disables the button
//! while the change runs, `send` ignores a second click until the first is answered, and
//! `on_answer` hands each answer to the page once.

use leptos::{prelude::*, server_fn::ServerFn};

/// Dispatches `input` unless `action` is still running, so one click sends one change.
pub fn send<S>(action: ServerAction<S>, input: S)
where
    S: ServerFn + Send + Sync + Clone + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    if !action.pending().get_untracked() {
        action.dispatch(input);
    }
}

/// Calls `handle` with the answer to each dispatch of `action` (in the browser, where changes
/// are made).
pub fn on_answer<S>(action: ServerAction<S>, handle: impl Fn(Result<S::Output, S::Error>) + 'static)
where
    S: ServerFn + Send + Sync + Clone + 'static,
    S::Output: Clone + Send + Sync + 'static,
    S::Error: Clone + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if let Some(answer) = action.value().get() {
            // Untracked: what the handler reads must not run it again for the same answer.
            untrack(|| handle(answer));
        }
    });
}
