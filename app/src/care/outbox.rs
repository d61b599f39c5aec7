//! `/care/outbox` (短信发件箱): the messages queued through the default gateway
//! (`domain::care::message::Outbox`) in the last 30 days (`domain::care::message::outbox_days`,
//! index `by_made`: never every message of the store's years), newest first: to whom, the text,
//! the state. No SMS service is needed to run or test; a gateway that sends marks them sent. The
//! care managers queue holiday / weather broadcasts here too (`super::broadcast`).

use domain::care::message::{outbox_days, outbox_order};
use domain::records::field;
use leptos::prelude::*;

use crate::clock::today;
use crate::i18n::*;
use crate::sync::Query;
use crate::ui::labels::phone_display;
use crate::ui::panel::Panel;
use crate::ui::reads::read_many;

fn status_words(i18n: I18nContext<Locale>, s: &str) -> String {
    match s {
        "sent" => t_string!(i18n, care.outbox.sent),
        "failed" => t_string!(i18n, care.outbox.failed),
        _ => t_string!(i18n, care.outbox.queued),
    }
    .to_string()
}

/// The messages the outbox draws at first, and how many more each 显示更多 adds: a holiday
/// broadcast to the store's customers queues tens of thousands in a day.
const SHOWN: usize = 200;

#[component]
pub fn OutboxPage() -> impl IntoView {
    let i18n = use_i18n();
    let shown = RwSignal::new(SHOWN);
    let read = read_many(&["message"], || {
        let (from, to) = outbox_days(today());
        Some(vec![Query::Made {
            record_type: "message",
            from: from.to_string(),
            to: to.to_string(),
        }])
    });
    let rows = move || {
        if !read.loaded.get() {
            return view! { <p class="muted" role="status">{t_string!(i18n, loading)}</p> }
                .into_any();
        }
        let all = outbox_order(read.records.get());
        if all.is_empty() {
            return view! { <p class="muted">{t_string!(i18n, care.outbox.empty)}</p> }.into_any();
        }
        let total = all.len();
        let limit = shown.get();
        let more = (total > limit).then(|| {
            let n = limit;
            view! {
                <p class="muted small care-outbox-more">
                    {t!(i18n, care.outbox.shown_of, n = n, total = total)}
                    " "
                    <button
                        type="button"
                        class="btn btn-link"
                        on:click=move |_| shown.update(|s| *s += SHOWN)
                    >
                        {t!(i18n, care.outbox.show_more)}
                    </button>
                </p>
            }
        });
        let all: Vec<_> = all.into_iter().take(limit).collect();
        view! {
            <table class="table care-outbox">
                <thead><tr>
                    <th>{t_string!(i18n, care.outbox.to)}</th>
                    <th>{t_string!(i18n, care.outbox.body)}</th>
                    <th>{t_string!(i18n, care.outbox.status)}</th>
                </tr></thead>
                <tbody>
                    {all.into_iter().map(|r| {
                        let to = format!(
                            "{} {}",
                            field::shown(&r, "to_name"),
                            phone_display(&field::shown(&r, "to_phone"))
                        );
                        let status = field::status(&r, "status").unwrap_or_default();
                        view! {
                            <tr class="care-message">
                                <td>{to}</td>
                                <td>{field::shown(&r, "body")}</td>
                                <td>{status_words(i18n, status.as_str())}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {more}
        }
        .into_any()
    };
    view! {
        <Panel id="care-outbox-title" page=true title=move || t_string!(i18n, care.outbox.title)>
            <p class="muted small">{t!(i18n, care.outbox.gateway_note)}</p>
            {rows}
        </Panel>
        {move || super::data::is_care_manager().then(|| view! { <super::broadcast::BroadcastPanel /> })}
    }
}
