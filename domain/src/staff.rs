//! Staff accounts (员工): who may manage them, what a username and a password must be.
//!
//! The server checks these when a store is set up, a person is added, a password is reset or
//! changed; the app checks the same functions before it sends the form, so the message is the
//! same on both sides.
//!
//! ## Who manages staff
//! The general manager (总经理) only: adding people, resetting a password and letting someone go
//! are HR decisions for the whole store, and a sales manager who could create accounts could
//! also give themselves a second login. [`may_manage_staff`] is the one place that says so.
//!
//! ## Password rules
//! [`check_new_password`]: at least [`MIN_PASSWORD_CHARS`] characters (NIST SP 800-63B asks
//! for 8 at least; 10 because store tablets are shared and passwords get watched), at most
//! [`MAX_PASSWORD_CHARS`], not the username (nor the username with digits around it), not one
//! of the common passwords of public breach lists shipped in `domain/data/common_passwords.txt`
//! (compared case-insensitively), and not a single character repeated. No composition rules
//! (digits, capitals): they make passwords harder to remember, not to guess.

use crate::roles::Role;
use crate::sales::UserError;

/// The fewest characters a new password may have.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The most characters a new password may have (argon2 takes any length; this bounds the work).
pub const MAX_PASSWORD_CHARS: usize = 128;
/// The longest username, in characters.
pub const MAX_USERNAME_CHARS: usize = 32;
/// The longest display name, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 32;
/// The longest store name, in characters.
pub const MAX_STORE_NAME_CHARS: usize = 64;

/// The common-password list, one a line (`#` starts a comment line).
const COMMON_PASSWORDS: &str = include_str!("../data/common_passwords.txt");

/// Whether a person with `roles` may list, add, reset and deactivate the store's staff.
pub fn may_manage_staff(roles: &[Role]) -> bool {
    roles.contains(&Role::GeneralManager)
}

/// Whether `password` is on the shipped list of common breached passwords (case-insensitive).
pub fn is_common_password(password: &str) -> bool {
    let p = password.trim().to_lowercase();
    COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|l| l.to_lowercase() == p)
}

/// How many entries the shipped common-password list has.
pub fn common_password_count() -> usize {
    COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .count()
}

/// Why a new password is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("password shorter than {min} characters")]
    TooShort { min: usize },
    #[error("password longer than {max} characters")]
    TooLong { max: usize },
    #[error("password is the username")]
    IsUsername,
    #[error("password is a common breached password")]
    Common,
    #[error("password repeats one character")]
    OneCharacter,
}

impl UserError for PasswordError {
    fn code(&self) -> &'static str {
        match self {
            PasswordError::TooShort { .. } => "password_too_short",
            PasswordError::TooLong { .. } => "password_too_long",
            PasswordError::IsUsername => "password_is_username",
            PasswordError::Common => "password_common",
            PasswordError::OneCharacter => "password_one_character",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            PasswordError::TooShort { min } => format!("密码至少需要 {min} 个字符"),
            PasswordError::TooLong { max } => format!("密码最多 {max} 个字符"),
            PasswordError::IsUsername => "密码不能与用户名相同或只是在用户名前后加数字".into(),
            PasswordError::Common => "这是一个常见的、已泄露的密码，请换一个".into(),
            PasswordError::OneCharacter => "密码不能由同一个字符重复组成".into(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            PasswordError::TooShort { min } => {
                format!("The password needs at least {min} characters")
            }
            PasswordError::TooLong { max } => {
                format!("The password may have at most {max} characters")
            }
            PasswordError::IsUsername => {
                "The password may not be the username, nor the username with digits around it"
                    .into()
            }
            PasswordError::Common => {
                "This is a common password from public breach lists; choose another".into()
            }
            PasswordError::OneCharacter => "The password may not be one character repeated".into(),
        }
    }
}

/// Checks a new password for `username` by the rules of this module.
pub fn check_new_password(username: &str, password: &str) -> Result<(), PasswordError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort {
            min: MIN_PASSWORD_CHARS,
        });
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(PasswordError::TooLong {
            max: MAX_PASSWORD_CHARS,
        });
    }
    let user = username.trim().to_lowercase();
    let lower = password.to_lowercase();
    let core = |s: &str| {
        s.trim_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation() || c == ' ')
            .to_owned()
    };
    let user_core = core(&user);
    if !user.is_empty() && (lower == user || (!user_core.is_empty() && core(&lower) == user_core)) {
        return Err(PasswordError::IsUsername);
    }
    if is_common_password(password) {
        return Err(PasswordError::Common);
    }
    let mut cs = password.chars();
    if let Some(first) = cs.next()
        && cs.all(|c| c == first)
    {
        return Err(PasswordError::OneCharacter);
    }
    Ok(())
}

