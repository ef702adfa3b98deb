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
mod routes;
#[cfg(feature = "ssr")]
pub mod server;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{Outlet, ParentRoute, Route, Router, Routes},
    path, SsrMode,
};
use seatsync_domain::Role;

use crate::{
    components::layout::{Layout, RequireRole},
    pages::{dashboard::DashboardPage, errors::NotFound, signin::SignInPage},
    routes::LoadedLazily,
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
                // The stylesheet's name carries its content hash when the site is built so.
                <HashedStylesheet options=options.clone() id="leptos" />
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
                // Every other page: the frame around it, rendered before it is sent (Async) so
                // a page can set its status (403, 404). The role a page needs is declared here,
                // once per group, and checked while rendering (server functions check it again).
                <ParentRoute path=path!("") view=PageFrame ssr=SsrMode::Async>
                    <Route path=path!("/") view=DashboardPage />
                    <ParentRoute path=path!("") view=|| view! { <RoleGate role=Role::Viewer /> }>
                        <Route path=path!("/overview") view=routes::OverviewRoute::lazily() />
                        <Route path=path!("/subscriptions") view=routes::SubscriptionsRoute::lazily() />
                        <Route path=path!("/mapping/customers") view=routes::CustomerMappingRoute::lazily() />
                        <Route path=path!("/mapping/services") view=routes::ServiceMappingRoute::lazily() />
                        <Route path=path!("/contracts") view=routes::ContractsRoute::lazily() />
                        <Route path=path!("/jobs") view=routes::JobsRoute::lazily() />
                        <Route path=path!("/alerts") view=routes::AlertsRoute::lazily() />
                        <Route path=path!("/alerts/pax8-companies") view=routes::Pax8CompaniesRoute::lazily() />
                        <Route path=path!("/alerts/ticket-companies") view=routes::TicketCompaniesRoute::lazily() />
                        <Route path=path!("/billing") view=routes::BillingRoute::lazily() />
                        <Route path=path!("/billing/tools/:tool") view=routes::ToolCustomersRoute::lazily() />
                    </ParentRoute>
                    // A reduction link changes a vendor: Editors and Admins only.
                    <ParentRoute path=path!("") view=|| view! { <RoleGate role=Role::Editor /> }>
                        <Route path=path!("/alerts/reduce/:token") view=routes::ReduceRoute::lazily() />
                    </ParentRoute>
                    <ParentRoute path=path!("") view=|| view! { <RoleGate role=Role::Admin /> }>
                        <Route path=path!("/settings/products") view=routes::ProductsRoute::lazily() />
                        <Route path=path!("/users") view=routes::UsersRoute::lazily() />
                        <Route path=path!("/settings") view=routes::SettingsRoute::lazily() />
                        <Route path=path!("/settings/integrations/:key") view=routes::IntegrationRoute::lazily() />
                    </ParentRoute>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// The navigation and page frame around every page but the sign-in.
#[component]
fn PageFrame() -> impl IntoView {
    view! {
        <Layout>
            <Outlet />
        </Layout>
    }
}

/// The pages below need `role`: anyone else gets the 403 page, with status 403.
#[component]
fn RoleGate(role: Role) -> impl IntoView {
    view! {
        <RequireRole role>
            <Outlet />
        </RequireRole>
    }
}
