//! The page frame: navigation for what the role may use, the user menu, and role gating.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_location};
use seatsync_domain::Role;

use crate::{
    api::me::{Me, SignedIn},
    components::common::Forbidden,
};

/// A navigation entry and the role it needs.
struct NavItem {
    href: &'static str,
    label: &'static str,
    needs: Role,
}

const NAV: &[NavItem] = &[
    NavItem { href: "/", label: "Dashboard", needs: Role::Viewer },
    NavItem { href: "/overview", label: "Overview", needs: Role::Viewer },
    NavItem { href: "/subscriptions", label: "Subscriptions", needs: Role::Viewer },
    NavItem { href: "/mapping/customers", label: "Customers", needs: Role::Viewer },
    NavItem { href: "/mapping/services", label: "Services", needs: Role::Viewer },
    NavItem { href: "/contracts", label: "Contracts", needs: Role::Viewer },
    NavItem { href: "/alerts", label: "Alerts", needs: Role::Viewer },
    NavItem { href: "/billing", label: "Billing", needs: Role::Viewer },
    NavItem { href: "/jobs", label: "Jobs", needs: Role::Viewer },
    NavItem { href: "/users", label: "Users", needs: Role::Admin },
    NavItem { href: "/settings", label: "Settings", needs: Role::Admin },
];

/// Frames a signed-in page. The signed-in user is provided as context to the page inside.
#[component]
pub fn Layout(children: ChildrenFn) -> impl IntoView {
    match use_context::<SignedIn>().and_then(|s| s.0) {
        Some(me) => {
            provide_context(me.clone());
            view! {
                <div class="min-h-screen flex flex-col">
                    <TopBar me=me.clone() />
                    <main class="flex-1 mx-auto w-full max-w-7xl px-6 py-8">{children()}</main>
                </div>
            }
            .into_any()
        }
        None => view! { <SignedOut /> }.into_any(),
    }
}

#[component]
fn TopBar(me: Me) -> impl IntoView {
    let location = use_location();
    let links = NAV
        .iter()
        .filter(|item| me.may(item.needs))
        .map(|item| {
            let href = item.href;
            let active = move || {
                let path = location.pathname.get();
                if href == "/" {
                    path == "/"
                } else {
                    path.starts_with(href)
                }
            };
            view! {
                <A
                    href=href
                    attr:class=move || {
                        if active() {
                            "rounded-md px-3 py-2 text-sm font-medium bg-indigo-700 text-white"
                        } else {
                            "rounded-md px-3 py-2 text-sm font-medium text-indigo-100 hover:bg-indigo-500"
                        }
                    }
                >
                    {item.label}
                </A>
            }
        })
        .collect_view();
    let role_label = me.role.map(|r| r.label()).unwrap_or("No role");
    view! {
        <header class="bg-indigo-600 shadow">
            <div class="mx-auto max-w-7xl px-6 flex h-14 items-center justify-between">
                <div class="flex items-center gap-6">
                    <a href="/" class="text-white font-semibold tracking-tight text-lg">
                        "SeatSync"
                    </a>
                    <nav aria-label="Main" class="flex gap-1">
                        {links}
                    </nav>
                </div>
                <div class="flex items-center gap-3 text-sm text-indigo-100">
                    <span data-testid="signed-in-user">
                        <span class="font-medium text-white">{me.name.clone()}</span>
                        " · "
                        <span data-testid="signed-in-role">{role_label}</span>
                    </span>
                    <form method="post" action="/auth/logout">
                        <button
                            type="submit"
                            class="rounded-md bg-indigo-500 px-3 py-1.5 text-white hover:bg-indigo-400"
                        >
                            "Sign out"
                        </button>
                    </form>
                </div>
            </div>
        </header>
    }
}

#[component]
fn SignedOut() -> impl IntoView {
    view! {
        <div class="p-10 text-center">
            <p class="mb-4">"You are signed out."</p>
            <a class="text-indigo-700 underline" href="/signin">
                "Sign in"
            </a>
        </div>
    }
}

/// Renders `children` only for a user whose role allows `role`; everyone else sees the 403
/// page (and, when rendered on the server, gets status 403).
#[component]
pub fn RequireRole(role: Role, children: ChildrenFn) -> impl IntoView {
    let me = use_context::<Me>();
    if me.as_ref().is_some_and(|m| m.may(role)) {
        children().into_any()
    } else {
        view! { <Forbidden needed=role /> }.into_any()
    }
}
