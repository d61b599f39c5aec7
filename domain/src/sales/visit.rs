//! The showroom visit (来店/来电登记): one record per arriving group or phone inquiry, and the rule
//! that decides whether it counts as a visit group (来店组数) [mgmt, seed 001 §一.1].

use super::UserError;
use chrono::{NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where the visitor came from (客户来源).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitSource {
    /// 自然到店 — walked into the showroom.
    WalkIn,
    /// 来电咨询 — phoned the store.
    PhoneInquiry,
    /// 店外活动/车展/巡展 — met at an off-site event or roadshow.
    OffsiteEvent,
    /// 转介绍 — sent by an existing customer.
    Referral,
    /// 网络 — came from an online lead (website, car portals).
    Online,
}

impl VisitSource {
    pub const ALL: [VisitSource; 5] = [
        VisitSource::WalkIn,
        VisitSource::PhoneInquiry,
        VisitSource::OffsiteEvent,
        VisitSource::Referral,
        VisitSource::Online,
    ];

    /// Stable identifier for storage and the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            VisitSource::WalkIn => "walk_in",
            VisitSource::PhoneInquiry => "phone_inquiry",
            VisitSource::OffsiteEvent => "offsite_event",
            VisitSource::Referral => "referral",
            VisitSource::Online => "online",
        }
    }

    pub fn parse(s: &str) -> Option<VisitSource> {
        VisitSource::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            VisitSource::WalkIn => "自然到店",
            VisitSource::PhoneInquiry => "来电咨询",
            VisitSource::OffsiteEvent => "店外活动/巡展",
            VisitSource::Referral => "转介绍",
            VisitSource::Online => "网络",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            VisitSource::WalkIn => "Walk-in",
            VisitSource::PhoneInquiry => "Phone inquiry",
            VisitSource::OffsiteEvent => "Off-site event / roadshow",
            VisitSource::Referral => "Referral",
            VisitSource::Online => "Online",
        }
    }
}

/// Who the visitor is, as the receptionist or consultant judges at the door.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitorKind {
    /// 看车客户 — someone interested in buying a car (new or returning).
    Prospect,
    /// 售后客户 — an owner who came for service, not to buy.
    AfterSalesCustomer,
    /// 来访者 — not a customer: a vendor, a friend, a job applicant, …
    NonCustomer,
}

impl VisitorKind {
    pub const ALL: [VisitorKind; 3] = [
        VisitorKind::Prospect,
        VisitorKind::AfterSalesCustomer,
        VisitorKind::NonCustomer,
    ];

    /// Stable identifier for storage and the wire (`visitor_kind` of a visit record).
    pub fn as_str(self) -> &'static str {
        match self {
            VisitorKind::Prospect => "prospect",
            VisitorKind::AfterSalesCustomer => "after_sales_customer",
            VisitorKind::NonCustomer => "non_customer",
        }
    }

    pub fn parse(s: &str) -> Option<VisitorKind> {
        VisitorKind::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            VisitorKind::Prospect => "看车客户",
            VisitorKind::AfterSalesCustomer => "售后客户",
            VisitorKind::NonCustomer => "非客户来访者",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            VisitorKind::Prospect => "Customer",
            VisitorKind::AfterSalesCustomer => "After-sales customer",
            VisitorKind::NonCustomer => "Not a customer",
        }
    }
}

/// Number of people arriving together (同行人数); at least 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct GroupSize(u32);

impl GroupSize {
    pub fn new(people: u32) -> Result<GroupSize, VisitError> {
        if people == 0 {
            Err(VisitError::EmptyGroup)
        } else {
            Ok(GroupSize(people))
        }
    }

    pub fn people(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for GroupSize {
    type Error = VisitError;
    fn try_from(n: u32) -> Result<Self, Self::Error> {
        GroupSize::new(n)
    }
}

impl From<GroupSize> for u32 {
    fn from(g: GroupSize) -> u32 {
        g.0
    }
}

/// How long a group stayed (留店时间), in the three buckets the sales manager reviews.
/// Half-open intervals: `[0, 15)`, `[15, 30)` and `[30, ∞)` minutes, so exactly 15 minutes is
/// `From15To30` and exactly 30 minutes is `Over30`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DwellBucket {
    /// 0–15 分钟
    Under15,
    /// 15–30 分钟
    From15To30,
    /// 30 分钟以上
    Over30,
}

impl DwellBucket {
    pub const ALL: [DwellBucket; 3] = [
        DwellBucket::Under15,
        DwellBucket::From15To30,
        DwellBucket::Over30,
    ];

