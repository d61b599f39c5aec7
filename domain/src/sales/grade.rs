//! Intention grades (A卡级别) and the follow-up cadence they set (跟踪频率) [mgmt: "A 卡级别管理对
//! A 卡进行分类,制定相应的跟踪对策和跟踪频率"; "持续跟踪睡眠的 A 卡,并最终激活"].

use super::UserError;
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How soon the prospect is expected to buy (意向级别).
/// Ordered by urgency: `H < A < B < C` in `Ord`, so sorting puts H first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum IntentionGrade {
    /// H 级: buys within 7 days.
    H,
    /// A 级: buys within 15 days.
    A,
    /// B 级: buys within 30 days.
    B,
    /// C 级: later or undecided.
    C,
}

impl IntentionGrade {
    pub const ALL: [IntentionGrade; 4] = [
        IntentionGrade::H,
        IntentionGrade::A,
        IntentionGrade::B,
        IntentionGrade::C,
    ];

    /// The buying horizon in days; `None` for C (later / undecided).
    pub fn buys_within_days(self) -> Option<u32> {
        match self {
            IntentionGrade::H => Some(7),
            IntentionGrade::A => Some(15),
            IntentionGrade::B => Some(30),
            IntentionGrade::C => None,
        }
    }

    /// Stable identifier: `"H"`, `"A"`, `"B"`, `"C"` (the letters staff use).
    pub fn as_str(self) -> &'static str {
        match self {
            IntentionGrade::H => "H",
            IntentionGrade::A => "A",
            IntentionGrade::B => "B",
            IntentionGrade::C => "C",
        }
    }

    pub fn parse(s: &str) -> Option<IntentionGrade> {
        IntentionGrade::ALL
            .into_iter()
            .find(|g| g.as_str().eq_ignore_ascii_case(s.trim()))
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            IntentionGrade::H => "H 级(7 天内购车)",
            IntentionGrade::A => "A 级(15 天内购车)",
            IntentionGrade::B => "B 级(30 天内购车)",
            IntentionGrade::C => "C 级(购车时间未定)",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            IntentionGrade::H => "H (buys within 7 days)",
            IntentionGrade::A => "A (buys within 15 days)",
            IntentionGrade::B => "B (buys within 30 days)",
            IntentionGrade::C => "C (later / undecided)",
        }
    }
}

/// Days between follow-ups per grade (跟踪频率), a store setting.
///
/// Defaults and why:
/// - **H every 1 day**: the customer decides within a week; a competitor's offer can land any day,
///   so the consultant speaks to them daily until the order is signed.
/// - **A every 3 days**: a 15-day horizon allows about five contacts without pestering.
/// - **B every 7 days**: a 30-day horizon; a weekly call keeps the store in mind (about four contacts).
/// - **C every 15 days**: undecided; two contacts a month, and well inside the 30-day sleeping limit so
///   a C card never falls asleep just by following its cadence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CadenceSettings {
    h_days: u32,
    a_days: u32,
    b_days: u32,
    c_days: u32,
}

impl Default for CadenceSettings {
    fn default() -> Self {
        CadenceSettings {
            h_days: 1,
            a_days: 3,
            b_days: 7,
            c_days: 15,
        }
    }
}

impl CadenceSettings {
    /// A store's own cadence: each interval at least 1 day, and a hotter grade is never followed up
    /// less often than a cooler one (H ≤ A ≤ B ≤ C).
    pub fn new(h_days: u32, a_days: u32, b_days: u32, c_days: u32) -> Result<Self, GradeError> {
        for (grade, days) in [
            (IntentionGrade::H, h_days),
            (IntentionGrade::A, a_days),
            (IntentionGrade::B, b_days),
            (IntentionGrade::C, c_days),
        ] {
            if days < 1 {
                return Err(GradeError::IntervalTooShort { grade });
            }
            if days > 365 {
                return Err(GradeError::IntervalTooLong { grade });
            }
        }
        if !(h_days <= a_days && a_days <= b_days && b_days <= c_days) {
            return Err(GradeError::CadenceOutOfOrder);
        }
        Ok(CadenceSettings {
            h_days,
            a_days,
            b_days,
            c_days,
        })
    }

