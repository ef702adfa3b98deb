//! A searchable list for picking one of thousands of records. Filtering happens in the browser
//! over the already-loaded options and only the first matches are drawn, so it stays instant;
//! arrow keys move, Enter picks. The search box names the highlighted option to screen readers
//! (`aria-activedescendant`), so moving with the arrows is heard, not only seen.

use leptos::prelude::*;

#[derive(Debug, Clone, PartialEq)]
pub struct PickOption<Id> {
    /// The record's typed id (a company's, a service's).
    pub id: Id,
    pub label: String,
    /// Shown small under the label and searched too (number, domain, price).
    pub detail: String,
    pub inactive: bool,
}

const SHOWN: usize = 50;

#[component]
pub fn SearchPicker<Id>(
    options: Vec<PickOption<Id>>,
    selected: RwSignal<Option<Id>>,
    /// The search box's label, e.g. "Search companies".
    label: &'static str,
    /// Text the search starts with (e.g. the tenant's name).
    #[prop(optional, into)]
    initial_search: String,
) -> impl IntoView
where
    Id: Copy + PartialEq + Send + Sync + 'static,
{
    let options = StoredValue::new(options);
    // Ids for the list and its options; one picker of each label is on a page at a time.
    let list_id = format!("picker-{}", label.to_lowercase().replace(' ', "-"));
    let id_prefix = StoredValue::new(list_id.clone());
    let option_id = move |pos: usize| format!("{}-{pos}", id_prefix.get_value());
    let search = RwSignal::new(initial_search);
    let cursor = RwSignal::new(0usize);
    let lowered = StoredValue::new(
        options
            .with_value(|o| o.iter().map(|p| format!("{} {}", p.label, p.detail).to_lowercase()).collect::<Vec<_>>()),
    );
    let matches = Memo::new(move |_| {
        let words: Vec<String> = search.get().to_lowercase().split_whitespace().map(str::to_string).collect();
        lowered.with_value(|texts| {
            texts
                .iter()
                .enumerate()
                .filter(|(_, t)| words.iter().all(|w| t.contains(w.as_str())))
                .map(|(i, _)| i)
                .collect::<Vec<usize>>()
        })
    });
    // The highlighted option, named to screen readers from the search box and the list.
    let active_option = Signal::derive(move || matches.with(|m| !m.is_empty()).then(|| option_id(cursor.get())));
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let n = matches.with(|m| m.len().min(SHOWN));
        match ev.key().as_str() {
            "ArrowDown" if n > 0 => {
                ev.prevent_default();
                cursor.update(|c| *c = (*c + 1).min(n - 1));
            }
            "ArrowUp" => {
                ev.prevent_default();
                cursor.update(|c| *c = c.saturating_sub(1));
            }
            "Enter" => {
                ev.prevent_default();
                if let Some(i) = matches.with(|m| m.get(cursor.get_untracked()).copied()) {
                    selected.set(Some(options.with_value(|o| o[i].id)));
                }
            }
            _ => {}
        }
    };
    view! {
        <div>
            <input
                type="search"
                aria-label=label
                aria-controls=list_id.clone()
                aria-activedescendant=active_option
                placeholder=label
                class="w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm"
                prop:value=search
                on:input=move |ev| {
                    search.set(event_target_value(&ev));
                    cursor.set(0);
                }
                on:keydown=on_keydown
            />
            <p class="mt-1 text-xs text-slate-500">
                {move || {
                    let n = matches.with(Vec::len);
                    if n > SHOWN {
                        format!("{n} matches; showing the first {SHOWN}; type to narrow")
                    } else {
                        format!("{n} matches")
                    }
                }}
            </p>
            // Reachable by Tab too, so the list scrolls by keyboard; the same keys work there.
            <ul
                role="listbox"
                id=list_id
                tabindex="0"
                aria-activedescendant=active_option
                on:keydown=on_keydown
                aria-label=label
                class="mt-1 max-h-64 overflow-y-auto rounded-md border border-slate-200 text-sm"
            >
                {move || {
                    matches
                        .get()
                        .into_iter()
                        .take(SHOWN)
                        .enumerate()
                        .map(|(pos, i)| {
                            let o = options.with_value(|o| o[i].clone());
                            let id_of_option = option_id(pos);
                            let id = o.id;
                            let is_selected = move || selected.get() == Some(id);
                            view! {
                                <li
                                    role="option"
                                    id=id_of_option
                                    aria-selected=move || if is_selected() { "true" } else { "false" }
                                    class=move || {
                                        if is_selected() {
                                            "cursor-pointer px-2 py-1 bg-indigo-600 text-white"
                                        } else if cursor.get() == pos {
                                            "cursor-pointer px-2 py-1 bg-indigo-50"
                                        } else {
                                            "cursor-pointer px-2 py-1 hover:bg-slate-50"
                                        }
                                    }
                                    on:click=move |_| selected.set(Some(id))
                                >
                                    <span class="block font-medium">
                                        {o.label.clone()}
                                        {o
                                            .inactive
                                            .then(|| {
                                                view! { <span class="ml-1 text-xs">"(inactive)"</span> }
                                            })}
                                    </span>
                                    <span class=move || {
                                        if is_selected() {
                                            "block text-xs text-indigo-100"
                                        } else {
                                            "block text-xs text-slate-600"
                                        }
                                    }>{o.detail.clone()}</span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}