    pub fn of(dwell: TimeDelta) -> DwellBucket {
        let minutes = dwell.num_minutes();
        if minutes < 15 {
            DwellBucket::Under15
        } else if minutes < 30 {
            DwellBucket::From15To30
        } else {
            DwellBucket::Over30
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            DwellBucket::Under15 => "0–15 分钟",
            DwellBucket::From15To30 => "15–30 分钟",
            DwellBucket::Over30 => "30 分钟以上",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            DwellBucket::Under15 => "0–15 min",
            DwellBucket::From15To30 => "15–30 min",
            DwellBucket::Over30 => "30+ min",
        }
    }
}

/// The time a group stayed: `time_out − time_in`. Leaving before arriving is an error.
pub fn dwell_time(
    time_in: NaiveDateTime,
    time_out: NaiveDateTime,
) -> Result<TimeDelta, VisitError> {
    if time_out < time_in {
        return Err(VisitError::OutBeforeIn);
    }
    Ok(time_out - time_in)
}

/// The dwell bucket of a visit; `Ok(None)` while the group is still in the showroom (no time out).
pub fn dwell_bucket(
    time_in: NaiveDateTime,
    time_out: Option<NaiveDateTime>,
) -> Result<Option<DwellBucket>, VisitError> {
    match time_out {
        None => Ok(None),
        Some(out) => dwell_time(time_in, out).map(|d| Some(DwellBucket::of(d))),
    }
}

/// What the counting rule needs to know about one visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitCountFacts {
    pub source: VisitSource,
    pub visitor: VisitorKind,
    /// The visitor already had an A-card **before this visit** (one built during this visit does not count).
    pub had_a_card_before: bool,
    /// The visitor already had signed an order before this visit.
    pub had_order_before: bool,
}

/// The rule that decided whether a visit counts as a visit group (来店组数) [mgmt].
/// Checked in this order: non-customer, after-sales customer, return visit, then the counted rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitCountRule {
    /// 来店的单独一人或一同来的多人为一组 — counted.
    CountedGroup,
    /// 通过店外促销活动获得的客户,计入当日来店组数 — counted.
    CountedOffsiteEvent,
    /// 来电咨询的客户(是否形成 A 卡),计入当日来店组数 — counted.
    CountedPhoneInquiry,
    /// 已形成 A 卡或订单的再次来店人员不计入 — not counted.
    NotCountedReturnVisit,
    /// 做售后服务的已购车客户不计入 — not counted.
    NotCountedAfterSales,
    /// 来访者不计入 — not counted.
    NotCountedNonCustomer,
}

impl VisitCountRule {
    /// Does the visit add one to 来店组数?
    pub fn counted(self) -> bool {
        matches!(
            self,
            VisitCountRule::CountedGroup
                | VisitCountRule::CountedOffsiteEvent
                | VisitCountRule::CountedPhoneInquiry
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            VisitCountRule::CountedGroup => "counted_group",
            VisitCountRule::CountedOffsiteEvent => "counted_offsite_event",
            VisitCountRule::CountedPhoneInquiry => "counted_phone_inquiry",
            VisitCountRule::NotCountedReturnVisit => "not_counted_return_visit",
            VisitCountRule::NotCountedAfterSales => "not_counted_after_sales",
            VisitCountRule::NotCountedNonCustomer => "not_counted_non_customer",
        }
    }

