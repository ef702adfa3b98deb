//! The sign-in page: one button that starts the Microsoft Entra ID sign-in.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::navigation::{safe_return_path, SignInFailure};

#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    // Only a known code is shown, as its fixed message: nothing from the address is echoed.
    let error = move || {
        query.with(|q| q.get("error")).map(|code| {
            SignInFailure::from_code(&code)
                .map(SignInFailure::message)
                .unwrap_or("Sign-in did not complete. Start again.")
        })
    };
    let next = move || query.with(|q| q.get("next")).filter(|n| safe_return_path(n).is_some());
    let login_href = move || match next() {
        Some(n) => format!("/auth/login?next={}", urlencode(&n)),
        None => "/auth/login".to_string(),
    };
    let signed_out = move || query.with(|q| q.get("signed_out").is_some());
    view! {
        <Title text="Sign in" />
        <div class="min-h-screen flex items-center justify-center bg-gradient-to-br from-indigo-50 to-slate-100">
            <section class="w-full max-w-md rounded-2xl bg-white p-10 shadow-lg">
                <h1 class="text-3xl font-semibold tracking-tight text-indigo-700">"SeatSync"</h1>
                <p class="mt-2 text-slate-600">
                    "Microsoft 365 licences, PSA contracts and billing in sync, for every customer."
                </p>
                <Show when=signed_out>
                    <p class="mt-6 rounded-md bg-emerald-50 p-3 text-sm text-emerald-800" role="status">
                        "You have signed out."
                    </p>
                </Show>
                {move || {
                    error()
                        .map(|e| {
                            view! {
                                <p class="mt-6 rounded-md bg-red-50 p-3 text-sm text-red-800" role="alert">
                                    {e}
                                </p>
                            }
                        })
                }}
                <a
                    href=login_href
                    rel="external"
                    class="mt-8 flex w-full items-center justify-center gap-2 rounded-lg bg-indigo-600 px-4 py-3 font-medium text-white hover:bg-indigo-500"
                >
                    "Sign in with Microsoft"
                </a>
                <p class="mt-4 text-xs text-slate-500">
                    "Your organisation's Microsoft Entra ID decides who may sign in and with which role."
                </p>
            </section>
        </div>
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
