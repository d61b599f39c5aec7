//! The header's search (手机号、姓名、车牌、VIN) over the A-cards and C-cards on the device:
//! answers as the person types, from the `by_term` index (`sync::store::search`; what a query
//! finds is the rule of `domain::records::index`). Each result links to its record's page.

use std::future::Future;
use std::pin::Pin;

use domain::sync::RecordState;
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use crate::i18n::*;
use crate::sync::{store, use_sync};
use crate::ui::kinds::text;
use crate::ui::labels::phone_display;

/// Results shown at most.
const LIMIT: u32 = 8;

/// One result: the record's page, what it is, its name and what identifies it.
#[derive(Debug, Clone, PartialEq)]
struct Hit {
    id: Uuid,
    href: String,
    c_card: bool,
    name: String,
    detail: String,
}

impl Hit {
    fn of(r: &RecordState) -> Hit {
        let c_card = r.record_type == "c_card";
        let phone = phone_display(&text(r, "phone"));
        let detail = if c_card {
            [phone, text(r, "plate"), text(r, "vin")]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" · ")
        } else {
            phone
        };
        Hit {
            id: r.id,
            href: if c_card {
                format!("/sales/c-cards/{}", r.id)
            } else {
                format!("/sales/a-cards/{}", r.id)
            },
            c_card,
            name: text(r, "name"),
            detail,
        }
    }
}

/// The search itself (IndexedDB's `by_term` and the record codec) is in the wasm-split module
/// `sync`, which the app loads at start, so that the main wasm does not carry it.
#[leptos::wasm_split::wasm_split(sync, wasm_split_path = ::leptos::wasm_split, fallible)]
fn find(
    q: String,
) -> Result<Pin<Box<dyn Future<Output = Vec<Hit>>>>, leptos::wasm_split::SplitLoaderError> {
    Ok(Box::pin(async move {
        match store::search(&q, LIMIT).await {
            Ok(found) => found.iter().map(Hit::of).collect(),
            Err(e) => {
                leptos::logging::error!("forecourt: search: {e}");
                Vec::new()
            }
        }
    }))
}

#[component]
pub fn HeaderSearch() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let input = RwSignal::new(String::new());
    let open = RwSignal::new(false);
    let hits = LocalResource::new(move || {
        sync.rev.track();
        let q = input.get();
        async move {
            match find(q).await {
                Ok(found) => found.await,
                Err(e) => {
                    leptos::logging::error!("forecourt: cannot load the search: {e}");
                    Vec::new()
                }
            }
        }
    });
    let hits = Memo::new(move |previous: Option<&Vec<Hit>>| match hits.get() {
        Some(h) => h,
        // Keep the last answer while the next keystroke's is read.
        None => previous.cloned().unwrap_or_default(),
    });
    let asked = move || domain::records::index::query(&input.get()).is_some();
    let close = move || {
        open.set(false);
        input.set(String::new());
    };
    view! {
        <div class="header-search" role="search">
            <label class="header-search-label">
                <span class="visually-hidden">{t!(i18n, header.search_label)}</span>
                <input
                type="search"
                class="header-search-input"
                placeholder=move || t_string!(i18n, header.search_placeholder)
                autocomplete="off"
                prop:value=move || input.get()
                on:input=move |ev| {
                    input.set(event_target_value(&ev));
                    open.set(true);
                }
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        close();
                    }
                }
                />
            </label>
            <Show when=move || open.get() && asked()>
                <ul class="header-search-results" aria-label=move || t_string!(i18n, header.search_results)>
                    <Show when=move || hits.with(Vec::is_empty)>
                        <li class="header-search-none">{t!(i18n, header.search_none)}</li>
                    </Show>
                    <For each=move || hits.get() key=|h| (h.id, h.name.clone(), h.detail.clone()) let:hit>
                        <li>
                            <A href=hit.href.clone() on:click=move |_| close()>
                                <span class="header-search-kind">
                                    {if hit.c_card {
                                        t_string!(i18n, header.search_c_card)
                                    } else {
                                        t_string!(i18n, header.search_a_card)
                                    }}
                                </span>
                                <span class="header-search-name">{hit.name.clone()}</span>
                                <span class="header-search-detail">{hit.detail.clone()}</span>
                            </A>
                        </li>
                    </For>
                </ul>
            </Show>
        </div>
    }
}
