//! The kinds of care task the schedule makes, with their owner role, and the derived task id.

use chrono::NaiveDate;
use uuid::Uuid;

use crate::roles::Role;

/// A row of the care schedule (`shared/domain.md`, seed 004) made by [`super::schedule`].
/// The delivery +24 h / +72 h calls (`sales::order::TaskKind`) and the service handover +48 h
/// call (`service::desk`) are made by their own workflows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CareKind {
    /// 交车一周内客服回访: the customer-service call within a week of delivery.
    DeliveryFollowUp,
    /// 维修保养后一周内客服回访: the customer-service call within a week of a service.
    ServiceFollowUp,
    /// 首保提醒: 2–3 months after delivery (target 100 %).
    FirstMaintenance,
    /// 定保提醒: one week before the next maintenance is due (by date or by mileage).
    Maintenance,
    /// 保修到期提醒: one month before the warranty ends, invite for a check.
    WarrantyEnd,
    /// 续保首次联系: the insurance renewal's first contact, T−45 days.
    InsuranceFirst,
    /// 续保跟进 (T−33).
    InsuranceFollowUp33,
    /// 续保跟进 (T−30).
    InsuranceFollowUp30,
    /// 年审提醒: before the annual inspection is due.
    Inspection,
    /// 生日祝福: on the day, within two hours of opening.
    Birthday,
    /// 流失客户回访: no visit for 90–360 days, monthly.
    LostCustomer,
}

impl CareKind {
    pub const ALL: [CareKind; 11] = [
        CareKind::DeliveryFollowUp,
        CareKind::ServiceFollowUp,
        CareKind::FirstMaintenance,
        CareKind::Maintenance,
        CareKind::WarrantyEnd,
        CareKind::InsuranceFirst,
        CareKind::InsuranceFollowUp33,
        CareKind::InsuranceFollowUp30,
        CareKind::Inspection,
        CareKind::Birthday,
        CareKind::LostCustomer,
    ];

    /// The name stored in a `care_task`'s `kind` field.
    pub fn as_str(self) -> &'static str {
        match self {
            CareKind::DeliveryFollowUp => "cs_delivery_call",
            CareKind::ServiceFollowUp => "cs_service_call",
            CareKind::FirstMaintenance => "first_maintenance",
            CareKind::Maintenance => "maintenance",
            CareKind::WarrantyEnd => "warranty_end",
            CareKind::InsuranceFirst => "insurance_t45",
            CareKind::InsuranceFollowUp33 => "insurance_t33",
            CareKind::InsuranceFollowUp30 => "insurance_t30",
            CareKind::Inspection => "inspection",
            CareKind::Birthday => "birthday",
            CareKind::LostCustomer => "lost_customer",
        }
    }

    pub fn parse(s: &str) -> Option<CareKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The word CS staff use.
    pub fn label_zh(self) -> &'static str {
        match self {
            CareKind::DeliveryFollowUp => "新车回访",
            CareKind::ServiceFollowUp => "维修保养回访",
            CareKind::FirstMaintenance => "首保提醒",
            CareKind::Maintenance => "定保提醒",
            CareKind::WarrantyEnd => "保修到期提醒",
            CareKind::InsuranceFirst => "续保首次联系",
            CareKind::InsuranceFollowUp33 => "续保跟进(T−33)",
            CareKind::InsuranceFollowUp30 => "续保跟进(T−30)",
            CareKind::Inspection => "年审提醒",
            CareKind::Birthday => "生日祝福",
            CareKind::LostCustomer => "流失客户回访",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            CareKind::DeliveryFollowUp => "Call after delivery",
            CareKind::ServiceFollowUp => "Call after service",
            CareKind::FirstMaintenance => "First-maintenance reminder",
            CareKind::Maintenance => "Maintenance reminder",
            CareKind::WarrantyEnd => "Warranty-end reminder",
            CareKind::InsuranceFirst => "Insurance renewal, first contact",
            CareKind::InsuranceFollowUp33 => "Insurance renewal follow-up (T−33)",
            CareKind::InsuranceFollowUp30 => "Insurance renewal follow-up (T−30)",
            CareKind::Inspection => "Annual inspection reminder",
            CareKind::Birthday => "Birthday wishes",
            CareKind::LostCustomer => "Lost-customer call",
        }
    }

    /// The role that owns the row (customer service for every row the generator makes; the
    /// insurance rows are the insurance specialist's work, done here by customer service, whom
    /// the CS manager audits).
    pub fn role(self) -> Role {
        Role::CustomerService
    }

    /// Whether the task is a 续保 (insurance renewal) contact.
    pub fn is_insurance(self) -> bool {
        matches!(
            self,
            CareKind::InsuranceFirst
                | CareKind::InsuranceFollowUp33
                | CareKind::InsuranceFollowUp30
        )
    }
}

/// The id of the care task of `subject` (a C-card id), `kind`, for the due period `period`
/// (the date the row is counted from: the delivery, the service, the expiry, the year's
/// birthday, the month's first day). Two devices generating the schedule offline derive the
/// same id, so they write one task.
pub fn task_id(subject: Uuid, kind: CareKind, period: NaiveDate) -> Uuid {
    let key = format!(
        "care_task/{subject}/{}/{}",
        kind.as_str(),
        period.format("%Y-%m-%d")
    );
    super::derived_id(&key, super::date_millis(period))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn kinds_round_trip_and_have_words() {
        for k in CareKind::ALL {
            assert_eq!(CareKind::parse(k.as_str()), Some(k));
            assert!(!k.label_zh().is_empty() && !k.label_en().is_empty());
            assert_eq!(k.role(), Role::CustomerService);
        }
        assert_eq!(CareKind::parse("delivery_call_24h"), None);
        assert!(CareKind::InsuranceFollowUp30.is_insurance());
        assert!(!CareKind::Birthday.is_insurance());
    }

    #[test]
    fn the_task_id_is_derived_from_subject_kind_and_period() {
        let a = Uuid::from_u128(1);
        let b = Uuid::from_u128(2);
        let p = d("2026-03-01");
        let id = task_id(a, CareKind::FirstMaintenance, p);
        assert_eq!(id, task_id(a, CareKind::FirstMaintenance, p));
        assert_ne!(id, task_id(b, CareKind::FirstMaintenance, p));
        assert_ne!(id, task_id(a, CareKind::Maintenance, p));
        assert_ne!(id, task_id(a, CareKind::FirstMaintenance, d("2026-03-02")));
        // A v7 uuid dated by the period: ids sort by period in the store.
        assert_eq!(id.get_version_num(), 7);
        let later = task_id(a, CareKind::FirstMaintenance, d("2027-03-01"));
        assert!(later > id);
    }
}
