//! The A-card (A卡, prospect card): a visitor who left contact details but has not signed [mgmt].
//!
//! Required (建卡三要素): the customer's **full name** (完整姓名, not just "王先生"), a **valid phone**
//! (有效电话) and the **intended model** (意向车型) from the store's catalogue. Everything else is
//! optional, but "the more complete, the better" (A 卡质量): [`quality`] scores the optional fields.

use super::UserError;
use super::grade::IntentionGrade;
use super::phone::{self, PhoneError, PhoneNumber};
use super::visit::VisitSource;
use crate::plan::{Plan, PlannedWrite};
use crate::records::{A_CARD, VISIT};
use crate::time::stored_time;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// One model the store sells (车型), as listed in its catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueModel {
    /// Stable code, e.g. `"corolla_2026"`.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Still offered to new prospects; a model no longer sold cannot be chosen for a new A-card.
    pub on_sale: bool,
}

/// The store's model catalogue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    pub models: Vec<CatalogueModel>,
}

impl Catalogue {
    pub fn find(&self, code: &str) -> Option<&CatalogueModel> {
        self.models.iter().find(|m| m.code == code)
    }
}

/// A budget range in yuan (预算).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Budget {
    pub min_yuan: u32,
    pub max_yuan: u32,
}

/// What the car is for (购车用途).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PurchasePurpose {
    /// 家用
    Family,
    /// 商务/公务
    Business,
    /// 首次购车
    FirstCar,
    /// 增购
    Additional,
    /// 置换
    Replacement,
}

/// An A-card as the consultant fills it in (all text as typed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ACardDraft {
    /// 客户姓名 (required, full name)
    pub full_name: String,
    /// 联系电话 (required)
    pub phone: String,
    /// 意向车型: a catalogue model code (required)
    pub intended_model: String,
    /// 客户来源
    pub source: Option<VisitSource>,
    /// 意向级别
    pub grade: Option<IntentionGrade>,
    /// 预算
    pub budget: Option<Budget>,
    /// 现有车辆 (for trade-in, 置换), e.g. "2015 朗逸"
    pub current_car: Option<String>,
    /// 是否考虑贷款
    pub finance_interest: Option<bool>,
    /// 所在区域 (district / town)
    pub district: Option<String>,
    /// 购车用途
    pub purpose: Option<PurchasePurpose>,
    /// 对比车型 (competing models considered)
    pub competing_models: Option<String>,
    /// 微信 or another second contact
    pub second_contact: Option<String>,
}

/// An A-card that passed validation: the name trimmed, the phone parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidACard {
    pub full_name: String,
    pub phone: PhoneNumber,
    pub intended_model: String,
}

/// Honorifics that, after a surname alone, mean the full name was not taken ("王先生", "李总").
const HONORIFICS: [&str; 9] = [
    "先生", "女士", "小姐", "太太", "老板", "师傅", "总", "哥", "姐",
];

/// Validate an A-card draft against the store's catalogue, returning **every** problem at once.
pub fn validate(draft: &ACardDraft, catalogue: &Catalogue) -> Result<ValidACard, Vec<ACardError>> {
    let mut problems = Vec::new();

    let name = draft.full_name.trim();
    if let Err(e) = check_full_name(name) {
        problems.push(e);
    }

    let phone = match phone::parse(&draft.phone) {
        Ok(p) => Some(p),
        Err(PhoneError::Empty) => {
            problems.push(ACardError::PhoneMissing);
            None
        }
        Err(e) => {
            problems.push(ACardError::PhoneInvalid(e));
            None
        }
    };

    let model = draft.intended_model.trim();
    if model.is_empty() {
        problems.push(ACardError::ModelMissing);
    } else {
        match catalogue.find(model) {
            None => problems.push(ACardError::ModelNotInCatalogue),
            Some(m) if !m.on_sale => problems.push(ACardError::ModelNotOnSale),
            Some(_) => {}
        }
    }

    if let Some(b) = draft.budget
        && (b.max_yuan == 0 || b.min_yuan > b.max_yuan)
    {
        problems.push(ACardError::BudgetRange);
    }

    match phone {
        Some(phone) if problems.is_empty() => Ok(ValidACard {
            full_name: name.to_string(),
            phone,
            intended_model: model.to_string(),
        }),
        _ => Err(problems),
    }
}