    /// The explanation shown on the visit screen.
    pub fn text_zh(self) -> &'static str {
        match self {
            VisitCountRule::CountedGroup => "计入来店组数:单独一人或同行多人算一组",
            VisitCountRule::CountedOffsiteEvent => "计入来店组数:店外活动获得的客户计入当日",
            VisitCountRule::CountedPhoneInquiry => "计入来店组数:来电咨询客户计入当日",
            VisitCountRule::NotCountedReturnVisit => "不计入来店组数:已有 A 卡或订单的客户再次来店",
            VisitCountRule::NotCountedAfterSales => "不计入来店组数:来做售后服务的已购车客户",
            VisitCountRule::NotCountedNonCustomer => "不计入来店组数:非客户来访者",
        }
    }

    pub fn text_en(self) -> &'static str {
        match self {
            VisitCountRule::CountedGroup => {
                "Counted as a visit group: one person or several arriving together"
            }
            VisitCountRule::CountedOffsiteEvent => {
                "Counted as a visit group: a customer gained at an off-site event counts that day"
            }
            VisitCountRule::CountedPhoneInquiry => {
                "Counted as a visit group: a phone inquiry counts that day"
            }
            VisitCountRule::NotCountedReturnVisit => {
                "Not counted: a return visit of a customer who already has an A-card or an order"
            }
            VisitCountRule::NotCountedAfterSales => {
                "Not counted: an owner who came for after-sales service"
            }
            VisitCountRule::NotCountedNonCustomer => "Not counted: a visitor who is not a customer",
        }
    }
}

/// Which counting rule applies to a visit (来店组数的统计规则).
///
/// The group size does not matter: several people arriving together are one group.
pub fn count_rule(facts: &VisitCountFacts) -> VisitCountRule {
    match facts.visitor {
        VisitorKind::NonCustomer => VisitCountRule::NotCountedNonCustomer,
        VisitorKind::AfterSalesCustomer => VisitCountRule::NotCountedAfterSales,
        VisitorKind::Prospect if facts.had_a_card_before || facts.had_order_before => {
            VisitCountRule::NotCountedReturnVisit
        }
        VisitorKind::Prospect => match facts.source {
            VisitSource::PhoneInquiry => VisitCountRule::CountedPhoneInquiry,
            VisitSource::OffsiteEvent => VisitCountRule::CountedOffsiteEvent,
            VisitSource::WalkIn | VisitSource::Referral | VisitSource::Online => {
                VisitCountRule::CountedGroup
            }
        },
    }
}

/// The counting facts of a stored visit record (`source`, `visitor_kind`, `had_card_or_order`, as
/// the wire names). A missing or unknown source counts as a walk-in and a missing kind as a
/// prospect — what the receptionist assumes when nothing else was said.
pub fn stored_facts(source: &str, visitor_kind: &str, had_card_or_order: bool) -> VisitCountFacts {
    VisitCountFacts {
        source: VisitSource::parse(source).unwrap_or(VisitSource::WalkIn),
        visitor: VisitorKind::parse(visitor_kind).unwrap_or(VisitorKind::Prospect),
        had_a_card_before: had_card_or_order,
        had_order_before: false,
    }
}

/// One visit of a day as the reception totals see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitTally {
    pub rule: VisitCountRule,
    pub source: VisitSource,
    /// `None` while the group is still in the showroom (or the times do not make sense).
    pub dwell: Option<DwellBucket>,
}

/// The reception totals of a day (来店登记汇总).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VisitTotals {
    /// Every visit logged.
    pub logged: u32,
    /// 来店组数: visits a counting rule counts (phone inquiries included, as the rule says).
    pub groups_counted: u32,
    /// 来电咨询: phone inquiries logged (counted or not).
    pub phone_inquiries: u32,
    /// Showroom visits by how long they stayed, in [`DwellBucket::ALL`] order. Phone inquiries
    /// are not showroom stays and are left out.
    pub by_dwell: [u32; 3],
    /// Showroom groups still in the store (no time out yet).
    pub still_in: u32,
}

/// Add up a day's visits.
pub fn totals(visits: &[VisitTally]) -> VisitTotals {
    let mut t = VisitTotals::default();
    for v in visits {
        t.logged += 1;
        if v.rule.counted() {
            t.groups_counted += 1;
        }
        if v.source == VisitSource::PhoneInquiry {
            t.phone_inquiries += 1;
            continue;
        }
        match v.dwell {
            Some(b) => {
                let i = DwellBucket::ALL.iter().position(|x| *x == b).unwrap_or(0);
                t.by_dwell[i] += 1;
            }
            None => t.still_in += 1,
        }
    }
    t
}

/// A person on either side of a referral: the customer id if known, and the phone as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReferralParty {
    pub customer_id: Option<Uuid>,
    pub phone: Option<String>,
}

