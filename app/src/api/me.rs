//! Who is signed in.

use leptos::prelude::*;

pub use seatsync_api_types::me::*;

use crate::error::AppError;

/// Who is signed in, known when the page starts rendering: read on the server from the user the
/// request loaded, and handed to the browser with the page. Pages need it synchronously, and
/// a page built inside a `Suspense` waiting for it would be built (and would fetch its data)
/// more than once on the server.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedIn(pub Option<Me>);

impl SignedIn {
    /// At the root of the app, once: on the server from the request, in the browser from the
    /// page's serialised data.
    pub fn provide() {
        let me = leptos::server::SharedValue::new(|| {
            #[cfg(feature = "ssr")]
            {
                crate::server::signed_in_user().map(|u| u.me())
            }
            #[cfg(not(feature = "ssr"))]
            {
                None::<Me>
            }
        });
        provide_context(SignedIn(me.into_inner()));
    }
}

/// The signed-in user, or `None`. Open to everyone: the sign-in page asks it too.
#[server(prefix = "/api", endpoint = "me")]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    Ok(crate::server::signed_in_user().map(|u| u.me()))
}
