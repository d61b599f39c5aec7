//! 客服 (customer care): the CS specialist's list ([`my_calls`], 我的回访), the call screen with
//! the script, the outcome buttons and the unreachable rule's progress ([`call`]), the CS
//! manager's assignment and doubles page ([`manage`]), the message outbox ([`outbox`]) with the
//! managers' holiday / weather broadcasts ([`broadcast`]), the monthly report ([`report`]), 续保
//! ([`renewal`]) and 流失客户 ([`lost`]). The
//! schedule is generated on the device ([`data::use_schedule`], `domain::care::schedule`).
//! Every page sits under [`CareLayout`] (the care sub-navigation).

pub mod broadcast;
pub mod call;
pub mod data;
pub mod kinds;
pub mod lost;
pub mod manage;
pub mod my_calls;
pub mod outbox;
pub mod renewal;
pub mod report;

use domain::care::CareKind;
use domain::care::calls::{DayPart, Outcome};
use leptos::prelude::*;

use crate::i18n::*;
use crate::ui::sub_nav::{NavEntry, SubNav};

/// The frame of every `/care/*` page: the sub-navigation, then the page.
#[component]
pub fn CareLayout() -> impl IntoView {
    let manager = Memo::new(move |_| data::is_care_manager());
    let entries = vec![
        NavEntry::all("/care", |i| t_string!(i, care.nav.my_calls).to_string()),
        NavEntry::managers("/care/manage", |i| {
            t_string!(i, care.nav.manage).to_string()
        }),
        NavEntry::managers("/care/report", |i| {
            t_string!(i, care_report.nav).to_string()
        }),
        NavEntry::all("/care/outbox", |i| {
            t_string!(i, care.nav.outbox).to_string()
        }),
        NavEntry::all("/care/renewal", |i| t_string!(i, renewal.nav).to_string()),
        NavEntry::all("/care/lost", |i| t_string!(i, lost.nav).to_string()),
        // The import of customers, vehicles and past services (the page of `/sales/import`).
        NavEntry::managers("/care/import", |i| {
            t_string!(i, import_care.nav).to_string()
        }),
    ];
    view! {
        <SubNav
            label=|i| t_string!(i, care.nav.label).to_string()
            entries=entries
            manager=manager
        />
    }
}

pub(crate) fn english(i18n: I18nContext<Locale>) -> bool {
    i18n.get_locale() == Locale::en
}

/// A task kind as CS staff say it (the stored name for kinds made elsewhere).
pub fn kind_words(i18n: I18nContext<Locale>, kind: &str) -> String {
    if let Some(k) = CareKind::parse(kind) {
        return if english(i18n) {
            k.label_en()
        } else {
            k.label_zh()
        }
        .to_string();
    }
    if let Some(k) = domain::sales::order::TaskKind::parse(kind) {
        return if english(i18n) {
            k.label_en()
        } else {
            k.label_zh()
        }
        .to_string();
    }
    kind.to_string()
}

/// An attempt's outcome in words.
pub fn outcome_words(i18n: I18nContext<Locale>, o: Outcome) -> &'static str {
    if english(i18n) {
        o.label_en()
    } else {
        o.label_zh()
    }
}

/// A time of day in words.
pub fn part_words(i18n: I18nContext<Locale>, p: DayPart) -> &'static str {
    if english(i18n) {
        p.label_en()
    } else {
        p.label_zh()
    }
}
