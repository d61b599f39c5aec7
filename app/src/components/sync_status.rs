//! The sync status indicator in the header: offline / N changes waiting / last synced at /
//! K conflicts (a link to `/conflicts`), the reason of a failed sync, and 立即同步.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::conflicts::{conflict_count, local_time};
use crate::i18n::*;
use crate::sync::{SyncProblem, use_sync};

#[component]
pub fn SyncStatus() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let conflicts = Memo::new(move |_| conflict_count(&sync.all_records()));
    let refused = move || sync.refused.with(Vec::len);

    let state = move || {
        if !sync.online.get() {
            view! { <span class="sync-state sync-offline">{t!(i18n, sync.offline)}</span> }
                .into_any()
        } else if !sync.reachable.get() {
            view! { <span class="sync-state sync-offline">{t!(i18n, sync.unreachable)}</span> }
                .into_any()
        } else if let Some((fetched, total)) = sync.snapshot.get() {
            view! {
                <span class="sync-state">
                    {t!(i18n, sync.snapshot, fetched = fetched, total = total)}
                </span>
            }
            .into_any()
        } else if sync.syncing.get() {
            view! { <span class="sync-state">{t!(i18n, sync.syncing)}</span> }.into_any()
        } else {
            match sync.last_synced.get() {
                Some(at) => {
                    let time = local_time(at, false);
                    view! { <span class="sync-state">{t!(i18n, sync.synced_at, time = time)}</span> }
                        .into_any()
                }
                None => view! { <span class="sync-state">{t!(i18n, sync.never)}</span> }.into_any(),
            }
        }
    };
    let pending = move || {
        let n = sync.pending.get();
        (n > 0).then(|| {
            view! { <span class="sync-pending">{t!(i18n, sync.pending, n = n)}</span> }
        })
    };
    let problem = move || {
        sync.problem.get().map(|p| {
            let message = match p {
                SyncProblem::Server { code, message } => {
                    if message.is_empty() {
                        code
                    } else {
                        message
                    }
                }
                SyncProblem::Unexpected => t_string!(i18n, errors.unexpected).to_string(),
                SyncProblem::Storage => t_string!(i18n, sync.storage).to_string(),
            };
            view! {
                <span class="sync-problem" role="alert">
                    {t!(i18n, sync.problem, message = message)}
                </span>
            }
        })
    };
    let conflict_link = move || {
        let k = conflicts.get();
        let r = refused();
        view! {
            {(k != 0)
                .then(|| {
                    view! {
                        <A href="/conflicts" attr:class="sync-conflicts">
                            {t!(i18n, sync.conflicts, n = k)}
                        </A>
                    }
                })}
            {(r != 0)
                .then(|| {
                    view! {
                        <A href="/conflicts" attr:class="sync-conflicts">
                            {t!(i18n, sync.refused, n = r)}
                        </A>
                    }
                })}
        }
    };

    view! {
        <div
            class="sync-status"
            role="status"
            aria-live="polite"
            aria-label=move || t_string!(i18n, sync.status)
        >
            {state}
            {pending}
            {conflict_link}
            {problem}
            <button
                type="button"
                class="btn btn-ghost"
                on:click=move |_| sync.kick()
                disabled=move || sync.syncing.get() || !sync.online.get()
            >
                {t!(i18n, sync.sync_now)}
            </button>
        </div>
    }
}
