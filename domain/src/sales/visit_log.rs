//! Logging a visit (来店/来电登记) as the reception forms do it: the quick-reception tap on the
//! Today page, the sheet that adjusts it (确认), the reception desk's form and 离店 — each a
//! [`Plan`] of writes the app executes in one transaction; and the return-visit lookup (老客户)
//! that marks a visit 已有A卡或订单.

use chrono::NaiveDateTime;
use uuid::Uuid;

use super::phone;
use super::visit::{
    ReferralParty, VisitCountRule, VisitError, VisitSource, VisitorKind, check_referral,
    count_rule, stored_facts,
};
use crate::plan::{Plan, PlannedWrite};
use crate::records::VISIT;
use crate::time::stored_time;

/// A visit as a reception form fills it in (text as typed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitEntry {
    /// The consultant's user id ("" = nobody chosen).
    pub consultant: String,
    pub source: VisitSource,
    pub visitor: VisitorKind,
    /// People in the group (0 when the field does not hold a number).
    pub group_size: u32,
    /// A catalogue code, or "".
    pub intended_model: String,
    /// The customer's phone as typed, to find a return visit and check a referral.
    pub customer_phone: String,
    /// 已有A卡或订单: a return visit.
    pub had_card_or_order: bool,
    /// The customer's A-card when the phone found one.
    pub a_card: Option<Uuid>,
    pub referrer_name: String,
    pub referrer_phone: String,
}

impl Default for VisitEntry {
    /// A walk-in prospect, one person, nothing else said.
    fn default() -> Self {
        VisitEntry {
            consultant: String::new(),
            source: VisitSource::WalkIn,
            visitor: VisitorKind::Prospect,
            group_size: 1,
            intended_model: String::new(),
            customer_phone: String::new(),
            had_card_or_order: false,
            a_card: None,
            referrer_name: String::new(),
            referrer_phone: String::new(),
        }
    }
}

impl VisitEntry {
    /// The counting rule the visit falls under (shown while the form is filled in).
    pub fn count_rule(&self) -> VisitCountRule {
        count_rule(&stored_facts(
            self.source.as_str(),
            self.visitor.as_str(),
            self.had_card_or_order,
        ))
    }

    /// The referral check (转介绍): a referral needs a referrer, who may not be the customer.
    pub fn referral_problem(&self) -> Option<VisitError> {
        if self.source != VisitSource::Referral {
            return None;
        }
        let typed = |p: &str| Some(p.to_string()).filter(|p| !p.trim().is_empty());
        let customer = ReferralParty {
            customer_id: self.a_card,
            phone: typed(&self.customer_phone),
        };
        let referrer = ReferralParty {
            customer_id: None,
            phone: typed(&self.referrer_phone),
        };
        check_referral(&customer, Some(&referrer)).err()
    }