/// The A-card form (姓名, 手机号码, 意向车型, 级别, 客户来源, 置换车辆, 是否贷款), as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ACardForm {
    pub name: String,
    pub phone: String,
    /// A catalogue code.
    pub intended_model: String,
    /// `IntentionGrade` wire name, or "".
    pub grade: String,
    /// `VisitSource` wire name, or "".
    pub source: String,
    /// 置换: the current car, or "".
    pub current_car: String,
    /// "true", "false" or "" (not asked).
    pub finance_interest: String,
}

impl ACardForm {
    /// The value each field is stored as (the phone in its canonical form when it parses,
    /// finance interest as a boolean or null).
    pub fn stored(&self) -> [(&'static str, Value); 7] {
        let phone = phone::normalise(&self.phone).unwrap_or_else(|_| self.phone.trim().into());
        let finance = match self.finance_interest.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::Null,
        };
        let text = |s: &str| Value::String(s.to_string());
        [
            ("name", text(self.name.trim())),
            ("phone", text(&phone)),
            ("intended_model", text(self.intended_model.trim())),
            ("grade", text(&self.grade)),
            ("source", text(&self.source)),
            ("current_car", text(self.current_car.trim())),
            ("finance_interest", finance),
        ]
    }

    /// The draft the card rules read ([`validate`], [`quality`]).
    pub fn draft(&self) -> ACardDraft {
        let some = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        ACardDraft {
            full_name: self.name.clone(),
            phone: self.phone.clone(),
            intended_model: self.intended_model.clone(),
            source: VisitSource::parse(&self.source),
            grade: IntentionGrade::parse(&self.grade),
            current_car: some(&self.current_car),
            finance_interest: match self.finance_interest.as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            ..ACardDraft::default()
        }
    }

    /// Every problem of the form at once: the card rules ([`validate`]), and a consultant
    /// building or editing a card must choose its grade (the grade sets the follow-up cadence).
    pub fn check(&self, catalogue: &Catalogue) -> Result<ValidACard, Vec<ACardError>> {
        let checked = validate(&self.draft(), catalogue);
        if IntentionGrade::parse(&self.grade).is_some() {
            return checked;
        }
        let mut problems = checked.err().unwrap_or_default();
        problems.push(ACardError::GradeMissing);
        Err(problems)
    }

    /// 保存 on the card page: the fields that differ from the card as shown (`before`) are
    /// written (an empty plan when none does).
    pub fn edit_plan(&self, card: Uuid, before: &ACardForm) -> Plan {
        let mut w = PlannedWrite::new(card, &A_CARD);
        for ((field, new), (_, old)) in self.stored().into_iter().zip(before.stored()) {
            if new != old {
                w = w.set(field, new);
            }
        }
        Plan::new().then(w)
    }
}

/// 新建A卡: the card `card` with the form's filled-in fields, built by `consultant` at
/// `first_contact`; built from a visit (建A卡 on a visit), the visit links to the card
/// (`a_card_id`) in the same plan, so the card never exists without the visit that led to it.
pub fn new_card_plan(
    card: Uuid,
    form: &ACardForm,
    consultant: &str,
    first_contact: NaiveDateTime,
    from_visit: Option<Uuid>,
) -> Plan {
    let mut card_write = PlannedWrite::new(card, &A_CARD);
    for (field, value) in form.stored() {
        if !(value.is_null() || value == "") {
            card_write = card_write.set(field, value);
        }
    }
    let card_write = card_write
        .set("consultant_id", consultant)
        .set("first_contact_at", stored_time(first_contact));
    let mut plan = Plan::new().then(card_write);
    if let Some(visit) = from_visit {
        plan.push(PlannedWrite::new(visit, &VISIT).set("a_card_id", card.to_string()));
    }
    plan
}