/// Check the referrer (转介绍人) written on a referral visit [care]: a referral needs a referrer,
/// and a customer cannot refer themself (same customer id, or the same phone once normalised) —
/// a successful referral earns both sides a free maintenance, so self-referral is a faked referral.
pub fn check_referral(
    new_customer: &ReferralParty,
    referrer: Option<&ReferralParty>,
) -> Result<(), VisitError> {
    let Some(referrer) = referrer else {
        return Err(VisitError::ReferrerMissing);
    };
    let referrer_phone = referrer
        .phone
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .map(super::phone::normalise)
        .transpose()
        .map_err(|_| VisitError::ReferrerPhoneInvalid)?;
    if referrer.customer_id.is_none() && referrer_phone.is_none() {
        return Err(VisitError::ReferrerMissing);
    }
    if let (Some(a), Some(b)) = (new_customer.customer_id, referrer.customer_id)
        && a == b
    {
        return Err(VisitError::SelfReferral);
    }
    let new_phone = new_customer
        .phone
        .as_deref()
        .and_then(|p| super::phone::normalise(p).ok());
    if let (Some(a), Some(b)) = (new_phone, referrer_phone)
        && a == b
    {
        return Err(VisitError::SelfReferral);
    }
    Ok(())
}

/// A showroom visit as the screen fills it in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    pub id: Uuid,
    pub consultant: Uuid,
    pub source: VisitSource,
    pub visitor: VisitorKind,
    pub group_size: u32,
    pub time_in: NaiveDateTime,
    pub time_out: Option<NaiveDateTime>,
    /// 意向车型: a model code of the store's catalogue.
    pub intended_model: Option<String>,
    pub a_card: Option<Uuid>,
    pub customer: ReferralParty,
    pub referrer: Option<ReferralParty>,
}

impl Visit {
    /// Every problem of the visit at once (empty = valid).
    pub fn problems(&self) -> Vec<VisitError> {
        let mut out = Vec::new();
        if let Err(e) = GroupSize::new(self.group_size) {
            out.push(e);
        }
        if let Some(t) = self.time_out
            && let Err(e) = dwell_time(self.time_in, t)
        {
            out.push(e);
        }
        if self.source == VisitSource::Referral
            && let Err(e) = check_referral(&self.customer, self.referrer.as_ref())
        {
            out.push(e);
        }
        out
    }
}

/// Who may take a logged visit back (撤销来店登记), e.g. a mistaken tap on the quick reception:
/// the visit goes to the bin, where a manager can restore it. A manager may withdraw any visit; a
/// consultant only their own, on the day it was logged (`today`, store-local), and not once an
/// A-card was built from it (the card and its KPIs count that visit).
pub fn check_withdraw(
    visit_consultant: &str,
    visit_time_in: &str,
    visit_a_card_id: &str,
    actor: &str,
    actor_is_manager: bool,
    today: chrono::NaiveDate,
    clock: crate::time::StoreClock,
) -> Result<(), VisitError> {
    if actor_is_manager {
        return Ok(());
    }
    if visit_consultant != actor {
        return Err(VisitError::WithdrawNotYours);
    }
    if clock.parse_date(visit_time_in) != Some(today) {
        return Err(VisitError::WithdrawPastDay);
    }
    if !visit_a_card_id.trim().is_empty() {
        return Err(VisitError::WithdrawHasCard);
    }
    Ok(())
}

/// Why a visit record was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VisitError {
    #[error("no consultant was chosen to receive the visit")]
    NoConsultant,
    #[error("a group has at least one person")]
    EmptyGroup,
    #[error("time out is before time in")]
    OutBeforeIn,
    #[error("a referral needs the referrer")]
    ReferrerMissing,
    #[error("the referrer's phone number is not valid")]
    ReferrerPhoneInvalid,
    #[error("a customer cannot refer themself")]
    SelfReferral,
    #[error("only the consultant who logged a visit (or a manager) may withdraw it")]
    WithdrawNotYours,
    #[error("a visit of an earlier day can only be withdrawn by a manager")]
    WithdrawPastDay,
    #[error("an A-card was built from this visit")]
    WithdrawHasCard,
}

