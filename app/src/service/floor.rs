//! The workshop's reading of the records: the repair orders on the floor (approved, in work, at
//! QC, ready), their lines and jobs (`domain::service::workshop::floor_jobs`), and the store's
//! technicians. The workshop screens (派工, 我的作业, 质检) read ROs and lines only here, so how
//! the device reads them is changed in one place: through the indexes, the ROs on the floor and
//! their lines only.

use domain::Role;
use domain::records::service::{RepairOrder, RoLine};
use domain::sales::chrono::NaiveDateTime;
use domain::service::workshop::{JobRow, ON_THE_FLOOR, floor_jobs};
use leptos::prelude::*;
use uuid::Uuid;

use super::data::status_queries;
use crate::clock::{now_local, store_clock};
use crate::directory::{Person, people};
use crate::i18n::*;
use crate::sync::Query;
use crate::ui::reads::{all, read_with};

/// The ROs on the floor, their lines and jobs, as of `now`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Floor {
    pub ros: Vec<RepairOrder>,
    pub lines: Vec<RoLine>,
    pub jobs: Vec<JobRow>,
    pub now: Option<NaiveDateTime>,
    /// Whether the floor has been read (false: the screens say 正在加载… rather than "none").
    pub loaded: bool,
}

impl Floor {
    pub fn ro(&self, id: Uuid) -> Option<&RepairOrder> {
        self.ros.iter().find(|r| r.id == id)
    }

    pub fn line(&self, id: Uuid) -> Option<&RoLine> {
        self.lines.iter().find(|l| l.id == id)
    }

    /// The jobs of one RO.
    pub fn jobs_of(&self, ro: Uuid) -> Vec<JobRow> {
        self.jobs
            .iter()
            .filter(|j| j.ro_id == ro)
            .cloned()
            .collect()
    }
}

/// The floor, read again whenever records change (clocked time and the promised-time risk are
/// as of that moment: the screens are not redrawn on a timer, so that a form being typed in
/// is not redrawn under the user's fingers). Not [`Floor::loaded`] until read.
///
/// Read through the indexes, never a whole type: the ROs on the floor one `by_status` page per
/// status, then each one's lines (`by_link` on `ro_id`).
pub fn use_floor() -> Memo<Floor> {
    let many = read_with(&["repair_order", "ro_line"], || {
        Some(async {
            let ros = all(status_queries(&ON_THE_FLOOR)).await?;
            let lines = all(ros
                .iter()
                .map(|r| Query::Linked {
                    id: r.id,
                    types: &["ro_line"],
                })
                .collect())
            .await?;
            Ok(ros.into_iter().chain(lines).collect::<Vec<_>>())
        })
    });
    Memo::new(move |_| {
        if !many.loaded.get() {
            return Floor::default();
        }
        let clock = store_clock();
        let (ros, lines) = many.records.with(|rs| {
            let ros: Vec<RepairOrder> = rs
                .iter()
                .filter(|r| r.record_type == "repair_order")
                .map(|r| RepairOrder::of(r, clock))
                .filter(|r| ON_THE_FLOOR.contains(&r.status))
                .collect();
            let lines: Vec<RoLine> = rs
                .iter()
                .filter(|r| r.record_type == "ro_line")
                .map(|r| RoLine::of(r, clock))
                .filter(|l| l.ro_id.is_some_and(|id| ros.iter().any(|r| r.id == id)))
                .collect();
            (ros, lines)
        });
        let now = now_local();
        let jobs = floor_jobs(&ros, &lines, now);
        Floor {
            ros,
            lines,
            jobs,
            now: Some(now),
            loaded: true,
        }
    })
}

/// The store's technicians (by name), tracking the directory.
pub fn technicians() -> Vec<Person> {
    people()
        .into_iter()
        .filter(|p| p.roles.contains(&Role::Technician))
        .collect()
}

/// Minutes as hours with one decimal and the unit (`1.5 小时`).
pub fn hours(i18n: I18nContext<Locale>, minutes: i64) -> String {
    let tenths = (minutes * 10 + 30) / 60;
    format!(
        "{}.{} {}",
        tenths / 10,
        tenths % 10,
        t_string!(i18n, svc_shop.hours)
    )
}

/// A store-local time as `MM-DD HH:MM`.
pub fn short_time(t: Option<NaiveDateTime>) -> String {
    t.map(|t| t.format("%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// Where a job stands: working, done, paused or not started.
pub fn job_words(i18n: I18nContext<Locale>, j: &JobRow) -> &'static str {
    if j.running {
        t_string!(i18n, svc_shop.dispatch.running)
    } else if j.done {
        t_string!(i18n, svc_shop.dispatch.done)
    } else if j.started {
        t_string!(i18n, svc_shop.dispatch.paused)
    } else {
        t_string!(i18n, svc_shop.dispatch.waiting)
    }
}

/// The customer's decision on a line in words.
pub fn line_words(
    i18n: I18nContext<Locale>,
    s: domain::service::repair_order::LineState,
) -> &'static str {
    use domain::service::repair_order::LineState as S;
    match s {
        S::Proposed | S::AddedWorkProposed => t_string!(i18n, svc_shop.jobs.state_proposed),
        S::Approved => t_string!(i18n, svc_shop.jobs.state_approved),
        S::Declined => t_string!(i18n, svc_shop.jobs.state_declined),
    }
}

/// The RO's status in the user's language.
pub fn ro_status_words(
    i18n: I18nContext<Locale>,
    s: domain::service::repair_order::RoStatus,
) -> String {
    use domain::service::repair_order::RoStatus as S;
    if i18n.get_locale_untracked() != Locale::en {
        return s.label_zh().to_string();
    }
    match s {
        S::Received => "Received",
        S::Estimated => "Estimated",
        S::Approved => "Approved",
        S::InWork => "In work",
        S::Qc => "At QC",
        S::Ready => "Ready",
        S::HandedOver => "Handed over",
        S::Cancelled => "Cancelled",
    }
    .to_string()
}