/// Why a username, display name or store name is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("username missing")]
    UsernameMissing,
    #[error("username longer than {max}")]
    UsernameTooLong { max: usize },
    #[error("username has characters other than letters, digits, . _ -")]
    UsernameCharacters,
    #[error("display name missing")]
    DisplayNameMissing,
    #[error("display name longer than {max}")]
    DisplayNameTooLong { max: usize },
    #[error("store name missing")]
    StoreNameMissing,
    #[error("store name longer than {max}")]
    StoreNameTooLong { max: usize },
}

impl UserError for NameError {
    fn code(&self) -> &'static str {
        match self {
            NameError::UsernameMissing => "username_missing",
            NameError::UsernameTooLong { .. } => "username_too_long",
            NameError::UsernameCharacters => "username_characters",
            NameError::DisplayNameMissing => "display_name_missing",
            NameError::DisplayNameTooLong { .. } => "display_name_too_long",
            NameError::StoreNameMissing => "store_name_missing",
            NameError::StoreNameTooLong { .. } => "store_name_too_long",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            NameError::UsernameMissing => "请填写用户名".into(),
            NameError::UsernameTooLong { max } => format!("用户名最多 {max} 个字符"),
            NameError::UsernameCharacters => "用户名只能包含字母、数字和 . _ -".into(),
            NameError::DisplayNameMissing => "请填写姓名".into(),
            NameError::DisplayNameTooLong { max } => format!("姓名最多 {max} 个字"),
            NameError::StoreNameMissing => "请填写门店名称".into(),
            NameError::StoreNameTooLong { max } => format!("门店名称最多 {max} 个字"),
        }
    }

    fn message_en(&self) -> String {
        match self {
            NameError::UsernameMissing => "Enter a username".into(),
            NameError::UsernameTooLong { max } => {
                format!("The username may have at most {max} characters")
            }
            NameError::UsernameCharacters => {
                "The username may only have letters, digits and . _ -".into()
            }
            NameError::DisplayNameMissing => "Enter the person's name".into(),
            NameError::DisplayNameTooLong { max } => {
                format!("The name may have at most {max} characters")
            }
            NameError::StoreNameMissing => "Enter the store's name".into(),
            NameError::StoreNameTooLong { max } => {
                format!("The store name may have at most {max} characters")
            }
        }
    }
}

/// Checks a new username: 1 to [`MAX_USERNAME_CHARS`] letters, digits, `.`, `_` or `-`
/// (surrounding blanks are ignored; usernames are compared lower-cased).
pub fn check_username(username: &str) -> Result<(), NameError> {
    let u = username.trim();
    if u.is_empty() {
        return Err(NameError::UsernameMissing);
    }
    if u.chars().count() > MAX_USERNAME_CHARS {
        return Err(NameError::UsernameTooLong {
            max: MAX_USERNAME_CHARS,
        });
    }
    if !u
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(NameError::UsernameCharacters);
    }
    Ok(())
}

/// Checks a display name (姓名): not blank, at most [`MAX_DISPLAY_NAME_CHARS`].
pub fn check_display_name(name: &str) -> Result<(), NameError> {
    let n = name.trim();
    if n.is_empty() {
        return Err(NameError::DisplayNameMissing);
    }
    if n.chars().count() > MAX_DISPLAY_NAME_CHARS {
        return Err(NameError::DisplayNameTooLong {
            max: MAX_DISPLAY_NAME_CHARS,
        });
    }
    Ok(())
}

