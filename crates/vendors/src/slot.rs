//! A client that can be replaced while SeatSync runs: an Admin changes an integration's settings
//! on the Integrations page, and the next request uses a client built from the new ones.

use std::sync::{Arc, RwLock};

/// Shared by everything that uses one client; cloning shares it. A request takes the client it
/// finds (`get`) and keeps it to its end, so a change never swaps a client mid-request.
pub struct Slot<T: ?Sized>(Arc<RwLock<Option<Arc<T>>>>);

impl<T: ?Sized> Slot<T> {
    pub fn new(client: Option<Arc<T>>) -> Self {
        Self(Arc::new(RwLock::new(client)))
    }

    pub fn empty() -> Self {
        Self::new(None)
    }

    /// The client as configured now; `None` while the integration is not configured.
    pub fn get(&self) -> Option<Arc<T>> {
        // A writer never panics while holding the lock (it only assigns), so a poisoned lock
        // still holds a whole value.
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn is_set(&self) -> bool {
        self.get().is_some()
    }

    pub fn set(&self, client: Option<Arc<T>>) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = client;
    }
}

impl<T: ?Sized> Default for Slot<T> {
    fn default() -> Self {
        Self::empty()
    }
}

impl<T: ?Sized> Clone for Slot<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T: ?Sized> std::fmt::Debug for Slot<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.is_set() { "Slot(set)" } else { "Slot(empty)" })
    }
}
