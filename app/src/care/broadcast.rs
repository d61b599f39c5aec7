//! 群发关怀短信 on `/care/outbox`, for the care managers: a holiday greeting or a severe-weather
//! warning (`domain::care::broadcast`) to all customers or the local ones, in the CS manager's
//! text; one message per customer is queued in the outbox with an id derived from the broadcast
//! and the customer, so queueing it again, or on a second device offline, sends it once. The
//! month's broadcasts are counted against "at least three a month".

use domain::care::broadcast::{
    Audience, Broadcast, BroadcastKind, broadcast_of, broadcast_page, check, month_count,
};
use domain::care::monthly::report_days;
use domain::sales::chrono::NaiveDate;
use leptos::prelude::*;

use super::data::{c_card_page, settings, store_name};
use crate::clock::today;
use crate::i18n::*;
use crate::sync::{EditError, Query, SyncCtx, use_sync};
use crate::ui::alert::Alert;
use crate::ui::edit::use_edit;
use crate::ui::field::{DateField, Select, TextArea, TextField};
use crate::ui::panel::Panel;
use crate::ui::reads::read_many;

fn kind_words(i18n: I18nContext<Locale>, k: BroadcastKind) -> &'static str {
    if i18n.get_locale_untracked() == Locale::en {
        k.label_en()
    } else {
        k.label_zh()
    }
}

#[component]
pub fn BroadcastPanel() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let kind = RwSignal::new(BroadcastKind::Holiday.as_str().to_string());
    let occasion = RwSignal::new(String::new());
    let day = RwSignal::new(today().format("%Y-%m-%d").to_string());
    let audience = RwSignal::new(Audience::All.as_str().to_string());
    let text = RwSignal::new(String::new());
    let done = RwSignal::new(None::<String>);
    let bad = RwSignal::new(None::<String>);
    // The CS manager's text for the kind (care settings' templates), else the default.
    Effect::new(move || {
        let k = BroadcastKind::parse(&kind.get()).unwrap_or(BroadcastKind::Holiday);
        let t = settings(sync)
            .templates
            .get(k.as_str())
            .filter(|t| !t.trim().is_empty())
            .cloned()
            .unwrap_or_else(|| k.default_template().to_string());
        text.set(t);
    });
    let kinds = Signal::derive(move || {
        BroadcastKind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), kind_words(i18n, *k).to_string()))
            .collect::<Vec<_>>()
    });
    let audiences = Signal::derive(move || {
        vec![
            (
                Audience::All.as_str().to_string(),
                t_string!(i18n, care_report.bc_all).to_string(),
            ),
            (
                Audience::Local.as_str().to_string(),
                t_string!(i18n, care_report.bc_local).to_string(),
            ),
        ]
    });
    // This month's broadcasts: the messages of the month's days (index `by_day`: a message's day
    // is its broadcast's), never every message.
    let month = read_many(&["message"], || {
        let (from, to) = report_days(today()).broadcasts;
        Some(vec![Query::Days {
            record_type: "message",
            from: from.to_string(),
            to: to.to_string(),
        }])
    });
    let count = Memo::new(move |_| {
        let all: Vec<_> = month
            .records
            .with(|rs| rs.iter().filter_map(broadcast_of).collect());
        month_count(&all, today())
    });
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        let b = Broadcast {
            kind: BroadcastKind::parse(&kind.get_untracked()).unwrap_or(BroadcastKind::Holiday),
            on: NaiveDate::parse_from_str(day.get_untracked().trim(), "%Y-%m-%d")
                .unwrap_or_else(|_| today()),
            occasion: occasion.get_untracked(),
        };
        let to = Audience::parse(&audience.get_untracked()).unwrap_or(Audience::All);
        if check(&b).is_err() {
            bad.set(Some(
                t_string!(i18n, care_report.bc_no_occasion).to_string(),
            ));
            return;
        }
        bad.set(None);
        let template = text.get_untracked();
        let store = store_name();
        edit.run(
            async move { queue(sync, &b, to, &template, &store).await },
            move |n| {
                if n == 0 {
                    bad.set(Some(
                        t_string!(i18n, care_report.bc_no_recipients).to_string(),
                    ));
                } else {
                    done.set(Some(n.to_string()));
                }
            },
        );
    };
    view! {
        <Panel id="care-broadcast-title" class="care-broadcast" title=move || t_string!(i18n, care_report.bc_title)>
            {move || {
                let c = count.get();
                let (n, messages, missing) = (c.broadcasts.len(), c.messages, c.missing());
                if c.meets_rule() {
                    view! { <p class="notice notice-ok care-broadcast-count">{t!(i18n, care_report.broadcasts_ok, n = n, messages = messages)}</p> }.into_any()
                } else {
                    view! { <p class="notice notice-warn care-broadcast-count">{t!(i18n, care_report.broadcasts_short, n = n, messages = messages, missing = missing)}</p> }.into_any()
                }
            }}
            <form class="form care-broadcast-form" on:submit=send novalidate>
                <Select id="care-broadcast-kind" value=kind options=kinds>{t!(i18n, care_report.bc_kind)}</Select>
                <TextField id="care-broadcast-occasion" value=occasion>{t!(i18n, care_report.bc_occasion)}</TextField>
                <DateField id="care-broadcast-day" value=day>{t!(i18n, care_report.bc_day)}</DateField>
                <Select id="care-broadcast-audience" value=audience options=audiences>{t!(i18n, care_report.bc_audience)}</Select>
                <TextArea id="care-broadcast-text" value=text rows=3>{t!(i18n, care_report.bc_template)}</TextArea>
                <p class="muted small"><code>"{name} {store} {occasion}"</code></p>
                <button type="submit" class="btn btn-primary" disabled=move || edit.busy.get()>{t!(i18n, care_report.bc_send)}</button>
            </form>
            {move || done.get().map(|n| view! { <p class="notice notice-ok care-broadcast-queued" role="status">{t!(i18n, care_report.bc_queued, n = n.clone())}</p> })}
            <Alert message=bad />
            <Alert message=edit.error />
        </Panel>
    }
}

/// How many C-cards a broadcast reads at a time.
const BROADCAST_PAGE: u32 = 500;

/// Queues `b` to `audience`: the C-cards a page at a time (`by_day`), each page's messages
/// written before the next page is read (`domain::care::broadcast::broadcast_page`), so no more
/// than a page of cards is held. The number of messages queued (0: nobody in the audience has a
/// phone). Cut off half-way, queueing it again completes it (the ids are the broadcast's and the
/// customer's).
async fn queue(
    sync: SyncCtx,
    b: &Broadcast,
    audience: Audience,
    template: &str,
    store_name: &str,
) -> Result<usize, EditError> {
    let mut total = 0;
    let mut after = None;
    loop {
        let (cards, next) = c_card_page(after, BROADCAST_PAGE).await?;
        let (plan, n) = broadcast_page(b, audience, Some(template), &cards, store_name);
        sync.execute(&plan).await?;
        total += n;
        match next {
            Some(next) => after = Some(next),
            None => return Ok(total),
        }
    }
}