    /// The first problem of a visit logged in full (the desk form): a consultant, at least one
    /// person, and a good referrer for a referral.
    pub fn check(&self) -> Result<(), VisitError> {
        if self.consultant.trim().is_empty() {
            return Err(VisitError::NoConsultant);
        }
        if self.group_size == 0 {
            return Err(VisitError::EmptyGroup);
        }
        match self.referral_problem() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// The referrer's phone as stored: canonical when it parses, else trimmed.
    fn referrer_phone_stored(&self) -> String {
        phone::normalise(&self.referrer_phone)
            .unwrap_or_else(|_| self.referrer_phone.trim().to_string())
    }
}

/// When a visit logged at `time_in` left: a phone inquiry is logged once the call is over, so it
/// has no showroom stay (time out = time in); a showroom visit is open until 离店.
pub fn time_out_when_logged(source: VisitSource, time_in: NaiveDateTime) -> Option<NaiveDateTime> {
    (source == VisitSource::PhoneInquiry).then_some(time_in)
}

/// The writes of a new visit `id` logged at `now`, without checks.
fn new_visit(id: Uuid, v: &VisitEntry, now: NaiveDateTime) -> PlannedWrite {
    let mut w = PlannedWrite::new(id, &VISIT)
        .set("time_in", stored_time(now))
        .set("source", v.source.as_str())
        .set("visitor_kind", v.visitor.as_str())
        .set("group_size", v.group_size.max(1))
        .set("consultant_id", v.consultant.as_str())
        .set("had_card_or_order", v.had_card_or_order);
    if let Some(out) = time_out_when_logged(v.source, now) {
        w = w.set("time_out", stored_time(out));
    }
    if !v.intended_model.is_empty() {
        w = w.set("intended_model", v.intended_model.as_str());
    }
    if let Some(card) = v.a_card {
        w = w.set("a_card_id", card.to_string());
    }
    if v.source == VisitSource::Referral {
        if !v.referrer_name.trim().is_empty() {
            w = w.set("referrer_name", v.referrer_name.trim());
        }
        if !v.referrer_phone.trim().is_empty() {
            w = w.set("referrer_phone", v.referrer_phone_stored());
        }
    }
    w
}

/// 登记来店 at the reception desk: the visit `id`, in full, logged at `now`.
pub fn log_plan(id: Uuid, v: &VisitEntry, now: NaiveDateTime) -> Result<Plan, VisitError> {
    v.check()?;
    Ok(Plan::new().then(new_visit(id, v, now)))
}

/// One tap on a source (快速接待): a visit of one prospect for `consultant`, logged at `now`. The
/// sheet that opens then adjusts it ([`confirm_plan`]); a referral's referrer is asked there.
pub fn tap_plan(
    id: Uuid,
    consultant: &str,
    source: VisitSource,
    now: NaiveDateTime,
) -> Result<Plan, VisitError> {
    if consultant.trim().is_empty() {
        return Err(VisitError::NoConsultant);
    }
    let v = VisitEntry {
        consultant: consultant.to_string(),
        source,
        ..VisitEntry::default()
    };
    Ok(Plan::new().then(new_visit(id, &v, now)))
}

/// 确认 on the sheet of a tapped visit `id`: writes only what the sheet changed from the tap (an
/// empty plan when nothing changed). `sheet` holds the tap's source and the sheet's fields.
pub fn confirm_plan(id: Uuid, sheet: &VisitEntry) -> Result<Plan, VisitError> {
    if let Some(e) = sheet.referral_problem() {
        return Err(e);
    }
    let mut w = PlannedWrite::new(id, &VISIT);
    if sheet.group_size != 1 {
        w = w.set("group_size", sheet.group_size.max(1));
    }
    if !sheet.intended_model.is_empty() {
        w = w.set("intended_model", sheet.intended_model.as_str());
    }
    if sheet.had_card_or_order {
        w = w.set("had_card_or_order", true);
    }
    if let Some(card) = sheet.a_card {
        w = w.set("a_card_id", card.to_string());
    }
    if !sheet.referrer_name.trim().is_empty() {
        w = w.set("referrer_name", sheet.referrer_name.trim());
    }
    if !sheet.referrer_phone.trim().is_empty() {
        w = w.set("referrer_phone", sheet.referrer_phone_stored());
    }
    Ok(Plan::new().then(w))
}

/// 离店: the group left at `now`.
pub fn leave_plan(id: Uuid, now: NaiveDateTime) -> Plan {
    Plan::new().then(PlannedWrite::new(id, &VISIT).set("time_out", stored_time(now)))
}

/// A record the return-visit lookup reads: its id, its phone as stored, and whether it stands
/// for an order (an A-card ordered or delivered; every C-card).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownPhone<'a> {
    pub id: Uuid,
    pub phone: &'a str,
    pub ordered: bool,
}

/// A customer the store already knows by phone (老客户): their A-card, and whether they ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownCustomer {
    pub a_card: Option<Uuid>,
    pub has_order: bool,
}

