//! The pages after the first: every page but the sign-in and the dashboard is loaded lazily, as
//! one piece. Built with `cargo leptos --split`, their code is a WASM file of its own, fetched
//! when the first of them is opened (a page then asks for its data as before, once its code is
//! there; after the first, the code is at hand), so the sign-in and the dashboard, where every
//! visit starts, load only the frame and themselves.
//!
//! One lazy function for all of them, not one per page: the splitter makes a file for every set
//! of lazy functions that share code, and with a function per page a page came in some 300
//! files, slower to load than the whole.
//!
//! The `lazy` macro declares the split-off function in an `extern` block, which is unsafe code:
//! allowed in this module only.
#![allow(unsafe_code)]

use leptos::prelude::*;
use leptos_router::{Lazy, LazyRoute};

use crate::pages;

/// A page loaded with the others after the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaterPage {
    Overview,
    Subscriptions,
    CustomerMapping,
    ServiceMapping,
    Contracts,
    Jobs,
    Alerts,
    Pax8Companies,
    TicketCompanies,
    Billing,
    ToolCustomers,
    Reduce,
    Products,
    Users,
    Settings,
    Integration,
}

#[lazy]
fn later_page(page: LaterPage) -> AnyView {
    match page {
        LaterPage::Overview => view! { <pages::overview::OverviewPage /> }.into_any(),
        LaterPage::Subscriptions => view! { <pages::subscriptions::SubscriptionsPage /> }.into_any(),
        LaterPage::CustomerMapping => view! { <pages::customer_mapping::CustomerMappingPage /> }.into_any(),
        LaterPage::ServiceMapping => view! { <pages::service_mapping::ServiceMappingPage /> }.into_any(),
        LaterPage::Contracts => view! { <pages::contracts::ContractsPage /> }.into_any(),
        LaterPage::Jobs => view! { <pages::jobs::JobsPage /> }.into_any(),
        LaterPage::Alerts => view! { <pages::alerts::AlertsPage /> }.into_any(),
        LaterPage::Pax8Companies => view! { <pages::pax8_companies::Pax8CompaniesPage /> }.into_any(),
        LaterPage::TicketCompanies => view! { <pages::ticket_companies::TicketCompaniesPage /> }.into_any(),
        LaterPage::Billing => view! { <pages::billing::BillingPage /> }.into_any(),
        LaterPage::ToolCustomers => view! { <pages::tool_customers::ToolCustomersPage /> }.into_any(),
        LaterPage::Reduce => view! { <pages::reduce::ReducePage /> }.into_any(),
        LaterPage::Products => view! { <pages::products::ProductsPage /> }.into_any(),
        LaterPage::Users => view! { <pages::users::UsersPage /> }.into_any(),
        LaterPage::Settings => view! { <pages::settings::SettingsPage /> }.into_any(),
        LaterPage::Integration => view! { <pages::integration::IntegrationPage /> }.into_any(),
    }
}

/// A route's view loaded lazily, written without a turbofish (which the `view!` formatter
/// cannot keep in an attribute).
pub trait LoadedLazily: LazyRoute + Sized {
    fn lazily() -> Lazy<Self> {
        Lazy::new()
    }
}

impl<T: LazyRoute> LoadedLazily for T {}

/// A route whose view is one of the later pages.
macro_rules! later_route {
    ($route:ident, $page:ident) => {
        pub struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_route: Self) -> AnyView {
                later_page(LaterPage::$page).await
            }

            // Fetches the later pages' code before the route is shown (and before a first page
            // among them is hydrated, which cannot wait for it halfway).
            async fn preload() {
                #[cfg(target_arch = "wasm32")]
                __preload_later_page().await;
            }
        }
    };
}

later_route!(OverviewRoute, Overview);
later_route!(SubscriptionsRoute, Subscriptions);
later_route!(CustomerMappingRoute, CustomerMapping);
later_route!(ServiceMappingRoute, ServiceMapping);
later_route!(ContractsRoute, Contracts);
later_route!(JobsRoute, Jobs);
later_route!(AlertsRoute, Alerts);
later_route!(Pax8CompaniesRoute, Pax8Companies);
later_route!(TicketCompaniesRoute, TicketCompanies);
later_route!(BillingRoute, Billing);
later_route!(ToolCustomersRoute, ToolCustomers);
later_route!(ReduceRoute, Reduce);
later_route!(ProductsRoute, Products);
later_route!(UsersRoute, Users);
later_route!(SettingsRoute, Settings);
later_route!(IntegrationRoute, Integration);
