//! Words for values a person picks from a list: every enum the screens show has a Chinese and
//! an English label ([`Bilingual`]); the ones stored in records also have a wire name and the
//! full list of variants ([`Choice`]), which is all a select box needs.
//!
//! The labels themselves live beside each enum (`label_zh` / `label_en`); this module only
//! gathers them under one trait.

use crate::sales::a_card::QualityField;
use crate::sales::grade::IntentionGrade;
use crate::sales::loss::{ACardActionKind, ACardStatus, LossReason, ReContactOutcome};
use crate::sales::order::{CancellationReason, TaskKind};
use crate::sales::referral::RewardKind;
use crate::sales::visit::{DwellBucket, VisitCountRule, VisitSource, VisitorKind};

/// A value with a label in each of the app's languages.
pub trait Bilingual {
    /// The label in Simplified Chinese.
    fn label_zh(&self) -> &'static str;
    /// The label in English.
    fn label_en(&self) -> &'static str;
    /// The label in `english` or Chinese.
    fn label(&self, english: bool) -> &'static str {
        if english {
            self.label_en()
        } else {
            self.label_zh()
        }
    }
}

/// A value picked from a fixed list and stored by its wire name.
pub trait Choice: Bilingual + Copy + Sized + 'static {
    /// Every variant, in the order a list shows them.
    fn all() -> &'static [Self];
    /// The name stored in records and sent over the wire.
    fn wire(&self) -> &'static str;
    /// The variant stored as `wire`.
    fn from_wire(wire: &str) -> Option<Self> {
        Self::all().iter().copied().find(|v| v.wire() == wire)
    }
}

/// `Bilingual` for types with inherent `label_zh(self)` / `label_en(self)`.
macro_rules! bilingual {
    ($($t:ty),* $(,)?) => {$(
        impl Bilingual for $t {
            fn label_zh(&self) -> &'static str {
                <$t>::label_zh(*self)
            }
            fn label_en(&self) -> &'static str {
                <$t>::label_en(*self)
            }
        }
    )*};
}

/// `Choice` for types with an inherent `ALL` list and `as_str(self)`.
macro_rules! choice {
    ($($t:ty),* $(,)?) => {$(
        impl Choice for $t {
            fn all() -> &'static [Self] {
                &<$t>::ALL
            }
            fn wire(&self) -> &'static str {
                <$t>::as_str(*self)
            }
        }
    )*};
}

bilingual!(
    VisitSource,
    VisitorKind,
    DwellBucket,
    IntentionGrade,
    LossReason,
    ACardStatus,
    ACardActionKind,
    ReContactOutcome,
    CancellationReason,
    TaskKind,
    QualityField,
    RewardKind,
);

/// A visit's counting rule, in the words the reception screens show.
impl Bilingual for VisitCountRule {
    fn label_zh(&self) -> &'static str {
        self.text_zh()
    }
    fn label_en(&self) -> &'static str {
        self.text_en()
    }
}

choice!(
    VisitSource,
    VisitorKind,
    IntentionGrade,
    LossReason,
    ACardStatus,
    ACardActionKind,
    ReContactOutcome,
    CancellationReason,
    TaskKind,
);

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<T: Choice + PartialEq + std::fmt::Debug>() {
        assert!(!T::all().is_empty());
        for v in T::all() {
            assert_eq!(T::from_wire(v.wire()), Some(*v), "{}", v.wire());
            assert!(!v.label_zh().is_empty() && !v.label_en().is_empty());
            assert_ne!(v.label_zh(), v.label_en(), "{}", v.wire());
        }
        assert_eq!(T::from_wire("no_such_value"), None);
    }

    #[test]
    fn every_choice_round_trips_through_its_wire_name() {
        round_trips::<VisitSource>();
        round_trips::<VisitorKind>();
        round_trips::<IntentionGrade>();
        round_trips::<LossReason>();
        round_trips::<ACardStatus>();
        round_trips::<ACardActionKind>();
        round_trips::<ReContactOutcome>();
        round_trips::<CancellationReason>();
        round_trips::<TaskKind>();
    }

    #[test]
    fn labels_are_the_enums_own_words() {
        assert_eq!(
            Bilingual::label_zh(&ACardStatus::Lost),
            ACardStatus::Lost.label_zh()
        );
        assert_eq!(
            Bilingual::label_en(&DwellBucket::Over30),
            DwellBucket::Over30.label_en()
        );
        assert_eq!(
            RewardKind::FreeMaintenance.label(true),
            RewardKind::FreeMaintenance.label_en()
        );
        assert_eq!(IntentionGrade::H.label(false), IntentionGrade::H.label_zh());
        let rule = VisitCountRule::NotCountedReturnVisit;
        assert_eq!(rule.label(false), rule.text_zh());
        assert_eq!(rule.label(true), rule.text_en());
    }
}
