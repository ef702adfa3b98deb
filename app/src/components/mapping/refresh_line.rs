//! The Autotask cache's freshness line on the mapping pages, with "Refresh from Autotask".

use leptos::prelude::*;

use crate::{
    api::mapping::{RefreshAutotask, RefreshInfo},
    components::{
        common::{
            button,
            format::relative,
            mutation::{on_answer, send},
        },
        modal::Feedback,
    },
};

#[component]
pub fn RefreshLine(
    refresh: RwSignal<Option<RefreshInfo>>,
    configured: bool,
    may_edit: bool,
    what: &'static str,
) -> impl IntoView {
    let refresh_action = ServerAction::<RefreshAutotask>::new();
    let busy = refresh_action.pending();
    let feedback = RwSignal::new(None::<Result<String, String>>);
    on_answer(refresh_action, move |answer| match answer {
        Ok(info) => {
            feedback.set(Some(Ok(format!(
                "Read {} companies and {} services from Autotask. Reload to see them.",
                info.companies.unwrap_or(0),
                info.services.unwrap_or(0)
            ))));
            refresh.set(Some(info));
        }
        Err(e) => feedback.set(Some(Err(e.to_string()))),
    });
    let run = move |_| {
        feedback.set(None);
        send(refresh_action, RefreshAutotask {});
    };
    view! {
        <div class="text-right text-sm text-slate-600">
            {move || match (configured, refresh.get()) {
                (false, _) => {
                    view! {
                        <p class="text-amber-800">
                            "Autotask is not configured: an Admin can see what is missing under Settings."
                        </p>
                    }
                        .into_any()
                }
                (true, None) => view! { <p>{format!("No {what} read from Autotask yet.")}</p> }.into_any(),
                (true, Some(r)) => {
                    view! {
                        <p>
                            {format!("{} as of ", what)}
                            {r
                                .last_good_at
                                .map(|t| {
                                    view! {
                                        <time title=t.format("%Y-%m-%d %H:%M:%S UTC").to_string()>{relative(t)}</time>
                                    }
                                        .into_any()
                                })
                                .unwrap_or_else(|| view! { <span>"never"</span> }.into_any())}
                            {r.companies.map(|c| format!(" · {c} companies, {} services", r.services.unwrap_or(0)))}
                        </p>
                        {r
                            .error
                            .map(|e| {
                                view! {
                                    <p class="text-amber-800" role="alert">
                                        "The last refresh failed: "
                                        {e}
                                    </p>
                                }
                            })}
                    }
                        .into_any()
                }
            }}
            {(configured && may_edit)
                .then(|| {
                    view! {
                        <button class=format!("mt-1 {}", button::OUTLINE) disabled=busy on:click=run>
                            {move || if busy.get() { "Refreshing…" } else { "Refresh from Autotask" }}
                        </button>
                    }
                })} <Feedback message=feedback.into() />
        </div>
    }
}
