//! The next follow-up (下次跟进日期) of an A-card imported from a store's old sheet that gives none.
//!
//! A card without a planned date is due at its last contact + its grade's cadence
//! ([`FollowUpCard::due`](super::grade::FollowUpCard::due)); for a card first met months ago that
//! date passed long before the import, so every old card of the sheet would be overdue on the
//! day it is imported, and the consultants' Today (今日跟进) would be flooded with them. The rule
//! here sets each such card's next follow-up instead, from its own last contact by the store's
//! cadence:
//!
//! - a card whose cadence date has not passed on the import day keeps it (last contact + the
//!   grade's interval, as a card built that day would);
//! - a card whose cadence date has passed gets the first date of its cadence AFTER the import
//!   day (last contact + k × interval): the cards of a sheet are spread over the next interval
//!   by their own dates, none is due on the import day;
//! - a sleeping card (no contact for the store's sleeping days, `SleepSettings`) is followed by
//!   the slowest cadence (C's) whatever its sheet grade says: an H or A customer nobody spoke to
//!   for a month is not buying this week, and the sleeping list (睡眠A卡) shows it anyway.
//!
//! A card without a grade follows the C cadence (as [`FollowUpCard::of_card`](super::grade::FollowUpCard::of_card)
//! reads it). A 下次跟进日期 the sheet does give is kept as the store wrote it.

use chrono::{Days, NaiveDate};

use super::grade::{CadenceSettings, IntentionGrade, SleepSettings};

/// The next follow-up of a card imported on `import_day` whose sheet gives no 下次跟进日期:
/// its last contact (the sheet's first-contact date) by the store's cadence, never on or before
/// the import day once its cadence date has passed (see the module's rules).
pub fn imported_next_follow_up(
    last_contact: NaiveDate,
    grade: Option<IntentionGrade>,
    cadence: &CadenceSettings,
    sleep: &SleepSettings,
    import_day: NaiveDate,
) -> NaiveDate {
    let grade = if sleep.is_sleeping(last_contact, import_day) {
        IntentionGrade::C
    } else {
        grade.unwrap_or(IntentionGrade::C)
    };
    let due = cadence.next_follow_up(last_contact, grade);
    if due >= import_day {
        return due;
    }
    let interval = i64::from(cadence.interval_days(grade).max(1));
    let behind = (import_day - last_contact).num_days();
    let k = behind / interval + 1;
    u64::try_from(k * interval)
        .ok()
        .and_then(|d| last_contact.checked_add_days(Days::new(d)))
        .unwrap_or(import_day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sales::grade::{FollowUpCard, today_list};
    use uuid::Uuid;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    const TODAY: &str = "2026-12-06";

    fn next(last: &str, grade: Option<IntentionGrade>) -> NaiveDate {
        imported_next_follow_up(
            d(last),
            grade,
            &CadenceSettings::default(),
            &SleepSettings::default(),
            d(TODAY),
        )
    }

    #[test]
    fn a_recent_card_keeps_its_cadence_date() {
        // B every 7 days: met on 12-01, due on 12-08.
        assert_eq!(next("2026-12-01", Some(IntentionGrade::B)), d("2026-12-08"));
        // Met 3 days ago, A every 3 days: due today, as a card built then would be.
        assert_eq!(next("2026-12-03", Some(IntentionGrade::A)), d("2026-12-06"));
        // No grade: the C cadence.
        assert_eq!(next("2026-12-01", None), d("2026-12-16"));
    }

    #[test]
    fn a_card_past_its_cadence_date_gets_the_next_one_after_the_import_day() {
        // A every 3 days from 11-20: 11-23, …, 12-05, 12-08.
        assert_eq!(next("2026-11-20", Some(IntentionGrade::A)), d("2026-12-08"));
        // B every 7 days from 11-14: …, 12-05, 12-12.
        assert_eq!(next("2026-11-14", Some(IntentionGrade::B)), d("2026-12-12"));
        // H every day from 12-01: tomorrow.
        assert_eq!(next("2026-12-01", Some(IntentionGrade::H)), d("2026-12-07"));
        // The import day on the cadence (11-30 + 2 × 3 days): the next one, not today.
        assert_eq!(next("2026-11-30", Some(IntentionGrade::A)), d("2026-12-09"));
    }

    #[test]
    fn a_sleeping_card_follows_the_slowest_cadence() {
        // Met on 2025-03-01, graded H in the sheet: C's 15 days from its own date.
        let n = next("2025-03-01", Some(IntentionGrade::H));
        assert!(n > d(TODAY) && n <= d("2026-12-21"), "{n}");
        assert_eq!((n - d("2025-03-01")).num_days() % 15, 0, "{n}");
        // Exactly 30 days: sleeping.
        let n = next("2026-11-06", Some(IntentionGrade::A));
        assert_eq!(n, d("2026-12-21"));
    }

    #[test]
    fn a_sheet_of_old_cards_does_not_flood_today() {
        let cadence = CadenceSettings::default();
        let sleep = SleepSettings::default();
        let grades = [
            IntentionGrade::H,
            IntentionGrade::A,
            IntentionGrade::B,
            IntentionGrade::C,
        ];
        // 400 cards met over the last 400 days, every grade.
        let cards: Vec<FollowUpCard> = (1..=400u64)
            .map(|n| {
                let last = d(TODAY).checked_sub_days(Days::new(n)).unwrap();
                let grade = grades[(n % 4) as usize];
                FollowUpCard {
                    id: Uuid::from_u128(u128::from(n)),
                    grade,
                    last_contact: last,
                    planned: Some(imported_next_follow_up(
                        last,
                        Some(grade),
                        &cadence,
                        &sleep,
                        d(TODAY),
                    )),
                }
            })
            .collect();
        // Without the rule all but the last days' would be on today's list.
        let unplanned: Vec<FollowUpCard> = cards
            .iter()
            .map(|c| FollowUpCard {
                planned: None,
                ..c.clone()
            })
            .collect();
        assert_eq!(today_list(&unplanned, &cadence, d(TODAY)).len(), 394);
        // With it, today holds only the few whose cadence falls today, none overdue.
        let today = today_list(&cards, &cadence, d(TODAY));
        assert!(today.len() <= 2, "{today:?}");
        // Over the next 15 days they spread: no day gets more than a fifth of them.
        for n in 1..=15u64 {
            let day = d(TODAY).checked_add_days(Days::new(n)).unwrap();
            let due = cards.iter().filter(|c| c.due(&cadence) == day).count();
            assert!(due <= 80, "{day}: {due}");
        }
        // And every card is due within the slowest cadence.
        let last_day = d(TODAY).checked_add_days(Days::new(15)).unwrap();
        assert!(cards.iter().all(|c| c.due(&cadence) <= last_day));
    }
}
