//! Follow-ups of an A-card (跟进记录): how the customer was contacted ([`Channel`]) and the write of
//! 添加跟进 ([`follow_up_plan`]): the entry in the card's `follow_ups` log and, when a next date is
//! given, the card's `next_follow_up`, in one op.
//!
//! A follow-up entry is `{"channel", "content", "next_date"}`; the manager's re-contacts during a
//! loss review (`re_contacts`) use the same channels.

use chrono::NaiveDate;
use serde_json::{Value, json};
use uuid::Uuid;

use super::UserError;
use crate::plan::{Plan, PlannedWrite, Step};
use crate::records::A_CARD;
use crate::time::stored_date;

/// How a customer was contacted (跟进方式); stored by [`Channel::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// 电话
    Phone,
    /// 微信
    Wechat,
    /// 到店
    Visit,
    /// 短信
    Sms,
}

impl Channel {
    /// The channels a person picks from, the default first.
    pub const ALL: [Channel; 4] = [
        Channel::Phone,
        Channel::Wechat,
        Channel::Visit,
        Channel::Sms,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Wechat => "wechat",
            Channel::Visit => "visit",
            Channel::Sms => "sms",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Channel::Phone => "电话",
            Channel::Wechat => "微信",
            Channel::Visit => "到店",
            Channel::Sms => "短信",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Channel::Phone => "Phone call",
            Channel::Wechat => "WeChat",
            Channel::Visit => "Showroom visit",
            Channel::Sms => "SMS",
        }
    }
}

impl crate::label::Bilingual for Channel {
    fn label_zh(&self) -> &'static str {
        Channel::label_zh(*self)
    }
    fn label_en(&self) -> &'static str {
        Channel::label_en(*self)
    }
}

impl crate::label::Choice for Channel {
    fn all() -> &'static [Self] {
        &Channel::ALL
    }
    fn wire(&self) -> &'static str {
        self.as_str()
    }
}

/// Why a follow-up was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FollowUpError {
    #[error("the follow-up has no content")]
    ContentRequired,
    #[error("the next follow-up date is not a date")]
    NextDateInvalid,
}

impl UserError for FollowUpError {
    fn code(&self) -> &'static str {
        match self {
            FollowUpError::ContentRequired => "follow_up_content_required",
            FollowUpError::NextDateInvalid => "follow_up_next_date_invalid",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            FollowUpError::ContentRequired => "请填写跟进内容".into(),
            FollowUpError::NextDateInvalid => "下次跟进日期无效".into(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            FollowUpError::ContentRequired => "Write what was said".into(),
            FollowUpError::NextDateInvalid => "The next follow-up date is not valid".into(),
        }
    }
}

/// The write of 添加跟进 on `card`: the entry `entry` (a new id, so the same entry sent twice is
/// one) with the trimmed `content`, and when `next_date` (`YYYY-MM-DD` as typed, "" for none) is
/// given, the card's `next_follow_up`. The content is required.
pub fn follow_up_plan(
    card: Uuid,
    entry: Uuid,
    channel: Channel,
    content: &str,
    next_date: &str,
) -> Result<Plan, FollowUpError> {
    let content = content.trim();
    if content.is_empty() {
        return Err(FollowUpError::ContentRequired);
    }
    let next = match next_date.trim() {
        "" => None,
        s => Some(
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| FollowUpError::NextDateInvalid)?,
        ),
    };
    let next = next.map(stored_date);
    let value = json!({
        "channel": channel.as_str(),
        "content": content,
        "next_date": next.clone().map_or(Value::Null, Value::from),
    });
    let mut write = PlannedWrite::new(card, &A_CARD).with(Step::Append("follow_ups", entry, value));
    if let Some(n) = next {
        write = write.set("next_follow_up", n);
    }
    Ok(Plan::new().then(write))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_round_trip() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
            assert_ne!(c.label_zh(), c.label_en());
        }
        assert_eq!(Channel::ALL[0], Channel::Phone, "the form's default");
        assert_eq!(Channel::parse("merge"), None);
    }

    #[test]
    fn a_follow_up_with_a_next_date_moves_the_card_s_next_follow_up() {
        let card = Uuid::from_u128(1);
        let entry = Uuid::from_u128(2);
        let plan =
            follow_up_plan(card, entry, Channel::Wechat, "  约周六来店 ", "2026-05-23").unwrap();
        assert_eq!(plan.writes.len(), 1);
        let w = &plan.writes[0];
        assert_eq!(w.record_id, card);
        assert_eq!(
            w.steps[0],
            Step::Append(
                "follow_ups",
                entry,
                json!({"channel": "wechat", "content": "约周六来店", "next_date": "2026-05-23"})
            )
        );
        assert_eq!(w.value_of("next_follow_up"), Some(&json!("2026-05-23")));
    }

    #[test]
    fn without_a_next_date_only_the_entry_is_written() {
        let plan =
            follow_up_plan(Uuid::nil(), Uuid::nil(), Channel::Phone, "问了价格", " ").unwrap();
        let w = &plan.writes[0];
        assert_eq!(w.steps.len(), 1);
        assert_eq!(w.value_of("next_follow_up"), None);
        assert!(matches!(&w.steps[0], Step::Append(_, _, v) if v["next_date"].is_null()));
    }

    #[test]
    fn content_is_required_and_the_date_must_be_a_date() {
        assert_eq!(
            follow_up_plan(Uuid::nil(), Uuid::nil(), Channel::Phone, "  ", ""),
            Err(FollowUpError::ContentRequired)
        );
        assert_eq!(
            follow_up_plan(Uuid::nil(), Uuid::nil(), Channel::Phone, "x", "23.5.2026"),
            Err(FollowUpError::NextDateInvalid)
        );
        assert_eq!(
            FollowUpError::ContentRequired.message_zh(),
            "请填写跟进内容"
        );
    }
}
