//! The demo store is made at the server's first start from the time of that start: every part of
//! its history must pass the policy whatever the day and hour (a rule added to the policy once
//! refused the sales history from 10:00 China time on, when a slipped order's cancellation fell
//! before its slip).

mod common;

use chrono::{Duration, TimeZone, Utc};
use forecourt_server::demo_history::seed_history;

use common::app;

#[tokio::test]
async fn the_demo_history_passes_the_policy_at_any_hour() {
    // Every 5 hours 7 minutes over two and a half days: every hour of the day at a different
    // minute, across a day and a month's end.
    let first = Utc.with_ymd_and_hms(2026, 11, 29, 0, 13, 0).unwrap();
    let mut failures = Vec::new();
    for i in 0..12 {
        let now = first + Duration::minutes(i * (5 * 60 + 7));
        let t = app().await;
        if let Err(e) = seed_history(&t.store, now).await {
            failures.push(format!("at {now}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
