//! API tokens on the Settings page (Admin): the tokens other systems read billing reports with,
//! who made each and when it was last used; a new token shown once, to copy then; revoking.

use leptos::prelude::*;

use crate::{
    api::api_tokens::{load_api_tokens, ApiTokenLine, CreateApiToken, RevokeApiToken},
    components::{
        common::{
            button,
            format::{exact, relative},
            mutation::{on_answer, send},
            Loaded,
        },
        modal::Feedback,
    },
};

#[component]
pub fn ApiTokens() -> impl IntoView {
    let changed = RwSignal::new(0u32);
    let tokens = Resource::new(move || changed.get(), |_| load_api_tokens());
    let feedback = RwSignal::new(None::<Result<String, String>>);
    let shown_once = RwSignal::new(None::<String>);
    let create = ServerAction::<CreateApiToken>::new();
    let revoke = ServerAction::<RevokeApiToken>::new();
    let name = RwSignal::new(String::new());
    on_answer(create, move |answer| {
        match answer {
            Ok(made) => {
                feedback.set(Some(Ok(format!("The token '{}' was made.", made.line.name))));
                shown_once.set(Some(made.token));
                name.set(String::new());
            }
            Err(e) => feedback.set(Some(Err(e.to_string()))),
        }
        changed.update(|c| *c += 1);
    });
    on_answer(revoke, move |answer| {
        feedback.set(Some(answer.map_err(|e| e.to_string())));
        changed.update(|c| *c += 1);
    });
    view! {
        <section class="mt-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="api-tokens">
            <h2 id="api-tokens" class="font-semibold">
                "API tokens"
            </h2>
            <p class="mt-1 max-w-3xl text-sm text-slate-600">
                "Another system (a finance workflow, a PSA automation) reads the billing reports with a token: "
                <code>"GET /api/v1/billing/reports/latest.csv"</code> " (or " <code>".json"</code>
                ", or a report's id) with the header " <code>"Authorization: Bearer <token>"</code>
                ". A token can do nothing else, is shown once when made, and stops working when revoked."
            </p>
            <form
                class="mt-3 flex flex-wrap items-end gap-3 text-sm"
                on:submit=move |ev| {
                    ev.prevent_default();
                    shown_once.set(None);
                    send(
                        create,
                        CreateApiToken {
                            name: name.get_untracked(),
                        },
                    );
                }
            >
                <label class="grid gap-1">
                    "Name (the system that will use it)"
                    <input
                        class="w-72 rounded-md border border-slate-300 px-2 py-1"
                        required
                        maxlength="100"
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                </label>
                <button type="submit" class=button::PRIMARY disabled=move || create.pending().get()>
                    "Make a token"
                </button>
            </form>
            <Feedback message=feedback.into() />
            {move || {
                shown_once
                    .get()
                    .map(|token| {
                        view! {
                            <div class="mt-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
                                <label class="grid gap-1">
                                    <span class="font-medium">
                                        "Copy the token now: SeatSync keeps only a hash of it and will not show it again."
                                    </span>
                                    <input
                                        class="w-full rounded-md border border-slate-300 bg-white px-2 py-1 font-mono"
                                        readonly
                                        data-testid="new-api-token"
                                        prop:value=token
                                    />
                                </label>
                            </div>
                        }
                    })
            }}
            <Loaded resource=tokens class="mt-3" let:tokens>
                <TokenList tokens revoke />
            </Loaded>
        </section>
    }
}

#[component]
fn TokenList(tokens: Vec<ApiTokenLine>, revoke: ServerAction<RevokeApiToken>) -> impl IntoView {
    if tokens.is_empty() {
        return view! { <p class="text-sm text-slate-600">"No token was made yet."</p> }.into_any();
    }
    view! {
        <table class="w-full text-left text-sm">
            <thead class="text-slate-600">
                <tr>
                    <th class="py-2 pr-3 font-normal">"Name"</th>
                    <th class="py-2 pr-3 font-normal">"Token"</th>
                    <th class="py-2 pr-3 font-normal">"May"</th>
                    <th class="py-2 pr-3 font-normal">"Made"</th>
                    <th class="py-2 pr-3 font-normal">"Last used"</th>
                    <th class="py-2 font-normal">
                        <span class="sr-only">"Actions"</span>
                    </th>
                </tr>
            </thead>
            <tbody>
                {tokens
                    .into_iter()
                    .map(|t| {
                        let id = t.id;
                        let name = t.name.clone();
                        view! {
                            <tr class="border-t border-slate-200 align-top" data-testid="api-token">
                                <td class="py-2 pr-3 font-medium">{t.name.clone()}</td>
                                <td class="py-2 pr-3 font-mono">{format!("{}…", t.prefix)}</td>
                                <td class="py-2 pr-3">{t.scope_words.clone()}</td>
                                <td class="py-2 pr-3" title=exact(t.created_at)>
                                    {format!(
                                        "{} by {}",
                                        relative(t.created_at),
                                        t.created_by.clone().unwrap_or_else(|| "someone".into()),
                                    )}
                                </td>
                                <td class="py-2 pr-3">
                                    {t.last_used_at.map(relative).unwrap_or_else(|| "never".into())}
                                </td>
                                <td class="py-2">
                                    {match t.revoked_at {
                                        Some(at) => {
                                            view! {
                                                <span class="text-slate-600" title=exact(at)>
                                                    {format!(
                                                        "Revoked {} by {}",
                                                        relative(at),
                                                        t.revoked_by.clone().unwrap_or_else(|| "someone".into()),
                                                    )}
                                                </span>
                                            }
                                                .into_any()
                                        }
                                        None => {
                                            view! {
                                                <button
                                                    class=button::IN_ROW
                                                    disabled=move || revoke.pending().get()
                                                    on:click=move |_| send(revoke, RevokeApiToken { id })
                                                >
                                                    "Revoke"
                                                    <span class="sr-only">{format!(" {name}")}</span>
                                                </button>
                                            }
                                                .into_any()
                                        }
                                    }}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
