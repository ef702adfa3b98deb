//! SeatSync's user interface and the server functions behind it.
//!
//! Compiled twice: with `ssr` into the server (pages render there and server functions run
//! there), and with `hydrate` into the WASM bundle that makes the rendered pages interactive.

#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod error;
pub mod navigation;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

use crate::{
    components::layout::Layout,
    pages::{
        contracts::ContractsPage, customer_mapping::CustomerMappingPage, dashboard::DashboardPage, errors::NotFound,
        overview::OverviewPage, products::ProductsPage, service_mapping::ServiceMappingPage, settings::SettingsPage,
        signin::SignInPage, subscriptions::SubscriptionsPage, users::UsersPage,
    },
};

/// The HTML document around the app; rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body class="bg-slate-50 text-slate-900 antialiased">
                <App />
            </body>
        </html>
    }
}

/// The pages whose every input is in PostgreSQL: their server functions read no vendor (links
/// into Autotask come from the stored cache refresh), so the server's page cache may serve them
/// again while nothing is committed (`server/src/page_cache.rs`). Declared here, beside the
/// routes: a page that reads a vendor while rendering must not be listed.
pub const CACHEABLE_PAGES: &[&str] = &["/subscriptions", "/overview"];

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    api::me::SignedIn::provide();
    view! {
        <Stylesheet id="leptos" href="/pkg/seatsync.css" />
        <Title formatter=|page: String| {
            if page.is_empty() { "SeatSync".to_string() } else { format!("{page} · SeatSync") }
        } />
        <Router>
            <Routes fallback=|| {
                view! {
                    <Layout>
                        <NotFound />
                    </Layout>
                }
            }>
                // Async rendering: the page is complete before the response starts, so a 403 or
                // 404 decided while rendering becomes the response's status.
                <Route path=path!("/signin") view=SignInPage ssr=SsrMode::Async />
                <Route
                    path=path!("/")
                    view=|| {
                        view! {
                            <Layout>
                                <DashboardPage />
                            </Layout>
                        }
                    }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/overview")
                    view=|| {
                        view! {
                            <Layout>
                                <OverviewPage />
                            </Layout>
                        }
                    }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/subscriptions")
                    view=|| {
                        view! {
                            <Layout>
                                <SubscriptionsPage />
                            </Layout>
                        }
                    }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/mapping/customers")
                    view=|| {
                        view! {
                            <Layout>
                                <CustomerMappingPage />
                            </Layout>
                        }
                    }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/mapping/services")
                    view=|| {
                        view! {
                            <Layout>
                                <ServiceMappingPage />
                            </Layout>
                        }
                    }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/contracts")
                    view=|| {
                        view! {
                            <Layout>
                                <ContractsPage />
                            </Layout>
                        }
                    }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/settings/products")
                    view=|| {
                        view! {
                            <Layout>
                                <ProductsPage />
                            </Layout>
                        }
                    }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/users")
                    view=|| {
                        view! {
                            <Layout>
                                <UsersPage />
                            </Layout>
                        }
                    }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/settings")
                    view=|| {
                        view! {
                            <Layout>
                                <SettingsPage />
                            </Layout>
                        }
                    }
                    ssr=SsrMode::Async
                />
            </Routes>
        </Router>
    }
}
