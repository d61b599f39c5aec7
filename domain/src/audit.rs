//! The audit log (审计日志): what happened to accounts and sessions, and the pushes the server
//! refused — who may read it, its kinds with their words, and the filter a manager reads it by.
//!
//! The server writes an [`AuditEntry`] for each event (`server/src/audit.rs`) and answers
//! `GET /api/audit` with them, newest first; the app shows them under 管理 → 审计日志.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Role;
use crate::label::{Bilingual, Choice};
use crate::time::StoreClock;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditKind {
    /// A user logged in on a device.
    Login,
    /// A login was refused: wrong password, unknown username, deactivated account, revoked
    /// device (the username as typed, the address).
    LoginFailed,
    /// A user logged out on one device (its token revoked).
    Logout,
    /// A user logged out everywhere (every token of theirs revoked).
    LogoutEverywhere,
    /// A manager revoked a device (its tokens stop at once).
    DeviceRevoked,
    /// A user was deactivated (let go): every token and device of theirs stops.
    UserDeactivated,
    /// A manager reset a user's password.
    PasswordReset,
    /// A user changed their own password.
    PasswordChanged,
    /// The server refused a push (the op's code, user, device).
    PushRefused,
}

impl AuditKind {
    pub const ALL: [AuditKind; 9] = [
        AuditKind::Login,
        AuditKind::LoginFailed,
        AuditKind::Logout,
        AuditKind::LogoutEverywhere,
        AuditKind::DeviceRevoked,
        AuditKind::UserDeactivated,
        AuditKind::PasswordReset,
        AuditKind::PasswordChanged,
        AuditKind::PushRefused,
    ];

    /// The name on the wire and in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::Login => "login",
            AuditKind::LoginFailed => "login_failed",
            AuditKind::Logout => "logout",
            AuditKind::LogoutEverywhere => "logout_everywhere",
            AuditKind::DeviceRevoked => "device_revoked",
            AuditKind::UserDeactivated => "user_deactivated",
            AuditKind::PasswordReset => "password_reset",
            AuditKind::PasswordChanged => "password_changed",
            AuditKind::PushRefused => "push_refused",
        }
    }

    pub fn parse(s: &str) -> Option<AuditKind> {
        AuditKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            AuditKind::Login => "登录",
            AuditKind::LoginFailed => "登录失败",
            AuditKind::Logout => "退出登录",
            AuditKind::LogoutEverywhere => "所有设备退出登录",
            AuditKind::DeviceRevoked => "停用设备",
            AuditKind::UserDeactivated => "停用员工",
            AuditKind::PasswordReset => "重置密码",
            AuditKind::PasswordChanged => "修改密码",
            AuditKind::PushRefused => "同步被拒绝",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            AuditKind::Login => "Login",
            AuditKind::LoginFailed => "Failed login",
            AuditKind::Logout => "Logout",
            AuditKind::LogoutEverywhere => "Logged out everywhere",
            AuditKind::DeviceRevoked => "Device revoked",
            AuditKind::UserDeactivated => "User deactivated",
            AuditKind::PasswordReset => "Password reset",
            AuditKind::PasswordChanged => "Password changed",
            AuditKind::PushRefused => "Push refused",
        }
    }
}

impl Bilingual for AuditKind {
    fn label_zh(&self) -> &'static str {
        AuditKind::label_zh(*self)
    }
    fn label_en(&self) -> &'static str {
        AuditKind::label_en(*self)
    }
}

impl Choice for AuditKind {
    fn all() -> &'static [Self] {
        &AuditKind::ALL
    }
    fn wire(&self) -> &'static str {
        self.as_str()
    }
}

/// Who may read the store's audit log: its managers (the general manager, the sales manager,
/// the customer-service manager), the people who look after accounts and devices.
pub fn may_read_audit(roles: &[Role]) -> bool {
    roles.iter().any(|r| r.is_manager())
}

/// One event of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// A UUIDv7 made when the event was written: entries are ordered by it.
    pub id: Uuid,
    /// When it happened (Unix ms, server clock).
    pub at_ms: u64,
    pub kind: AuditKind,
    /// The user who acted (who logged in, the manager who reset, the user whose push was
    /// refused); absent for a failed login of an unknown username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Uuid>,
    /// The username: as typed for a failed login, else the acting user's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<Uuid>,
    /// The client's IP address, when the server knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The user acted on (reset, deactivated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_user_id: Option<Uuid>,
    /// Why: the refusal code of a push or of a failed login (`bad_credentials`,
    /// `account_deactivated`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// More: a refused push's op (`op_index`, record type, record id), a revoked device's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// What a manager asks the audit log for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub kind: Option<AuditKind>,
    /// A user id, or a username (trimmed, any case); matches the actor or the user acted on.
    pub user: Option<String>,
    /// Entries at or after this Unix ms.
    pub from_ms: Option<u64>,
    /// Entries before this Unix ms.
    pub to_ms: Option<u64>,
}