/// Return-visit detection: the first A-card and any C-card with the phone typed (in any
/// spelling). `None` while the phone is not a valid number yet, or when nobody has it. A known
/// customer's visit is a return visit (已有A卡或订单), which is not counted as a visit group.
pub fn known_customer<'a>(
    phone_input: &str,
    a_cards: impl IntoIterator<Item = KnownPhone<'a>>,
    c_cards: impl IntoIterator<Item = KnownPhone<'a>>,
) -> Option<KnownCustomer> {
    let wanted = phone::normalise(phone_input).ok()?;
    let same = |k: &KnownPhone| phone::normalise(k.phone).is_ok_and(|p| p == wanted);
    let card = a_cards.into_iter().find(same);
    let c_card = c_cards.into_iter().any(|k| same(&k));
    if card.is_none() && !c_card {
        return None;
    }
    Some(KnownCustomer {
        a_card: card.map(|c| c.id),
        has_order: c_card || card.is_some_and(|c| c.ordered),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(h: u32, m: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 5, 20)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    fn entry() -> VisitEntry {
        VisitEntry {
            consultant: "u1".into(),
            ..VisitEntry::default()
        }
    }

    #[test]
    fn a_phone_inquiry_leaves_when_it_is_logged() {
        assert_eq!(
            time_out_when_logged(VisitSource::PhoneInquiry, at(10, 5)),
            Some(at(10, 5))
        );
        for s in VisitSource::ALL {
            if s != VisitSource::PhoneInquiry {
                assert_eq!(time_out_when_logged(s, at(10, 5)), None, "{s:?}");
            }
        }
        let id = Uuid::from_u128(1);
        let call = tap_plan(id, "u1", VisitSource::PhoneInquiry, at(10, 5)).unwrap();
        let w = &call.writes[0];
        assert_eq!(w.value_of("time_out"), w.value_of("time_in"));
        assert_eq!(w.value_of("time_in"), Some(&json!("2026-05-20T10:05:00")));
        let walk_in = tap_plan(id, "u1", VisitSource::WalkIn, at(10, 5)).unwrap();
        assert_eq!(walk_in.writes[0].value_of("time_out"), None);
    }

    #[test]
    fn a_tap_logs_one_prospect_for_the_consultant() {
        let id = Uuid::from_u128(2);
        let plan = tap_plan(id, "u1", VisitSource::Referral, at(9, 0)).unwrap();
        assert_eq!(plan.writes.len(), 1);
        let w = &plan.writes[0];
        assert_eq!(w.record_id, id);
        assert_eq!(w.value_of("consultant_id"), Some(&json!("u1")));
        assert_eq!(w.value_of("source"), Some(&json!("referral")));
        assert_eq!(w.value_of("visitor_kind"), Some(&json!("prospect")));
        assert_eq!(w.value_of("group_size"), Some(&json!(1)));
        assert_eq!(w.value_of("had_card_or_order"), Some(&json!(false)));
        // The referrer is asked on the sheet, not at the tap.
        assert_eq!(w.value_of("referrer_phone"), None);
        assert_eq!(
            tap_plan(id, " ", VisitSource::WalkIn, at(9, 0)),
            Err(VisitError::NoConsultant)
        );
    }

    #[test]
    fn the_desk_form_is_checked_then_written_in_full() {
        let id = Uuid::from_u128(3);
        let card = Uuid::from_u128(4);
        assert_eq!(
            log_plan(id, &VisitEntry::default(), at(9, 0)),
            Err(VisitError::NoConsultant)
        );
        let empty = VisitEntry {
            group_size: 0,
            ..entry()
        };
        assert_eq!(log_plan(id, &empty, at(9, 0)), Err(VisitError::EmptyGroup));
        let no_referrer = VisitEntry {
            source: VisitSource::Referral,
            ..entry()
        };
        assert_eq!(
            log_plan(id, &no_referrer, at(9, 0)),
            Err(VisitError::ReferrerMissing)
        );
        let self_referral = VisitEntry {
            customer_phone: "138 1234 5678".into(),
            referrer_phone: "+86 13812345678".into(),
            ..no_referrer.clone()
        };
        assert_eq!(
            log_plan(id, &self_referral, at(9, 0)),
            Err(VisitError::SelfReferral)
        );

        let v = VisitEntry {
            visitor: VisitorKind::Prospect,
            group_size: 3,
            intended_model: "levin".into(),
            had_card_or_order: true,
            a_card: Some(card),
            referrer_name: " 李四 ".into(),
            referrer_phone: "139-1234-5678".into(),
            ..no_referrer
        };
        let plan = log_plan(id, &v, at(9, 30)).unwrap();
        let w = &plan.writes[0];
        assert_eq!(w.value_of("group_size"), Some(&json!(3)));
        assert_eq!(w.value_of("intended_model"), Some(&json!("levin")));
        assert_eq!(w.value_of("had_card_or_order"), Some(&json!(true)));
        assert_eq!(w.value_of("a_card_id"), Some(&json!(card.to_string())));
        assert_eq!(w.value_of("referrer_name"), Some(&json!("李四")));
        assert_eq!(w.value_of("referrer_phone"), Some(&json!("13912345678")));
        assert_eq!(v.count_rule(), VisitCountRule::NotCountedReturnVisit);
        assert_eq!(entry().count_rule(), VisitCountRule::CountedGroup);
    }

    #[test]
    fn confirm_writes_only_what_the_sheet_changed() {
        let id = Uuid::from_u128(5);
        let tapped = VisitEntry {
            source: VisitSource::WalkIn,
            ..VisitEntry::default()
        };
        assert!(confirm_plan(id, &tapped).unwrap().is_empty(), "nothing new");

        let card = Uuid::from_u128(6);
        let changed = VisitEntry {
            group_size: 4,
            intended_model: "levin".into(),
            had_card_or_order: true,
            a_card: Some(card),
            ..tapped.clone()
        };
        let plan = confirm_plan(id, &changed).unwrap();
        let w = &plan.writes[0];
        assert_eq!(w.steps.len(), 4);
        assert_eq!(w.value_of("group_size"), Some(&json!(4)));
        assert_eq!(w.value_of("a_card_id"), Some(&json!(card.to_string())));
        assert_eq!(w.value_of("source"), None, "the tap's fields stay");

        let referral = VisitEntry {
            source: VisitSource::Referral,
            ..tapped
        };
        assert_eq!(
            confirm_plan(id, &referral),
            Err(VisitError::ReferrerMissing)
        );
        let referred = VisitEntry {
            referrer_phone: "139 1234 5678".into(),
            ..referral
        };
        let plan = confirm_plan(id, &referred).unwrap();
        assert_eq!(
            plan.writes[0].value_of("referrer_phone"),
            Some(&json!("13912345678"))
        );
    }

    #[test]
    fn leaving_sets_the_time_out() {
        let plan = leave_plan(Uuid::from_u128(7), at(11, 45));
        assert_eq!(
            plan.writes[0].value_of("time_out"),
            Some(&json!("2026-05-20T11:45:00"))
        );
    }

    #[test]
    fn a_known_phone_is_a_return_visit() {
        let card = Uuid::from_u128(8);
        let cards = [
            KnownPhone {
                id: card,
                phone: "13812345678",
                ordered: false,
            },
            KnownPhone {
                id: Uuid::from_u128(9),
                phone: "13812345678",
                ordered: true,
            },
        ];
        let c_cards = [KnownPhone {
            id: Uuid::from_u128(10),
            phone: "13700000000",
            ordered: true,
        }];
        assert_eq!(
            known_customer("+86 138-1234-5678", cards, c_cards),
            Some(KnownCustomer {
                a_card: Some(card),
                has_order: false,
            }),
            "the first card with the phone, in any spelling"
        );
        assert_eq!(
            known_customer("137 0000 0000", cards, c_cards),
            Some(KnownCustomer {
                a_card: None,
                has_order: true,
            }),
            "a C-card means an order"
        );
        assert_eq!(known_customer("13900000000", cards, c_cards), None);
        assert_eq!(known_customer("1381234", cards, c_cards), None, "not yet");
        let ordered = [KnownPhone {
            ordered: true,
            ..cards[0]
        }];
        assert_eq!(
            known_customer("13812345678", ordered, []).map(|k| k.has_order),
            Some(true)
        );
    }
}