fn check_full_name(name: &str) -> Result<(), ACardError> {
    if name.is_empty() {
        return Err(ACardError::NameMissing);
    }
    let chars = name.chars().count();
    if chars > 50 || name.chars().any(|c| c.is_ascii_digit() || c.is_control()) {
        return Err(ACardError::NameInvalid);
    }
    let all_han = name.chars().all(is_han);
    if all_han && chars < 2 {
        return Err(ACardError::NameIncomplete);
    }
    // A surname plus an honorific: 王先生, 李女士, 刘总, 陈姐.
    if all_han && chars <= 4 {
        for h in HONORIFICS {
            if let Some(surname) = name.strip_suffix(h)
                && (1..=2).contains(&surname.chars().count())
            {
                return Err(ACardError::NameIncomplete);
            }
        }
    }
    if !all_han && chars < 2 {
        return Err(ACardError::NameIncomplete);
    }
    Ok(())
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2EBEF) || c == '·'
}

/// An optional field that makes an A-card more useful, with its weight in the quality score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QualityField {
    Source,
    Grade,
    Budget,
    CurrentCar,
    FinanceInterest,
    District,
    Purpose,
    CompetingModels,
    SecondContact,
}

impl QualityField {
    pub const ALL: [QualityField; 9] = [
        QualityField::Source,
        QualityField::Grade,
        QualityField::Budget,
        QualityField::CurrentCar,
        QualityField::FinanceInterest,
        QualityField::District,
        QualityField::Purpose,
        QualityField::CompetingModels,
        QualityField::SecondContact,
    ];

    /// Points out of 100. Grade and budget weigh most: they drive the follow-up plan and the sales
    /// forecast the seed names as the purpose of A-card quality; the rest help the pitch.
    pub fn weight(self) -> u8 {
        match self {
            QualityField::Grade | QualityField::Budget => 15,
            _ => 10,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            QualityField::Source => "客户来源",
            QualityField::Grade => "意向级别",
            QualityField::Budget => "预算",
            QualityField::CurrentCar => "现有车辆(置换)",
            QualityField::FinanceInterest => "是否贷款",
            QualityField::District => "所在区域",
            QualityField::Purpose => "购车用途",
            QualityField::CompetingModels => "对比车型",
            QualityField::SecondContact => "微信/其他联系方式",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            QualityField::Source => "Source",
            QualityField::Grade => "Intention grade",
            QualityField::Budget => "Budget",
            QualityField::CurrentCar => "Current car (trade-in)",
            QualityField::FinanceInterest => "Finance interest",
            QualityField::District => "District",
            QualityField::Purpose => "Purpose",
            QualityField::CompetingModels => "Competing models",
            QualityField::SecondContact => "WeChat / second contact",
        }
    }

    fn filled(self, d: &ACardDraft) -> bool {
        fn text(s: &Option<String>) -> bool {
            s.as_deref().is_some_and(|t| !t.trim().is_empty())
        }
        match self {
            QualityField::Source => d.source.is_some(),
            QualityField::Grade => d.grade.is_some(),
            QualityField::Budget => d
                .budget
                .is_some_and(|b| b.max_yuan > 0 && b.min_yuan <= b.max_yuan),
            QualityField::CurrentCar => text(&d.current_car),
            QualityField::FinanceInterest => d.finance_interest.is_some(),
            QualityField::District => text(&d.district),
            QualityField::Purpose => d.purpose.is_some(),
            QualityField::CompetingModels => text(&d.competing_models),
            QualityField::SecondContact => text(&d.second_contact),
        }
    }
}

/// The A-card quality (A 卡质量): completeness of the optional fields, 0–100, and what is missing
/// (in [`QualityField::ALL`] order) so the screen can prompt for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quality {
    pub score: u8,
    pub missing: Vec<QualityField>,
}