    /// Days between two follow-ups of a card of this grade.
    pub fn interval_days(&self, grade: IntentionGrade) -> u32 {
        match grade {
            IntentionGrade::H => self.h_days,
            IntentionGrade::A => self.a_days,
            IntentionGrade::B => self.b_days,
            IntentionGrade::C => self.c_days,
        }
    }

    /// The date the next follow-up is due: last contact + the grade's interval.
    pub fn next_follow_up(&self, last_contact: NaiveDate, grade: IntentionGrade) -> NaiveDate {
        last_contact
            .checked_add_days(Days::new(self.interval_days(grade).into()))
            .unwrap_or(NaiveDate::MAX)
    }
}

/// After how many days without contact an A-card is sleeping (睡眠 A 卡), a store setting; default 30.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SleepSettings {
    days: u32,
}

impl Default for SleepSettings {
    fn default() -> Self {
        SleepSettings { days: 30 }
    }
}

impl SleepSettings {
    pub fn new(days: u32) -> Result<Self, GradeError> {
        if days < 1 {
            return Err(GradeError::SleepDaysTooShort);
        }
        Ok(SleepSettings { days })
    }

    pub fn days(&self) -> u32 {
        self.days
    }

    /// A card is sleeping when `today − last_contact ≥ days`: with the default 30, a card last
    /// contacted on 1 March sleeps from 31 March.
    pub fn is_sleeping(&self, last_contact: NaiveDate, today: NaiveDate) -> bool {
        (today - last_contact).num_days() >= i64::from(self.days)
    }
}

/// An open A-card as the follow-up rules see it. Only cards being followed (status `following`)
/// belong in these lists; the caller filters out ordered, delivered, lost and loss-proposed cards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpCard {
    pub id: Uuid,
    pub grade: IntentionGrade,
    /// The date of the last contact; the card's building date if nobody has called yet.
    pub last_contact: NaiveDate,
    /// The next follow-up date the consultant set (下次跟进日期), if any. It replaces the grade's
    /// cadence when it is after the last contact: a date set before the latest contact was
    /// overtaken by it, and the cadence counts again from that contact.
    pub planned: Option<NaiveDate>,
}

impl FollowUpCard {
    /// A card being followed as the follow-up rules see it. The last contact is the latest
    /// follow-up, else the day the card was built (`first_contact`); a card without either is
    /// left out (`None`). A card without a grade is followed like a C card, so it is never left
    /// out of the lists. `planned` is the consultant's 下次跟进日期 ([`FollowUpCard::due`]).
    pub fn of_card(
        id: Uuid,
        grade: Option<IntentionGrade>,
        first_contact: Option<NaiveDate>,
        follow_ups: impl IntoIterator<Item = NaiveDate>,
        planned: Option<NaiveDate>,
    ) -> Option<FollowUpCard> {
        let last_contact = follow_ups.into_iter().chain(first_contact).max()?;
        Some(FollowUpCard {
            id,
            grade: grade.unwrap_or(IntentionGrade::C),
            last_contact,
            planned,
        })
    }

    /// When this card is due: the consultant's planned date, else the last contact plus the
    /// grade's cadence.
    pub fn due(&self, cadence: &CadenceSettings) -> NaiveDate {
        match self.planned {
            Some(planned) if planned > self.last_contact => planned,
            _ => cadence.next_follow_up(self.last_contact, self.grade),
        }
    }
}