impl UserError for VisitError {
    fn code(&self) -> &'static str {
        match self {
            VisitError::NoConsultant => "visit_no_consultant",
            VisitError::EmptyGroup => "visit_empty_group",
            VisitError::OutBeforeIn => "visit_out_before_in",
            VisitError::ReferrerMissing => "visit_referrer_missing",
            VisitError::ReferrerPhoneInvalid => "visit_referrer_phone_invalid",
            VisitError::SelfReferral => "visit_self_referral",
            VisitError::WithdrawNotYours => "visit_withdraw_not_yours",
            VisitError::WithdrawPastDay => "visit_withdraw_past_day",
            VisitError::WithdrawHasCard => "visit_withdraw_has_card",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            VisitError::NoConsultant => "请选择接待顾问",
            VisitError::EmptyGroup => "来店人数至少为 1 人",
            VisitError::OutBeforeIn => "离店时间不能早于到店时间",
            VisitError::ReferrerMissing => "转介绍客户请填写介绍人",
            VisitError::ReferrerPhoneInvalid => "介绍人电话号码无效",
            VisitError::SelfReferral => "介绍人不能是客户本人",
            VisitError::WithdrawNotYours => "只有登记这次来店的销售顾问或经理可以撤销",
            VisitError::WithdrawPastDay => "以前日期的来店登记只能由经理撤销",
            VisitError::WithdrawHasCard => "这次来店已建A卡,不能撤销",
        }
        .into()
    }

    fn message_en(&self) -> String {
        match self {
            VisitError::NoConsultant => "Choose the consultant",
            VisitError::EmptyGroup => "A group has at least one person",
            VisitError::OutBeforeIn => "Time out cannot be before time in",
            VisitError::ReferrerMissing => "A referral needs the referring customer",
            VisitError::ReferrerPhoneInvalid => "The referrer's phone number is not valid",
            VisitError::SelfReferral => "A customer cannot refer themself",
            VisitError::WithdrawNotYours => {
                "Only the consultant who logged this visit, or a manager, may withdraw it"
            }
            VisitError::WithdrawPastDay => {
                "A visit of an earlier day can only be withdrawn by a manager"
            }
            VisitError::WithdrawHasCard => {
                "An A-card was built from this visit; it cannot be withdrawn"
            }
        }
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::StoreClock;
    use chrono::NaiveDate;

    fn at(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, 14)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    fn prospect(source: VisitSource) -> VisitCountFacts {
        VisitCountFacts {
            source,
            visitor: VisitorKind::Prospect,
            had_a_card_before: false,
            had_order_before: false,
        }
    }

    #[test]
    fn a_consultant_withdraws_only_own_unbuilt_visits_of_today() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 14).unwrap();
        let ok = check_withdraw(
            "u-li",
            "2026-03-14T10:05:00",
            "",
            "u-li",
            false,
            today,
            StoreClock::default(),
        );
        assert_eq!(ok, Ok(()));
        assert_eq!(
            check_withdraw(
                "u-wang",
                "2026-03-14T10:05:00",
                "",
                "u-li",
                false,
                today,
                StoreClock::default()
            ),
            Err(VisitError::WithdrawNotYours)
        );
        assert_eq!(
            check_withdraw(
                "u-li",
                "2026-03-13T17:50:00",
                "",
                "u-li",
                false,
                today,
                StoreClock::default()
            ),
            Err(VisitError::WithdrawPastDay)
        );
        assert_eq!(
            check_withdraw(
                "u-li",
                "not a time",
                "",
                "u-li",
                false,
                today,
                StoreClock::default()
            ),
            Err(VisitError::WithdrawPastDay)
        );
        let card = "0190a3c4-0000-7000-8000-000000000001";
        assert_eq!(
            check_withdraw(
                "u-li",
                "2026-03-14T10:05:00",
                card,
                "u-li",
                false,
                today,
                StoreClock::default()
            ),
            Err(VisitError::WithdrawHasCard)
        );
        // A manager fixes any day's log, even a visit with a card.
        assert_eq!(
            check_withdraw(
                "u-wang",
                "2026-03-13T17:50:00",
                card,
                "u-zhao",
                true,
                today,
                StoreClock::default()
            ),
            Ok(())
        );
    }

    #[test]
    fn group_size_is_at_least_one() {
        assert_eq!(GroupSize::new(0), Err(VisitError::EmptyGroup));
        assert_eq!(GroupSize::new(4).unwrap().people(), 4);
        assert!(serde_json::from_str::<GroupSize>("0").is_err());
        assert_eq!(serde_json::from_str::<GroupSize>("3").unwrap().people(), 3);
    }

    #[test]
    fn dwell_buckets_at_their_boundaries() {
        let cases = [
            ((10, 0), (10, 0), DwellBucket::Under15),
            ((10, 0), (10, 14), DwellBucket::Under15),
            ((10, 0), (10, 15), DwellBucket::From15To30),
            ((10, 0), (10, 29), DwellBucket::From15To30),
            ((10, 0), (10, 30), DwellBucket::Over30),
            ((10, 0), (12, 5), DwellBucket::Over30),
        ];
        for ((h1, m1), (h2, m2), want) in cases {
            assert_eq!(
                dwell_bucket(at(h1, m1), Some(at(h2, m2))),
                Ok(Some(want)),
                "{h1}:{m1}–{h2}:{m2}"
            );
        }
        assert_eq!(dwell_time(at(10, 0), at(10, 42)).unwrap().num_minutes(), 42);
        assert_eq!(dwell_bucket(at(10, 0), None), Ok(None));
        assert_eq!(
            dwell_bucket(at(10, 0), Some(at(9, 59))),
            Err(VisitError::OutBeforeIn)
        );
    }

    #[test]
    fn counted_rules() {
        assert_eq!(
            count_rule(&prospect(VisitSource::WalkIn)),
            VisitCountRule::CountedGroup
        );
        assert_eq!(
            count_rule(&prospect(VisitSource::Referral)),
            VisitCountRule::CountedGroup
        );
        assert_eq!(
            count_rule(&prospect(VisitSource::Online)),
            VisitCountRule::CountedGroup
        );
        assert_eq!(
            count_rule(&prospect(VisitSource::OffsiteEvent)),
            VisitCountRule::CountedOffsiteEvent
        );
        assert_eq!(
            count_rule(&prospect(VisitSource::PhoneInquiry)),
            VisitCountRule::CountedPhoneInquiry
        );
        for s in VisitSource::ALL {
            assert!(count_rule(&prospect(s)).counted(), "{s:?}");
        }
    }

    #[test]
    fn not_counted_rules() {
        let mut returning = prospect(VisitSource::WalkIn);
        returning.had_a_card_before = true;
        assert_eq!(
            count_rule(&returning),
            VisitCountRule::NotCountedReturnVisit
        );
        // Even a returning customer who phones is a return contact, not a new group.
        let mut ordered = prospect(VisitSource::PhoneInquiry);
        ordered.had_order_before = true;
        assert_eq!(count_rule(&ordered), VisitCountRule::NotCountedReturnVisit);

        let mut service = prospect(VisitSource::WalkIn);
        service.visitor = VisitorKind::AfterSalesCustomer;
        assert_eq!(count_rule(&service), VisitCountRule::NotCountedAfterSales);

        let mut vendor = prospect(VisitSource::WalkIn);
        vendor.visitor = VisitorKind::NonCustomer;
        vendor.had_a_card_before = true;
        assert_eq!(count_rule(&vendor), VisitCountRule::NotCountedNonCustomer);

        for r in [
            VisitCountRule::NotCountedReturnVisit,
            VisitCountRule::NotCountedAfterSales,
            VisitCountRule::NotCountedNonCustomer,
        ] {
            assert!(!r.counted());
            assert!(r.text_zh().starts_with("不计入"));
            assert!(r.text_en().starts_with("Not counted"));
        }
    }

    #[test]
    fn self_referral_is_refused() {
        let id = Uuid::from_u128(7);
        let new = ReferralParty {
            customer_id: Some(id),
            phone: Some("138 1234 5678".into()),
        };
        let same_phone = ReferralParty {
            customer_id: None,
            phone: Some("+86 138-1234-5678".into()),
        };
        let same_id = ReferralParty {
            customer_id: Some(id),
            phone: Some("13900000000".into()),
        };
        let other = ReferralParty {
            customer_id: Some(Uuid::from_u128(8)),
            phone: Some("13900000000".into()),
        };
        assert_eq!(
            check_referral(&new, Some(&same_phone)),
            Err(VisitError::SelfReferral)
        );
        assert_eq!(
            check_referral(&new, Some(&same_id)),
            Err(VisitError::SelfReferral)
        );
        assert_eq!(check_referral(&new, Some(&other)), Ok(()));
        assert_eq!(check_referral(&new, None), Err(VisitError::ReferrerMissing));
        assert_eq!(
            check_referral(&new, Some(&ReferralParty::default())),
            Err(VisitError::ReferrerMissing)
        );
        let bad = ReferralParty {
            customer_id: None,
            phone: Some("12345".into()),
        };
        assert_eq!(
            check_referral(&new, Some(&bad)),
            Err(VisitError::ReferrerPhoneInvalid)
        );
    }

    #[test]
    fn a_visit_reports_every_problem() {
        let v = Visit {
            id: Uuid::from_u128(1),
            consultant: Uuid::from_u128(2),
            source: VisitSource::Referral,
            visitor: VisitorKind::Prospect,
            group_size: 0,
            time_in: at(10, 0),
            time_out: Some(at(9, 0)),
            intended_model: None,
            a_card: None,
            customer: ReferralParty::default(),
            referrer: None,
        };
        assert_eq!(
            v.problems(),
            vec![
                VisitError::EmptyGroup,
                VisitError::OutBeforeIn,
                VisitError::ReferrerMissing
            ]
        );
        let ok = Visit {
            group_size: 3,
            time_out: Some(at(10, 20)),
            source: VisitSource::WalkIn,
            ..v
        };
        assert!(ok.problems().is_empty());
    }

    #[test]
    fn visitor_kinds_round_trip_like_serde() {
        for k in VisitorKind::ALL {
            assert_eq!(VisitorKind::parse(k.as_str()), Some(k));
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.as_str())
            );
            assert!(!k.label_zh().is_empty() && !k.label_en().is_empty());
        }
        assert_eq!(VisitorKind::parse("vendor"), None);
    }

    #[test]
    fn stored_visits_read_back() {
        let f = stored_facts("phone_inquiry", "prospect", false);
        assert_eq!(count_rule(&f), VisitCountRule::CountedPhoneInquiry);
        let f = stored_facts("", "", true);
        assert_eq!(f.source, VisitSource::WalkIn);
        assert_eq!(count_rule(&f), VisitCountRule::NotCountedReturnVisit);
        let f = stored_facts("walk_in", "after_sales_customer", false);
        assert_eq!(count_rule(&f), VisitCountRule::NotCountedAfterSales);
    }

    #[test]
    fn a_days_totals() {
        let tally = |source, rule, dwell| VisitTally {
            rule,
            source,
            dwell,
        };
        let visits = [
            // Two walk-in groups, one still in the store.
            tally(
                VisitSource::WalkIn,
                VisitCountRule::CountedGroup,
                Some(DwellBucket::Over30),
            ),
            tally(VisitSource::WalkIn, VisitCountRule::CountedGroup, None),
            // A phone inquiry: counted, a phone inquiry, not a stay.
            tally(
                VisitSource::PhoneInquiry,
                VisitCountRule::CountedPhoneInquiry,
                Some(DwellBucket::Under15),
            ),
            // A return visit and an after-sales owner: logged, stayed, not counted.
            tally(
                VisitSource::WalkIn,
                VisitCountRule::NotCountedReturnVisit,
                Some(DwellBucket::From15To30),
            ),
            tally(
                VisitSource::WalkIn,
                VisitCountRule::NotCountedAfterSales,
                Some(DwellBucket::Under15),
            ),
        ];
        assert_eq!(
            totals(&visits),
            VisitTotals {
                logged: 5,
                groups_counted: 3,
                phone_inquiries: 1,
                by_dwell: [1, 1, 1],
                still_in: 1,
            }
        );
        assert_eq!(totals(&[]), VisitTotals::default());
    }

    #[test]
    fn sources_round_trip_and_have_labels() {
        for s in VisitSource::ALL {
            assert_eq!(VisitSource::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
            assert!(!s.label_zh().is_empty() && !s.label_en().is_empty());
        }
    }
}
