//! The sync status indicator in the header: offline / N changes waiting / last synced at /
//! K conflicts (a link to `/conflicts`), the reason of a failed sync, and 立即同步. On a shared
//! tablet it also says whose changes wait on the device for their author ("张三 有 3 条修改待上传":
//! only the logged-in user's are pushed), and 可离线使用 once the app's files are on the device.
//!
//! Each part is one plain text (no interpolated pieces), so that it reads as one phrase.

use leptos::prelude::*;
use leptos_router::components::A;

use domain::sync::outbox::Waiting;

use crate::conflicts::conflict_count;
use crate::i18n::*;
use crate::sync::{SyncProblem, use_sync};
use crate::ui::labels::local_time;

/// The name of the author of waiting changes: as the device knew it when they were made, else
/// from the store's directory.
pub fn author_name(w: &Waiting) -> String {
    if w.name.is_empty() {
        crate::directory::name_of_user(&w.user_id)
    } else {
        w.name.clone()
    }
}

/// "张三 有 3 条修改待上传", one a person.
pub fn others_waiting_text(i18n: I18nContext<Locale>, w: &Waiting) -> impl IntoView + use<> {
    let name = author_name(w);
    let n = w.count;
    t!(i18n, sync.others_waiting, name = name, n = n)
}

#[component]
pub fn SyncStatus() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    // The records with an open conflict, through the `by_flag` index.
    let flagged = sync.read(|| {
        Some(crate::sync::Query::Flagged(
            domain::records::index::FLAG_CONFLICT,
        ))
    });
    let conflicts = Memo::new(move |_| flagged.records.with(|r| conflict_count(r)));

    // (offline?, the state's text)
    let state = move || -> (bool, String) {
        if !sync.online.get() {
            (true, t_string!(i18n, sync.offline).to_string())
        } else if !sync.reachable.get() {
            (true, t_string!(i18n, sync.unreachable).to_string())
        } else if let Some((fetched, total)) = sync.snapshot.get() {
            let words = t_string!(i18n, sync.snapshot);
            (
                false,
                match total {
                    Some(total) => format!("{words} {fetched} / {total}"),
                    // A limited scope: the server does not count it.
                    None => format!("{words} {fetched}"),
                },
            )
        } else if sync.syncing.get() {
            (false, t_string!(i18n, sync.syncing).to_string())
        } else {
            match sync.last_synced.get() {
                Some(at) => (
                    false,
                    format!(
                        "{} {}",
                        t_string!(i18n, sync.synced_at),
                        local_time(at, false)
                    ),
                ),
                None => (false, t_string!(i18n, sync.never).to_string()),
            }
        }
    };
    let pending = move || {
        let n = sync.pending.get();
        (n > 0).then(|| format!("{n} {}", t_string!(i18n, sync.pending)))
    };
    // "2 张图片待上传": photos and signatures not yet uploaded.
    let blobs = move || {
        let n = sync.blobs_waiting.get();
        (n > 0).then(|| format!("{n} {}", t_string!(i18n, blob.waiting)))
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
            format!("{}{message}", t_string!(i18n, sync.problem))
        })
    };
    // 可离线使用: the app's files are on the device (the service worker is active), shown
    // with a sync done, so a tablet cut off from then on still opens every page.
    let files_here = use_context::<crate::pwa::OfflineReady>();
    let offline_ready =
        move || files_here.is_some_and(|r| r.0.get()) && sync.last_synced.with(Option::is_some);
    // Conflicts, then refused ops: both are settled on /conflicts.
    let links = move || {
        let k = conflicts.get();
        let r = sync.refused.with(Vec::len);
        [
            (k != 0).then(|| format!("{k} {}", t_string!(i18n, sync.conflicts))),
            (r != 0).then(|| format!("{r} {}", t_string!(i18n, sync.refused))),
        ]
        .into_iter()
        .flatten()
        .map(|text| view! { <A href="/conflicts" attr:class="sync-conflicts">{text}</A> })
        .collect_view()
    };

    view! {
        <div
            class="sync-status"
            role="status"
            aria-live="polite"
            aria-label=move || t_string!(i18n, sync.status)
        >
            {move || {
                let (offline, text) = state();
                view! {
                    <span class="sync-state" class:sync-offline=offline>
                        {text}
                    </span>
                }
            }}
            {move || {
                offline_ready().then(|| view! { <span class="sync-offline-ready">{t!(i18n, pwa.offline_ready)}</span> })
            }}
            {move || pending().map(|p| view! { <span class="sync-pending">{p}</span> })}
            {move || blobs().map(|p| view! { <span class="sync-blobs">{p}</span> })}
            {move || {
                sync.waiting_for_others()
                    .iter()
                    .map(|w| {
                        view! { <span class="sync-others">{others_waiting_text(i18n, w)}</span> }
                    })
                    .collect_view()
            }}
            {links}
            {move || problem().map(|p| view! { <span class="sync-problem" role="alert">{p}</span> })}
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