impl FollowUpCard {
    /// The card as one text, `grade|last contact|planned` (`planned` empty when none), e.g.
    /// `H|2026-05-03|2026-05-08`: what a device keeps in its index of the cards being followed
    /// (`records::index::keys`' `follow`), so that Today finds the cards due without reading
    /// every card. [`FollowUpCard::from_key`] reads it back.
    pub fn key(&self) -> String {
        let planned = self
            .planned
            .map(|p| p.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        format!(
            "{}|{}|{planned}",
            self.grade.as_str(),
            self.last_contact.format("%Y-%m-%d")
        )
    }

    /// The card `id` of a [`FollowUpCard::key`]; `None` when the text is not one.
    pub fn from_key(id: Uuid, key: &str) -> Option<FollowUpCard> {
        let mut parts = key.split('|');
        let grade = IntentionGrade::parse(parts.next()?)?;
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let last_contact = day(parts.next()?)?;
        let planned = match parts.next()? {
            "" => None,
            p => Some(day(p)?),
        };
        if parts.next().is_some() {
            return None;
        }
        Some(FollowUpCard {
            id,
            grade,
            last_contact,
            planned,
        })
    }
}

/// Where a card stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// 已逾期: the follow-up date has passed.
    Overdue,
    /// 今日待跟进
    DueToday,
    /// Not yet due.
    Upcoming,
}

/// One line of a consultant's "today" list (今日跟进).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodayEntry {
    pub card: Uuid,
    pub grade: IntentionGrade,
    pub due: NaiveDate,
    pub urgency: Urgency,
    /// Days past the due date (0 when due today).
    pub days_overdue: u32,
}

/// The consultant's list for `today`: cards overdue or due today, in working order — overdue first,
/// then due today; within each, by grade (H, A, B, C); then the oldest due date; then the card id, so
/// the order is the same on every device.
pub fn today_list(
    cards: &[FollowUpCard],
    cadence: &CadenceSettings,
    today: NaiveDate,
) -> Vec<TodayEntry> {
    let mut out: Vec<TodayEntry> = cards
        .iter()
        .filter_map(|c| {
            let due = c.due(cadence);
            let urgency = if due < today {
                Urgency::Overdue
            } else if due == today {
                Urgency::DueToday
            } else {
                return None;
            };
            Some(TodayEntry {
                card: c.id,
                grade: c.grade,
                due,
                urgency,
                days_overdue: u32::try_from((today - due).num_days().max(0)).unwrap_or(u32::MAX),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (a.urgency, a.grade, a.due, a.card).cmp(&(b.urgency, b.grade, b.due, b.card))
    });
    out
}

/// The ids of the sleeping cards among `cards`, in id order.
pub fn sleeping_cards(
    cards: &[FollowUpCard],
    sleep: &SleepSettings,
    today: NaiveDate,
) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = cards
        .iter()
        .filter(|c| sleep.is_sleeping(c.last_contact, today))
        .map(|c| c.id)
        .collect();
    ids.sort();
    ids
}

/// One page of a consultant's today list (今日跟进) and the counts around it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FollowUpPage {
    /// The entries `skip..skip + take` of [`today_list`], in its order.
    pub entries: Vec<TodayEntry>,
    /// How many entries the whole list has.
    pub total: usize,
    /// How many of the cards are sleeping ([`sleeping_cards`]).
    pub sleeping: usize,
}

/// A page of [`today_list`] of `cards` (entries `skip..skip + take`), with the list's length and
/// the number of sleeping cards: what Today shows, without the screen holding every card.
pub fn follow_up_page(
    cards: &[FollowUpCard],
    cadence: &CadenceSettings,
    sleep: &SleepSettings,
    today: NaiveDate,
    skip: usize,
    take: usize,
) -> FollowUpPage {
    let list = today_list(cards, cadence, today);
    FollowUpPage {
        total: list.len(),
        sleeping: cards
            .iter()
            .filter(|c| sleep.is_sleeping(c.last_contact, today))
            .count(),
        entries: list.into_iter().skip(skip).take(take).collect(),
    }
}

/// Why a grade setting was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GradeError {
    #[error("the follow-up interval of grade {grade:?} must be at least 1 day")]
    IntervalTooShort { grade: IntentionGrade },
    #[error("the follow-up interval of grade {grade:?} must be at most 365 days")]
    IntervalTooLong { grade: IntentionGrade },
    #[error("intervals must grow from H to C")]
    CadenceOutOfOrder,
    #[error("the sleeping limit must be at least 1 day")]
    SleepDaysTooShort,
}

