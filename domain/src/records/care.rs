//! The record types of customer care (`crate::care`): the store's care settings and the
//! messages outbox. (The care tasks themselves are `care_task`, in [`super::CARE_TASK`].)

use crate::sync::{FieldDef, RecordType, StateMachine};

/// The store's care settings (客服设置), one record per store
/// (`care::settings::care_settings_id`), written by the CS manager: opening hours, the
/// maintenance interval (default and per model), the CS specialists the schedule is spread
/// over, the call scripts and the message templates (JSON objects keyed by task kind).
pub static CARE_SETTINGS: RecordType = RecordType {
    name: "care_settings",
    fields: &[
        FieldDef::scalar("opening"),
        FieldDef::scalar("closing"),
        FieldDef::scalar("maintenance_days"),
        FieldDef::scalar("maintenance_km"),
        FieldDef::scalar("model_intervals"),
        FieldDef::scalar("horizon_days"),
        FieldDef::set("specialists"),
        FieldDef::scalar("scripts"),
        FieldDef::scalar("templates"),
    ],
};

/// A message's state: queued in the outbox, then sent by a gateway or failed.
pub static MESSAGE_STATUS: StateMachine = StateMachine {
    states: &["queued", "sent", "failed"],
    initial: "queued",
    transitions: &[("queued", "sent"), ("queued", "failed")],
};

/// A message (短信 / 微信) to a customer, queued through the gateway
/// (`care::message::Gateway`). Its id is derived from the care task and the template
/// (`care::message::message_id`), so a message queued offline on two devices is one message
/// and is sent once. Every field a device writes when queueing is derived from the task (so two
/// devices write equal values); `sent_at` and `gateway` are written by the gateway that sends it.
pub static MESSAGE: RecordType = RecordType {
    name: "message",
    fields: &[
        FieldDef::scalar("channel"),
        FieldDef::scalar("to_name"),
        FieldDef::scalar("to_phone"),
        FieldDef::scalar("template"),
        FieldDef::scalar("body"),
        FieldDef::scalar("c_card_id"),
        FieldDef::scalar("care_task_id"),
        FieldDef::scalar("sent_at"),
        FieldDef::scalar("gateway"),
        // A holiday / severe-weather broadcast's key and day (`care::broadcast`); none for a
        // task's message.
        FieldDef::scalar("broadcast"),
        FieldDef::scalar("broadcast_on"),
        FieldDef::status("status", &MESSAGE_STATUS),
    ],
};

/// The CS manager's comment on a month's care report (客服月报, `care::monthly`), one record per
/// store and month (`care::monthly::care_report_id`), written by the CS manager only.
pub static CARE_REPORT: RecordType = RecordType {
    name: "care_report",
    fields: &[
        // `YYYY-MM`, the record's month (never another).
        FieldDef::scalar("month"),
        FieldDef::scalar("comment"),
    ],
};
