//! Every user-facing error of the sales rules: a unique snake_case code and a message in both
//! languages.

use chrono::NaiveDate;
use domain::sales::a_card::ACardError;
use domain::sales::grade::{GradeError, IntentionGrade};
use domain::sales::loss::{ACardActionKind, ACardStatus, LossError};
use domain::sales::order::OrderError;
use domain::sales::phone::PhoneError;
use domain::sales::vin::VinError;
use domain::sales::visit::VisitError;
use domain::sales::{ErrorBody, Lang, UserError};

fn all_errors() -> Vec<Box<dyn UserError>> {
    let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    vec![
        Box::new(PhoneError::Empty),
        Box::new(PhoneError::InvalidCharacter('a')),
        Box::new(PhoneError::ForeignCountryCode),
        Box::new(PhoneError::InvalidMobile),
        Box::new(PhoneError::InvalidAreaCode),
        Box::new(PhoneError::InvalidLandlineLength),
        Box::new(PhoneError::InvalidLocalNumber),
        Box::new(PhoneError::InvalidExtension),
        Box::new(PhoneError::ExtensionOnMobile),
        Box::new(PhoneError::NotAPhoneNumber),
        Box::new(VinError::WrongLength { length: 3 }),
        Box::new(VinError::ForbiddenLetter {
            letter: 'O',
            position: 2,
        }),
        Box::new(VinError::InvalidCharacter {
            character: '-',
            position: 2,
        }),
        Box::new(VinError::CheckDigitMismatch {
            expected: '1',
            found: '2',
        }),
        Box::new(VisitError::EmptyGroup),
        Box::new(VisitError::OutBeforeIn),
        Box::new(VisitError::ReferrerMissing),
        Box::new(VisitError::ReferrerPhoneInvalid),
        Box::new(VisitError::SelfReferral),
        Box::new(GradeError::IntervalTooShort {
            grade: IntentionGrade::H,
        }),
        Box::new(GradeError::IntervalTooLong {
            grade: IntentionGrade::C,
        }),
        Box::new(GradeError::CadenceOutOfOrder),
        Box::new(GradeError::SleepDaysTooShort),
        Box::new(ACardError::NameMissing),
        Box::new(ACardError::NameIncomplete),
        Box::new(ACardError::NameInvalid),
        Box::new(ACardError::PhoneMissing),
        Box::new(ACardError::ModelMissing),
        Box::new(ACardError::ModelNotInCatalogue),
        Box::new(ACardError::ModelNotOnSale),
        Box::new(ACardError::BudgetRange),
        Box::new(LossError::NotAllowedFrom {
            action: ACardActionKind::Deliver,
            from: ACardStatus::Lost,
        }),
        Box::new(LossError::RoleMayNot {
            action: ACardActionKind::ConfirmLoss,
        }),
        Box::new(LossError::OnlyManagerMayConfirm),
        Box::new(LossError::ReContactRequired),
        Box::new(LossError::NoteRequired),
        Box::new(LossError::CustomerWillReconsider),
        Box::new(OrderError::CancellationNoteRequired),
        Box::new(OrderError::DateChangeReasonRequired),
        Box::new(OrderError::DateUnchanged),
        Box::new(OrderError::DateInPast),
        Box::new(OrderError::PromisesOpen),
        Box::new(OrderError::LicenceNumberMissing),
        Box::new(OrderError::LicenceExpired { valid_until: day }),
        Box::new(OrderError::TestDriveEndNotAfterStart),
        Box::new(OrderError::OdometerBackwards),
    ]
}

#[test]
fn codes_are_unique_snake_case() {
    let errors = all_errors();
    let mut codes: Vec<&str> = errors.iter().map(|e| e.code()).collect();
    for c in &codes {
        assert!(
            c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_') && !c.starts_with('_'),
            "{c}"
        );
    }
    codes.sort();
    let before = codes.len();
    codes.dedup();
    assert_eq!(codes.len(), before, "duplicate error codes");
}

#[test]
fn messages_in_both_languages() {
    for e in all_errors() {
        let zh = e.message_zh();
        let en = e.message_en();
        assert!(
            zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{}: {zh}",
            e.code()
        );
        assert!(
            en.chars().next().is_some_and(|c| c.is_ascii_uppercase()),
            "{}: {en}",
            e.code()
        );
        assert_ne!(zh, en);
    }
}

#[test]
fn error_body_follows_the_language() {
    let e = VisitError::SelfReferral;
    assert_eq!(
        e.body(Lang::Zh),
        ErrorBody {
            code: "visit_self_referral".into(),
            message: "介绍人不能是客户本人".into()
        }
    );
    assert_eq!(
        serde_json::to_string(&e.body(Lang::En)).unwrap(),
        r#"{"code":"visit_self_referral","message":"A customer cannot refer themself"}"#
    );
}
