//! The demo store's care history: pushed as ops after the sales and service histories (every op
//! accepted by the domain policy as of its own time, or the seeding fails), and giving the care
//! screens figures: tasks done, failed after the unreachable rule (with its message in the
//! outbox), one double, renewals won and lost, and today's open lists for both specialists.

mod common;

use std::collections::BTreeSet;

use chrono::{TimeZone, Utc};
use domain::care::calls::{Attempt, doubles, unreachable_progress};
use domain::records::{CareTask, CareTaskStatus};
use domain::time::StoreClock;
use forecourt_server::demo_care::seed_care_history;
use forecourt_server::demo_sales::seed_sales_history;
use forecourt_server::demo_service::seed_service_history;
use forecourt_server::store::Store;

use common::app;
use common::demo_store::records_of;

#[tokio::test]
async fn the_care_history_passes_the_policy_and_fills_the_care_screens() {
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 7, 0, 0).unwrap();
    let t = app().await;
    let store: &dyn Store = &t.store;
    let sales = seed_sales_history(store, now).await.expect("sales history");
    let service = seed_service_history(store, now)
        .await
        .expect("service history");
    let care = seed_care_history(store, now).await.expect("care history");
    eprintln!("care history: {} ops; {:?}", care.ops, care.records);
    assert_eq!(
        store.seq("demo".into()).await.unwrap(),
        (sales.ops + service.ops + care.ops) as u64
    );
    let clock = StoreClock::default();
    let tasks: Vec<CareTask> = records_of(store, &["care_task"])
        .await
        .iter()
        .map(|r| CareTask::of(r, clock))
        .filter(|t| t.starts_on.is_some())
        .collect();
    let count = |s: CareTaskStatus| tasks.iter().filter(|t| t.status == s).count();
    let (done, failed, open) = (
        count(CareTaskStatus::Done),
        count(CareTaskStatus::Failed),
        count(CareTaskStatus::Open),
    );
    eprintln!("care tasks: {} done, {failed} failed, {open} open", done);
    assert!(done >= 10, "{done} done");
    assert!(failed >= 1, "{failed} failed");
    assert!(open >= 1, "{open} open");
    // Every failed task met the rule: three calls at three times of day, then a message.
    for t in tasks.iter().filter(|t| t.status == CareTaskStatus::Failed) {
        assert!(
            unreachable_progress(&Attempt::all_of(t, clock)).met(),
            "{t:?}"
        );
        assert!(t.fail_reason.is_some());
    }
    let messages = records_of(store, &["message"]).await;
    assert_eq!(messages.len(), failed, "one message per failed task");
    assert_eq!(doubles(&tasks, clock).len(), 1);
    // Both specialists worked; renewals won and lost are noted.
    let callers: BTreeSet<String> = tasks
        .iter()
        .flat_map(|t| t.attempts.iter().map(|a| a.user_id.clone()))
        .collect();
    assert_eq!(callers.len(), 2);
    let notes: Vec<String> = tasks
        .iter()
        .flat_map(|t| {
            t.attempts
                .iter()
                .filter_map(|a| a.text("note").map(str::to_owned))
        })
        .collect();
    assert!(notes.iter().any(|n| n.contains("已续保")), "{notes:?}");
    assert!(notes.iter().any(|n| n.contains("投保")), "{notes:?}");
    assert_eq!(records_of(store, &["care_settings"]).await.len(), 1);

    // 续保: outcomes won and lost on the insurance tasks, some audited by the CS manager;
    // 流失客户: reasons found on the calls; the open customers' rows are left to call.
    let records = records_of(store, &["care_task"]).await;
    let decisions: Vec<_> = records
        .iter()
        .filter_map(|r| domain::care::renewal::Decision::of(r, clock))
        .collect();
    use domain::care::renewal::RenewalOutcome;
    assert!(
        decisions
            .iter()
            .any(|d| d.outcome == RenewalOutcome::Renewed),
        "{decisions:?}"
    );
    assert!(
        decisions.iter().any(|d| d.outcome == RenewalOutcome::Lost),
        "{decisions:?}"
    );
    let audited = records
        .iter()
        .filter(|r| !domain::care::renewal::audits_of(r, clock).is_empty())
        .count();
    assert!(audited >= 1, "{audited} audited of {}", decisions.len());
    let findings = records
        .iter()
        .filter_map(domain::care::lost::Finding::of)
        .count();
    assert!(findings >= 2, "{findings} lost customers' reasons");
    eprintln!(
        "renewals decided {}, audited {audited}, lost reasons {findings}",
        decisions.len()
    );
}
