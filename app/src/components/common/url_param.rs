//! A page's filter kept in the address's query (`?status=unmapped`), so a reload, a link from the
//! dashboard and the back button all show the list as it was filtered.

use std::str::FromStr;

use leptos::prelude::*;
use leptos_router::{
    hooks::{query_signal_with_options, use_location},
    NavigateOptions,
};

/// One query parameter as a value of `T`; its default is left out of the address.
pub struct UrlParam<T: Send + Sync + 'static> {
    value: Memo<Option<T>>,
    set: SignalSetter<Option<T>>,
}

impl<T: Send + Sync + 'static> Clone for UrlParam<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for UrlParam<T> {}

/// The parameter `key` of the current address. A change replaces the history entry rather than
/// adding one, so typing a search does not fill the back button with every keystroke, and it
/// keeps the scroll position.
pub fn url_param<T>(key: &'static str) -> UrlParam<T>
where
    T: FromStr + ToString + PartialEq + Send + Sync + 'static,
{
    let (_, set) =
        query_signal_with_options::<T>(key, NavigateOptions { replace: true, scroll: false, ..Default::default() });
    // Read from the router's own location: the route's copy of the address, which the router's
    // query signal reads, is not brought up to date when only the query changes on a page that
    // was hydrated, so the list would not follow its filters.
    let location = use_location();
    let value = Memo::new(move |_| location.query.with(|q| q.get_str(key).and_then(|v| v.parse().ok())));
    UrlParam { value, set }
}

impl<T> UrlParam<T>
where
    T: Clone + Default + PartialEq + Send + Sync + 'static,
{
    pub fn get(&self) -> T {
        self.value.get().unwrap_or_default()
    }

    pub fn get_untracked(&self) -> T {
        self.value.get_untracked().unwrap_or_default()
    }

    pub fn set(&self, value: T) {
        self.set.set((value != T::default()).then_some(value));
    }
}

/// A checkbox filter in the address: present as `key=on` when ticked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flag(pub bool);

impl FromStr for Flag {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Flag(matches!(s, "on" | "true" | "1")))
    }
}

impl std::fmt::Display for Flag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0 { "on" } else { "off" })
    }
}