/// Checks a store name: not blank, at most [`MAX_STORE_NAME_CHARS`].
pub fn check_store_name(name: &str) -> Result<(), NameError> {
    let n = name.trim();
    if n.is_empty() {
        return Err(NameError::StoreNameMissing);
    }
    if n.chars().count() > MAX_STORE_NAME_CHARS {
        return Err(NameError::StoreNameTooLong {
            max: MAX_STORE_NAME_CHARS,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_general_manager_manages_staff() {
        assert!(may_manage_staff(&[Role::GeneralManager]));
        assert!(may_manage_staff(&[
            Role::SalesConsultant,
            Role::GeneralManager
        ]));
        assert!(!may_manage_staff(&[Role::SalesManager]));
        assert!(!may_manage_staff(&[Role::CustomerServiceManager]));
        assert!(!may_manage_staff(&[]));
    }

    #[test]
    fn a_long_uncommon_password_is_accepted() {
        assert_eq!(
            check_new_password("wangfang", "展厅的桂花树开了2026"),
            Ok(())
        );
        assert_eq!(
            check_new_password("wangfang", "correct horse battery"),
            Ok(())
        );
        assert_eq!(check_new_password("gm", "Lantern-Harbour-42"), Ok(()));
    }

    #[test]
    fn length_is_counted_in_characters() {
        assert_eq!(
            check_new_password("x", "abcXYZ789"),
            Err(PasswordError::TooShort { min: 10 })
        );
        // Ten Chinese characters are ten characters, not thirty bytes.
        assert_eq!(check_new_password("x", "一二三四五六七八九十"), Ok(()));
        assert_eq!(
            check_new_password("x", "一二三四五六七八九"),
            Err(PasswordError::TooShort { min: 10 })
        );
        let long = "k".repeat(64) + &"q".repeat(65);
        assert_eq!(
            check_new_password("x", &long),
            Err(PasswordError::TooLong { max: 128 })
        );
    }

    #[test]
    fn the_username_is_not_a_password() {
        assert_eq!(
            check_new_password("zhangsanfeng", "ZhangSanFeng"),
            Err(PasswordError::IsUsername)
        );
        assert_eq!(
            check_new_password("zhangsanfeng", "zhangsanfeng2026!"),
            Err(PasswordError::IsUsername)
        );
        assert_eq!(
            check_new_password(" ZhangSanFeng ", "12zhangsanfeng"),
            Err(PasswordError::IsUsername)
        );
        assert_eq!(
            check_new_password("zhangsanfeng", "zhangsanfeng的车"),
            Ok(())
        );
    }

    #[test]
    fn common_breached_passwords_are_refused_whatever_the_case() {
        assert!(
            common_password_count() >= 200,
            "{}",
            common_password_count()
        );
        for p in [
            "1234567890",
            "qwertyuiop",
            "Password123",
            "WOAINI1314",
            "1qaz2wsx3edc",
        ] {
            assert_eq!(
                check_new_password("someone", p),
                Err(PasswordError::Common),
                "{p}"
            );
        }
        assert!(is_common_password("demo1234"));
        assert!(!is_common_password(
            "# Common passwords seen in public breach corpora"
        ));
        assert!(!is_common_password(""));
    }

    #[test]
    fn one_character_repeated_is_refused() {
        assert_eq!(
            check_new_password("x", "zzzzzzzzzzzz"),
            Err(PasswordError::OneCharacter)
        );
    }

    #[test]
    fn every_refusal_has_a_code_and_both_messages() {
        let all = [
            PasswordError::TooShort { min: 10 },
            PasswordError::TooLong { max: 128 },
            PasswordError::IsUsername,
            PasswordError::Common,
            PasswordError::OneCharacter,
        ];
        for e in all {
            assert!(e.code().starts_with("password_"));
            assert!(!e.message_zh().is_empty() && !e.message_en().is_empty());
        }
        assert!(
            PasswordError::TooShort { min: 10 }
                .message_zh()
                .contains("10")
        );
    }

    #[test]
    fn usernames_display_names_and_store_names() {
        assert_eq!(check_username(" wang.fang_2 "), Ok(()));
        assert_eq!(check_username("王芳"), Ok(()), "letters of any script");
        assert_eq!(check_username("  "), Err(NameError::UsernameMissing));
        assert_eq!(
            check_username("wang fang"),
            Err(NameError::UsernameCharacters)
        );
        assert_eq!(check_username("a@b"), Err(NameError::UsernameCharacters));
        assert_eq!(
            check_username(&"a".repeat(33)),
            Err(NameError::UsernameTooLong { max: 32 })
        );
        assert_eq!(check_display_name("王芳"), Ok(()));
        assert_eq!(check_display_name(" "), Err(NameError::DisplayNameMissing));
        assert_eq!(
            check_display_name(&"王".repeat(33)),
            Err(NameError::DisplayNameTooLong { max: 32 })
        );
        assert_eq!(check_store_name("东风4S店"), Ok(()));
        assert_eq!(check_store_name(""), Err(NameError::StoreNameMissing));
        assert_eq!(
            check_store_name(&"店".repeat(65)),
            Err(NameError::StoreNameTooLong { max: 64 })
        );
        assert_eq!(NameError::UsernameCharacters.code(), "username_characters");
    }
}