impl UserError for GradeError {
    fn code(&self) -> &'static str {
        match self {
            GradeError::IntervalTooShort { .. } => "grade_interval_too_short",
            GradeError::IntervalTooLong { .. } => "grade_interval_too_long",
            GradeError::CadenceOutOfOrder => "grade_cadence_out_of_order",
            GradeError::SleepDaysTooShort => "grade_sleep_days_too_short",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            GradeError::IntervalTooShort { grade } => {
                format!("{} 级的跟进间隔至少为 1 天", grade.as_str())
            }
            GradeError::IntervalTooLong { grade } => {
                format!("{} 级的跟进间隔最多为 365 天", grade.as_str())
            }
            GradeError::CadenceOutOfOrder => {
                "跟进间隔须满足 H ≤ A ≤ B ≤ C(级别越高跟进越频繁)".into()
            }
            GradeError::SleepDaysTooShort => "睡眠 A 卡的天数至少为 1 天".into(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            GradeError::IntervalTooShort { grade } => format!(
                "The follow-up interval of grade {} must be at least 1 day",
                grade.as_str()
            ),
            GradeError::IntervalTooLong { grade } => format!(
                "The follow-up interval of grade {} must be at most 365 days",
                grade.as_str()
            ),
            GradeError::CadenceOutOfOrder => {
                "Intervals must satisfy H ≤ A ≤ B ≤ C (hotter grades are followed up more often)"
                    .into()
            }
            GradeError::SleepDaysTooShort => "A card sleeps after at least 1 day".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn card(n: u128, grade: IntentionGrade, last: NaiveDate) -> FollowUpCard {
        FollowUpCard {
            id: Uuid::from_u128(n),
            grade,
            last_contact: last,
            planned: None,
        }
    }

    #[test]
    fn a_card_s_key_reads_back_as_the_same_card() {
        let planned = FollowUpCard {
            planned: Some(d(5, 8)),
            ..card(1, IntentionGrade::H, d(5, 3))
        };
        assert_eq!(planned.key(), "H|2026-05-03|2026-05-08");
        let unplanned = card(2, IntentionGrade::C, d(4, 30));
        assert_eq!(unplanned.key(), "C|2026-04-30|");
        for c in [planned, unplanned] {
            assert_eq!(FollowUpCard::from_key(c.id, &c.key()), Some(c));
        }
        let id = Uuid::from_u128(3);
        for bad in [
            "",
            "X|2026-05-03|",
            "H|2026-13-03|",
            "H|2026-05-03",
            "H|2026-05-03|soon",
            "H|2026-05-03||",
        ] {
            assert_eq!(FollowUpCard::from_key(id, bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_page_of_the_today_list_counts_the_whole_list_and_the_sleeping_cards() {
        let today = d(6, 30);
        let (cadence, sleep) = (CadenceSettings::default(), SleepSettings::default());
        // Ten cards, all overdue; four of them last contacted more than 30 days ago.
        let cards: Vec<FollowUpCard> = (1..=10u32)
            .map(|n| {
                let grade = IntentionGrade::ALL[(n % 4) as usize];
                let last = if n <= 4 { d(5, n) } else { d(6, n) };
                card(u128::from(n), grade, last)
            })
            .collect();
        let whole = today_list(&cards, &cadence, today);
        let sleeping = sleeping_cards(&cards, &sleep, today).len();
        assert_eq!(sleeping, 4);
        let first = follow_up_page(&cards, &cadence, &sleep, today, 0, 3);
        assert_eq!(first.total, whole.len());
        assert_eq!(first.sleeping, sleeping);
        assert_eq!(first.entries, whole[..3]);
        let last = follow_up_page(&cards, &cadence, &sleep, today, 9, 3);
        assert_eq!(last.entries, whole[9..]);
        let past = follow_up_page(&cards, &cadence, &sleep, today, 20, 3);
        assert!(past.entries.is_empty());
        assert_eq!(past.total, whole.len());
    }

    #[test]
    fn a_planned_date_replaces_the_cadence_until_a_later_contact() {
        let today = d(3, 10);
        let cadence = CadenceSettings::default();
        // C card last called 5 Mar: the cadence says 20 Mar, the consultant said 10 Mar.
        let planned = FollowUpCard {
            planned: Some(d(3, 10)),
            ..card(1, IntentionGrade::C, d(3, 5))
        };
        // H card last called 9 Mar (due 10 Mar by cadence), the consultant put it off to 14 Mar.
        let put_off = FollowUpCard {
            planned: Some(d(3, 14)),
            ..card(2, IntentionGrade::H, d(3, 9))
        };
        // A date set before the latest contact was overtaken: the cadence counts again.
        let stale = FollowUpCard {
            planned: Some(d(3, 1)),
            ..card(3, IntentionGrade::A, d(3, 7))
        };
        assert_eq!(planned.due(&cadence), d(3, 10));
        assert_eq!(put_off.due(&cadence), d(3, 14));
        assert_eq!(stale.due(&cadence), d(3, 10));
        let list = today_list(&[planned, put_off, stale], &cadence, today);
        let order: Vec<u128> = list.iter().map(|e| e.card.as_u128()).collect();
        assert_eq!(order, vec![3, 1]);
        assert!(list.iter().all(|e| e.urgency == Urgency::DueToday));
    }

    #[test]
    fn the_last_contact_is_the_latest_follow_up_else_the_card_s_first_contact() {
        let id = Uuid::from_u128(1);
        let built =
            FollowUpCard::of_card(id, Some(IntentionGrade::H), Some(d(5, 1)), [], None).unwrap();
        assert_eq!(built.last_contact, d(5, 1), "nobody called yet");
        let called = FollowUpCard::of_card(
            id,
            Some(IntentionGrade::H),
            Some(d(5, 1)),
            [d(5, 6), d(5, 3)],
            None,
        )
        .unwrap();
        assert_eq!(called.last_contact, d(5, 6));
        let cadence = CadenceSettings::default();
        assert_eq!(
            called.due(&cadence),
            cadence.next_follow_up(d(5, 6), IntentionGrade::H)
        );
        // The consultant's own date counts until a later contact overtakes it.
        let planned =
            FollowUpCard::of_card(id, None, Some(d(5, 1)), [d(5, 6)], Some(d(5, 20))).unwrap();
        assert_eq!(
            planned.grade,
            IntentionGrade::C,
            "no grade: followed like C"
        );
        assert_eq!(planned.due(&cadence), d(5, 20));
        let overtaken =
            FollowUpCard::of_card(id, None, Some(d(5, 1)), [d(5, 6)], Some(d(5, 4))).unwrap();
        assert_eq!(
            overtaken.due(&cadence),
            cadence.next_follow_up(d(5, 6), IntentionGrade::C)
        );
        // Only a follow-up (an imported card without a first contact) still counts.
        assert_eq!(
            FollowUpCard::of_card(id, None, None, [d(5, 2)], None).map(|c| c.last_contact),
            Some(d(5, 2))
        );
        assert_eq!(FollowUpCard::of_card(id, None, None, [], None), None);
    }

    #[test]
    fn horizons_and_labels() {
        assert_eq!(IntentionGrade::H.buys_within_days(), Some(7));
        assert_eq!(IntentionGrade::A.buys_within_days(), Some(15));
        assert_eq!(IntentionGrade::B.buys_within_days(), Some(30));
        assert_eq!(IntentionGrade::C.buys_within_days(), None);
        assert_eq!(IntentionGrade::parse(" h "), Some(IntentionGrade::H));
        assert_eq!(IntentionGrade::parse("D"), None);
        assert_eq!(serde_json::to_string(&IntentionGrade::B).unwrap(), "\"B\"");
    }

    #[test]
    fn default_cadence_and_next_follow_up() {
        let c = CadenceSettings::default();
        assert_eq!(c.next_follow_up(d(3, 1), IntentionGrade::H), d(3, 2));
        assert_eq!(c.next_follow_up(d(3, 1), IntentionGrade::A), d(3, 4));
        assert_eq!(c.next_follow_up(d(3, 1), IntentionGrade::B), d(3, 8));
        assert_eq!(c.next_follow_up(d(3, 1), IntentionGrade::C), d(3, 16));
        // Across a month end (2026 is not a leap year).
        assert_eq!(c.next_follow_up(d(2, 26), IntentionGrade::A), d(3, 1));
    }

    #[test]
    fn store_cadence_is_validated() {
        let c = CadenceSettings::new(2, 2, 10, 20).unwrap();
        assert_eq!(c.interval_days(IntentionGrade::A), 2);
        assert_eq!(c.next_follow_up(d(3, 1), IntentionGrade::B), d(3, 11));
        assert_eq!(
            CadenceSettings::new(0, 3, 7, 15),
            Err(GradeError::IntervalTooShort {
                grade: IntentionGrade::H
            })
        );
        assert_eq!(
            CadenceSettings::new(1, 3, 7, 400),
            Err(GradeError::IntervalTooLong {
                grade: IntentionGrade::C
            })
        );
        assert_eq!(
            CadenceSettings::new(3, 1, 7, 15),
            Err(GradeError::CadenceOutOfOrder)
        );
        assert_eq!(
            CadenceSettings::new(1, 3, 20, 15),
            Err(GradeError::CadenceOutOfOrder)
        );
    }

    #[test]
    fn today_list_orders_overdue_then_due_by_grade() {
        let today = d(3, 10);
        let cadence = CadenceSettings::default();
        let cards = [
            // Due today: B last contacted 3 Mar (+7), H last contacted 9 Mar (+1).
            card(1, IntentionGrade::B, d(3, 3)),
            card(2, IntentionGrade::H, d(3, 9)),
            // Overdue: C due 5 Mar (18 Feb +15), A due 8 Mar (5 Mar +3), H due 6 Mar.
            card(3, IntentionGrade::C, d(2, 18)),
            card(4, IntentionGrade::A, d(3, 5)),
            card(5, IntentionGrade::H, d(3, 5)),
            // Not due: A due 12 Mar, C due 24 Mar.
            card(6, IntentionGrade::A, d(3, 9)),
            card(7, IntentionGrade::C, d(3, 9)),
            // Another overdue H, due 4 Mar: before card 5 (older due date).
            card(8, IntentionGrade::H, d(3, 3)),
        ];
        let list = today_list(&cards, &cadence, today);
        let order: Vec<u128> = list.iter().map(|e| e.card.as_u128()).collect();
        assert_eq!(order, vec![8, 5, 4, 3, 2, 1]);
        assert_eq!(list[0].urgency, Urgency::Overdue);
        assert_eq!(list[0].days_overdue, 6);
        assert_eq!(list[3].due, d(3, 5));
        assert_eq!(list[3].days_overdue, 5);
        assert_eq!(list[4].urgency, Urgency::DueToday);
        assert_eq!(list[4].days_overdue, 0);
        assert!(today_list(&[], &cadence, today).is_empty());
    }

    #[test]
    fn sleeping_after_thirty_days_by_default() {
        let s = SleepSettings::default();
        assert_eq!(s.days(), 30);
        assert!(!s.is_sleeping(d(3, 1), d(3, 30)));
        assert!(s.is_sleeping(d(3, 1), d(3, 31)));
        let cards = [
            card(2, IntentionGrade::C, d(1, 10)),
            card(1, IntentionGrade::B, d(2, 1)),
            card(3, IntentionGrade::H, d(3, 1)),
        ];
        assert_eq!(
            sleeping_cards(&cards, &s, d(3, 3)),
            vec![Uuid::from_u128(1), Uuid::from_u128(2)]
        );
        let strict = SleepSettings::new(14).unwrap();
        assert_eq!(sleeping_cards(&cards, &strict, d(3, 15)).len(), 3);
        assert_eq!(SleepSettings::new(0), Err(GradeError::SleepDaysTooShort));
    }

    #[test]
    fn errors_have_codes_and_both_languages() {
        let e = GradeError::CadenceOutOfOrder;
        assert_eq!(e.code(), "grade_cadence_out_of_order");
        assert!(e.message_zh().contains("H ≤ A ≤ B ≤ C"));
        assert!(e.message_en().contains("H ≤ A ≤ B ≤ C"));
    }
}