/// Score the optional fields of a draft. The required fields are not scored: a card without them
/// is not valid at all. "No trade-in" is an answer: write it in `current_car` (e.g. "无").
pub fn quality(draft: &ACardDraft) -> Quality {
    let mut score = 0u8;
    let mut missing = Vec::new();
    for f in QualityField::ALL {
        if f.filled(draft) {
            score += f.weight();
        } else {
            missing.push(f);
        }
    }
    Quality { score, missing }
}

/// A problem with an A-card.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ACardError {
    #[error("the customer's name is missing")]
    NameMissing,
    #[error("a full name is needed, not a surname and a title")]
    NameIncomplete,
    #[error("the name contains digits or is too long")]
    NameInvalid,
    #[error("the phone number is missing")]
    PhoneMissing,
    #[error("the phone number is not valid: {0}")]
    PhoneInvalid(PhoneError),
    #[error("the intended model is missing")]
    ModelMissing,
    #[error("the intended model is not in the store's catalogue")]
    ModelNotInCatalogue,
    #[error("the intended model is no longer on sale")]
    ModelNotOnSale,
    #[error("the budget range is not valid")]
    BudgetRange,
    #[error("the intention grade is missing")]
    GradeMissing,
}

impl UserError for ACardError {
    fn code(&self) -> &'static str {
        match self {
            ACardError::NameMissing => "a_card_name_missing",
            ACardError::NameIncomplete => "a_card_name_incomplete",
            ACardError::NameInvalid => "a_card_name_invalid",
            ACardError::PhoneMissing => "a_card_phone_missing",
            // The phone's own code says exactly what is wrong.
            ACardError::PhoneInvalid(e) => e.code(),
            ACardError::ModelMissing => "a_card_model_missing",
            ACardError::ModelNotInCatalogue => "a_card_model_not_in_catalogue",
            ACardError::ModelNotOnSale => "a_card_model_not_on_sale",
            ACardError::BudgetRange => "a_card_budget_range",
            ACardError::GradeMissing => "a_card_grade_missing",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            ACardError::NameMissing => "请填写客户姓名".into(),
            ACardError::NameIncomplete => "请填写客户完整姓名,不能只写“王先生”之类的称呼".into(),
            ACardError::NameInvalid => "客户姓名不能含数字,且不超过 50 个字".into(),
            ACardError::PhoneMissing => "请填写联系电话".into(),
            ACardError::PhoneInvalid(e) => e.message_zh(),
            ACardError::ModelMissing => "请选择意向车型".into(),
            ACardError::ModelNotInCatalogue => "意向车型不在本店车型目录中".into(),
            ACardError::ModelNotOnSale => "该车型已停售,请选择在售车型".into(),
            ACardError::BudgetRange => "预算范围不正确(最低不能高于最高)".into(),
            ACardError::GradeMissing => "请选择级别".into(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            ACardError::NameMissing => "Please enter the customer's name".into(),
            ACardError::NameIncomplete => {
                "Please enter the customer's full name, not just a surname and a title".into()
            }
            ACardError::NameInvalid => "A name has no digits and at most 50 characters".into(),
            ACardError::PhoneMissing => "Please enter a phone number".into(),
            ACardError::PhoneInvalid(e) => e.message_en(),
            ACardError::ModelMissing => "Please choose the intended model".into(),
            ACardError::ModelNotInCatalogue => {
                "The intended model is not in the store's catalogue".into()
            }
            ACardError::ModelNotOnSale => {
                "That model is no longer on sale; please choose one on sale".into()
            }
            ACardError::BudgetRange => {
                "The budget range is not valid (minimum above maximum)".into()
            }
            ACardError::GradeMissing => "Choose a grade".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Catalogue {
        Catalogue {
            models: vec![
                CatalogueModel {
                    code: "corolla".into(),
                    name_zh: "卡罗拉".into(),
                    name_en: "Corolla".into(),
                    on_sale: true,
                },
                CatalogueModel {
                    code: "vios".into(),
                    name_zh: "威驰".into(),
                    name_en: "Vios".into(),
                    on_sale: false,
                },
            ],
        }
    }

    fn good() -> ACardDraft {
        ACardDraft {
            full_name: " 王建华 ".into(),
            phone: "138-1234-5678".into(),
            intended_model: "corolla".into(),
            ..Default::default()
        }
    }

    fn form() -> ACardForm {
        ACardForm {
            name: "王建华".into(),
            phone: "138 1234 5678".into(),
            intended_model: "corolla".into(),
            grade: "H".into(),
            ..ACardForm::default()
        }
    }

    #[test]
    fn the_form_needs_a_grade_besides_the_card_rules() {
        assert!(form().check(&catalogue()).is_ok());
        let no_grade = ACardForm {
            grade: String::new(),
            ..form()
        };
        assert_eq!(
            no_grade.check(&catalogue()),
            Err(vec![ACardError::GradeMissing])
        );
        assert_eq!(ACardError::GradeMissing.message_zh(), "请选择级别");
        let nothing = ACardForm::default().check(&catalogue()).unwrap_err();
        assert_eq!(nothing.last(), Some(&ACardError::GradeMissing));
        assert!(nothing.contains(&ACardError::NameMissing), "{nothing:?}");
        let bad_grade = ACardForm {
            grade: "Z".into(),
            ..form()
        };
        assert!(bad_grade.check(&catalogue()).is_err());
    }

    #[test]
    fn a_card_built_from_a_visit_links_the_visit_in_the_same_plan() {
        let card = Uuid::from_u128(1);
        let visit = Uuid::from_u128(2);
        let at = chrono::NaiveDate::from_ymd_opt(2026, 5, 20)
            .unwrap()
            .and_hms_opt(10, 30, 0)
            .unwrap();
        let f = ACardForm {
            finance_interest: "false".into(),
            ..form()
        };
        let plan = new_card_plan(card, &f, "u1", at, Some(visit));
        assert_eq!(plan.writes.len(), 2);
        let c = &plan.writes[0];
        assert_eq!(c.record_id, card);
        assert_eq!(c.value_of("phone"), Some(&serde_json::json!("13812345678")));
        assert_eq!(c.value_of("finance_interest"), Some(&Value::Bool(false)));
        assert_eq!(c.value_of("consultant_id"), Some(&serde_json::json!("u1")));
        assert_eq!(
            c.value_of("first_contact_at"),
            Some(&serde_json::json!("2026-05-20T10:30:00"))
        );
        assert_eq!(c.value_of("source"), None, "empty fields are not written");
        let v = &plan.writes[1];
        assert_eq!((v.record_id, v.record_type.name), (visit, "visit"));
        assert_eq!(
            v.value_of("a_card_id"),
            Some(&serde_json::json!(card.to_string()))
        );
        assert_eq!(new_card_plan(card, &f, "u1", at, None).writes.len(), 1);
    }

    #[test]
    fn an_edit_writes_only_the_changed_fields() {
        let card = Uuid::from_u128(3);
        let before = form();
        assert!(before.edit_plan(card, &before).is_empty());
        let after = ACardForm {
            phone: "139-1234-5678".into(),
            ..before.clone()
        };
        let plan = after.edit_plan(card, &before);
        assert_eq!(plan.writes[0].steps.len(), 1);
        assert_eq!(
            plan.writes[0].value_of("phone"),
            Some(&serde_json::json!("13912345678"))
        );
    }

    #[test]
    fn the_three_required_fields_make_a_valid_card() {
        let v = validate(&good(), &catalogue()).unwrap();
        assert_eq!(v.full_name, "王建华");
        assert_eq!(v.phone.canonical(), "13812345678");
        assert_eq!(v.intended_model, "corolla");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let draft = ACardDraft {
            full_name: "王先生".into(),
            phone: "12345".into(),
            intended_model: "supra".into(),
            budget: Some(Budget {
                min_yuan: 200_000,
                max_yuan: 150_000,
            }),
            ..Default::default()
        };
        let errs = validate(&draft, &catalogue()).unwrap_err();
        assert_eq!(
            errs,
            vec![
                ACardError::NameIncomplete,
                ACardError::PhoneInvalid(PhoneError::InvalidMobile),
                ACardError::ModelNotInCatalogue,
                ACardError::BudgetRange,
            ]
        );
        let codes: Vec<_> = errs.iter().map(|e| e.code()).collect();
        assert_eq!(
            codes,
            vec![
                "a_card_name_incomplete",
                "phone_invalid_mobile",
                "a_card_model_not_in_catalogue",
                "a_card_budget_range"
            ]
        );
        let empty = validate(&ACardDraft::default(), &catalogue()).unwrap_err();
        assert_eq!(
            empty,
            vec![
                ACardError::NameMissing,
                ACardError::PhoneMissing,
                ACardError::ModelMissing
            ]
        );
    }

    #[test]
    fn full_names_versus_titles() {
        for ok in [
            "王芳",
            "欧阳娜娜",
            "买买提·艾力",
            "Zhang Wei",
            "司马相如",
            "王总监",
        ] {
            assert_eq!(check_full_name(ok), Ok(()), "{ok}");
        }
        for incomplete in [
            "王先生",
            "李女士",
            "张小姐",
            "刘总",
            "陈姐",
            "欧阳先生",
            "王",
            "W",
        ] {
            assert_eq!(
                check_full_name(incomplete),
                Err(ACardError::NameIncomplete),
                "{incomplete}"
            );
        }
        assert_eq!(check_full_name("王2"), Err(ACardError::NameInvalid));
        assert_eq!(check_full_name(""), Err(ACardError::NameMissing));
    }

    #[test]
    fn a_model_off_sale_is_refused() {
        let mut d = good();
        d.intended_model = "vios".into();
        assert_eq!(
            validate(&d, &catalogue()).unwrap_err(),
            vec![ACardError::ModelNotOnSale]
        );
    }

    #[test]
    fn quality_score_from_optional_fields() {
        let bare = quality(&good());
        assert_eq!(bare.score, 0);
        assert_eq!(bare.missing, QualityField::ALL.to_vec());

        // Grade 15 + budget 15 + source 10 + district 10 = 50.
        let mut d = good();
        d.grade = Some(IntentionGrade::A);
        d.budget = Some(Budget {
            min_yuan: 120_000,
            max_yuan: 150_000,
        });
        d.source = Some(VisitSource::WalkIn);
        d.district = Some("  ".into()); // blank does not count
        assert_eq!(quality(&d).score, 40);
        d.district = Some("天河区".into());
        let q = quality(&d);
        assert_eq!(q.score, 50);
        assert_eq!(
            q.missing,
            vec![
                QualityField::CurrentCar,
                QualityField::FinanceInterest,
                QualityField::Purpose,
                QualityField::CompetingModels,
                QualityField::SecondContact
            ]
        );

        d.current_car = Some("2015 朗逸".into());
        d.finance_interest = Some(false); // "no" is an answer
        d.purpose = Some(PurchasePurpose::Replacement);
        d.competing_models = Some("思域".into());
        d.second_contact = Some("wx_wangjh".into());
        let full = quality(&d);
        assert_eq!(full.score, 100);
        assert!(full.missing.is_empty());
    }

    #[test]
    fn weights_sum_to_one_hundred() {
        let total: u32 = QualityField::ALL
            .iter()
            .map(|f| u32::from(f.weight()))
            .sum();
        assert_eq!(total, 100);
        for f in QualityField::ALL {
            assert!(!f.label_zh().is_empty() && !f.label_en().is_empty());
        }
    }

    #[test]
    fn phone_errors_keep_their_own_messages() {
        let e = ACardError::PhoneInvalid(PhoneError::InvalidAreaCode);
        assert_eq!(e.message_zh(), PhoneError::InvalidAreaCode.message_zh());
        assert_eq!(e.message_en(), PhoneError::InvalidAreaCode.message_en());
    }
}
