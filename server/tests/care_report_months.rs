//! 客服月报's people figures on the demo store, counted natively as the page counts them
//! (`domain::care::monthly::report_days` filters, `report_of_read`): the e2e test `care.rs` reads
//! November, December and January in turn, and the page holds the last month's records while it
//! reads a newly picked month's. On the demo made at 10:10 China time on 2026-12-07, 赵敏 has one
//! task due in January done early in December and 钱琳 none: counted from November's records,
//! January showed neither, so 赵敏's done count "rose by one" between a reading that raced and one
//! that did not (session 10's open stray done). `report_of_read` refuses another month's records.

mod common;

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use domain::care::monthly::{ReportInput, monthly_report, report_days, report_of_read};
use domain::care::settings::CareSettings;
use domain::records::CareTask;
use domain::sales::chrono::NaiveDate;
use domain::time::StoreClock;
use forecourt_server::demo_history::seed_history;
use forecourt_server::store::Store;
use uuid::Uuid;

use common::app;
use common::demo_store::records_of;

fn input<'a>(tasks: &'a [CareTask], settings: &'a CareSettings) -> ReportInput<'a> {
    ReportInput {
        cards: &[],
        services: &[],
        settings,
        tasks,
        visits: &[],
        lost: &[],
        broadcasts: &[],
        clock: StoreClock::default(),
    }
}

#[tokio::test]
async fn a_months_people_are_counted_only_from_that_months_records() {
    let now = Utc.with_ymd_and_hms(2026, 12, 7, 2, 10, 0).unwrap();
    let t = app().await;
    seed_history(&t.store, now).await.expect("demo history");
    let store: &dyn Store = &t.store;
    let clock = StoreClock::default();
    let users = store.users_in_store("demo".into()).await.unwrap();
    let id_of = |n: &str| users.iter().find(|u| u.username == n).map(|u| u.id);
    let (zhao, qian) = (id_of("cs"), id_of("cs2"));
    let settings = records_of(store, &["care_settings"])
        .await
        .first()
        .map(CareSettings::of)
        .expect("care settings");
    let tasks: Vec<CareTask> = records_of(store, &["care_task"])
        .await
        .iter()
        .map(|r| CareTask::of(r, clock))
        .collect();
    // What the page reads for a month: the tasks due in its `report_days`.
    let read_for = |month: NaiveDate| -> Vec<CareTask> {
        let (from, to) = report_days(month).tasks;
        tasks
            .iter()
            .filter(|t| t.due_at.is_some_and(|d| d.date() >= from && d.date() <= to))
            .cloned()
            .collect()
    };
    let done_failed =
        |tasks: &[CareTask], month: NaiveDate| -> BTreeMap<Option<Uuid>, (usize, usize)> {
            monthly_report(&input(tasks, &settings), month)
                .people
                .into_iter()
                .map(|(who, f)| (who, (f.done, f.failed)))
                .collect()
        };
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let (november, january) = (d("2026-11-01"), d("2027-01-01"));

    // January from its own records: 赵敏 has one task done, 钱琳 none (both have tasks due).
    let own = done_failed(&read_for(january), january);
    assert_eq!(own.get(&zhao).map(|f| f.0), Some(1), "{own:?}");
    assert_eq!(own.get(&qian).map(|f| f.0), Some(0), "{own:?}");
    // From November's records (what the page held while January was being read): nobody.
    let stale = done_failed(&read_for(november), january);
    assert!(stale.is_empty(), "{stale:?}");
    // The rule: another month's records give no report (the page says 正在加载…); the month's
    // own give the figures of every record.
    let nov_read = read_for(november);
    assert_eq!(
        report_of_read(&input(&nov_read, &settings), report_days(november), january),
        None
    );
    let jan_read = read_for(january);
    assert_eq!(
        report_of_read(&input(&jan_read, &settings), report_days(january), january),
        Some(monthly_report(&input(&tasks, &settings), january))
    );
}