impl AuditFilter {
    /// From the query's words: `kind` (a wire name), `user`, and the store-local days `from`
    /// and `to` (`YYYY-MM-DD`, both included). `Err` names the parameter that does not read.
    pub fn parse(
        kind: Option<&str>,
        user: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
        clock: StoreClock,
    ) -> Result<AuditFilter, &'static str> {
        let kind = match kind.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(k) => Some(AuditKind::parse(k).ok_or("kind")?),
        };
        let day =
            |s: Option<&str>, what: &'static str| -> Result<Option<NaiveDate>, &'static str> {
                match s.map(str::trim).filter(|s| !s.is_empty()) {
                    None => Ok(None),
                    Some(d) => clock.parse_date(d).map(Some).ok_or(what),
                }
            };
        let start_ms = |d: NaiveDate| -> Option<u64> {
            let t = clock.instant(d.and_hms_opt(0, 0, 0)?);
            u64::try_from(t.timestamp_millis()).ok()
        };
        let from_ms = day(from, "from")?.map(|d| start_ms(d).unwrap_or(0));
        let to_ms = day(to, "to")?.map(|d| d.succ_opt().and_then(start_ms).unwrap_or(u64::MAX));
        Ok(AuditFilter {
            kind,
            user: user
                .map(|u| u.trim().to_lowercase())
                .filter(|u| !u.is_empty()),
            from_ms,
            to_ms,
        })
    }

    /// Whether `entry` is one the manager asked for.
    pub fn matches(&self, entry: &AuditEntry) -> bool {
        if self.kind.is_some_and(|k| k != entry.kind) {
            return false;
        }
        if self.from_ms.is_some_and(|f| entry.at_ms < f)
            || self.to_ms.is_some_and(|t| entry.at_ms >= t)
        {
            return false;
        }
        match &self.user {
            None => true,
            Some(u) => {
                let id = |i: Option<Uuid>| i.is_some_and(|i| i.to_string() == *u);
                id(entry.user_id)
                    || id(entry.target_user_id)
                    || entry
                        .username
                        .as_ref()
                        .is_some_and(|n| n.trim().to_lowercase() == *u)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: AuditKind, at_ms: u64) -> AuditEntry {
        AuditEntry {
            id: Uuid::from_u128(1),
            at_ms,
            kind,
            user_id: Some(Uuid::from_u128(7)),
            username: Some("Zhaolei".into()),
            device_id: None,
            address: None,
            target_user_id: Some(Uuid::from_u128(9)),
            code: None,
            detail: None,
        }
    }

    #[test]
    fn only_managers_read_the_audit_log() {
        assert!(may_read_audit(&[Role::GeneralManager]));
        assert!(may_read_audit(&[Role::SalesManager]));
        assert!(may_read_audit(&[Role::CustomerServiceManager]));
        assert!(may_read_audit(&[Role::SalesConsultant, Role::SalesManager]));
        assert!(!may_read_audit(&[Role::SalesConsultant]));
        assert!(!may_read_audit(&[Role::Technician, Role::CustomerService]));
        assert!(!may_read_audit(&[]));
    }

    #[test]
    fn kinds_have_a_wire_name_and_words() {
        for k in AuditKind::ALL {
            assert_eq!(AuditKind::parse(k.as_str()), Some(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
            assert!(!k.label_zh().is_empty() && !k.label_en().is_empty());
        }
        assert_eq!(AuditKind::parse("nope"), None);
        assert_eq!(AuditKind::LoginFailed.label_zh(), "登录失败");
    }

    #[test]
    fn days_are_store_days_with_both_ends_included() {
        // 2026-03-02 in UTC+8 is 2026-03-01T16:00Z … 2026-03-02T16:00Z.
        let f = AuditFilter::parse(
            None,
            None,
            Some("2026-03-02"),
            Some("2026-03-02"),
            StoreClock::CHINA,
        )
        .unwrap();
        let start = 1_772_380_800_000; // 2026-03-01T16:00:00Z
        assert_eq!(f.from_ms, Some(start));
        assert_eq!(f.to_ms, Some(start + 86_400_000));
        assert!(f.matches(&entry(AuditKind::Login, start)));
        assert!(f.matches(&entry(AuditKind::Login, start + 86_399_999)));
        assert!(!f.matches(&entry(AuditKind::Login, start - 1)));
        assert!(!f.matches(&entry(AuditKind::Login, start + 86_400_000)));
    }

    #[test]
    fn kind_and_user_filter() {
        let f =
            AuditFilter::parse(Some("login_failed"), None, None, None, StoreClock::CHINA).unwrap();
        assert!(f.matches(&entry(AuditKind::LoginFailed, 5)));
        assert!(!f.matches(&entry(AuditKind::Login, 5)));
        let by_name =
            AuditFilter::parse(None, Some(" zhaolei "), None, None, StoreClock::CHINA).unwrap();
        assert!(by_name.matches(&entry(AuditKind::Login, 5)));
        let by_id = AuditFilter::parse(
            None,
            Some(&Uuid::from_u128(7).to_string()),
            None,
            None,
            StoreClock::CHINA,
        )
        .unwrap();
        assert!(by_id.matches(&entry(AuditKind::Login, 5)));
        let target = AuditFilter::parse(
            None,
            Some(&Uuid::from_u128(9).to_string()),
            None,
            None,
            StoreClock::CHINA,
        )
        .unwrap();
        assert!(target.matches(&entry(AuditKind::PasswordReset, 5)));
        let other = AuditFilter::parse(None, Some("lisi"), None, None, StoreClock::CHINA).unwrap();
        assert!(!other.matches(&entry(AuditKind::Login, 5)));
        assert!(AuditFilter::default().matches(&entry(AuditKind::PushRefused, 0)));
    }

    #[test]
    fn words_that_do_not_read_are_named() {
        let c = StoreClock::CHINA;
        assert_eq!(
            AuditFilter::parse(Some("x"), None, None, None, c),
            Err("kind")
        );
        assert_eq!(
            AuditFilter::parse(None, None, Some("3月"), None, c),
            Err("from")
        );
        assert_eq!(
            AuditFilter::parse(None, None, None, Some("2026-13-01"), c),
            Err("to")
        );
        assert_eq!(
            AuditFilter::parse(Some(" "), Some(""), Some(""), None, c),
            Ok(AuditFilter::default())
        );
    }
}
