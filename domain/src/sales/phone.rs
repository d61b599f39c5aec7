//! Chinese phone numbers (电话号码): validation and the canonical form used to find duplicate
//! prospects (撞单).
//!
//! Accepted:
//! - **mobile** (手机): `1[3-9]` + 9 digits, e.g. `138 1234 5678`, `138-1234-5678`,
//!   `+86 138 1234 5678`, `86 13812345678`, `0086 13812345678`, and the out-of-town dialling form
//!   `013812345678` (a leading 0 before a mobile number).
//! - **landline** (座机): `0` + area code + local number of 7–8 digits, e.g. `010-12345678`,
//!   `(0571) 8765 4321`, `+86 10 1234 5678`, with an optional extension (分机): `010-12345678 转 801`,
//!   `010-12345678-801`, `… ext 801`, `… x801`, `… #801`.
//!
//! Area codes: `010` and `020`–`029` have two digits after the `0`; all others (`0311`, `0571`,
//! `0755`, …) have three. That rule makes a number typed without separators unambiguous.
//! Full-width digits and separators (typed with a Chinese IME) are accepted as well.
//!
//! Plain char handling, no regex: this code also ships in the wasm app.

use super::UserError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A valid Chinese phone number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PhoneNumber {
    /// 手机: the 11 digits, e.g. `13812345678`.
    Mobile { digits: String },
    /// 座机: area code with its leading 0 (`010`, `0571`), local number (7–8 digits), extension (分机).
    Landline {
        area_code: String,
        number: String,
        extension: Option<String>,
    },
}

impl PhoneNumber {
    /// The canonical form, used for duplicate detection and storage: a mobile as its 11 digits
    /// (`13812345678`); a landline as `area-number` (`010-12345678`) or `area-number-extension`
    /// (`010-12345678-801`). Two inputs that dial the same phone give the same canonical form.
    pub fn canonical(&self) -> String {
        match self {
            PhoneNumber::Mobile { digits } => digits.clone(),
            PhoneNumber::Landline {
                area_code,
                number,
                extension,
            } => match extension {
                Some(ext) => format!("{area_code}-{number}-{ext}"),
                None => format!("{area_code}-{number}"),
            },
        }
    }

    /// The form shown on screen: mobile `138 1234 5678`; landline `010-12345678 转 801`.
    pub fn display(&self) -> String {
        match self {
            PhoneNumber::Mobile { digits } => {
                format!("{} {} {}", &digits[0..3], &digits[3..7], &digits[7..11])
            }
            PhoneNumber::Landline {
                area_code,
                number,
                extension,
            } => match extension {
                Some(ext) => format!("{area_code}-{number} 转 {ext}"),
                None => format!("{area_code}-{number}"),
            },
        }
    }

    pub fn is_mobile(&self) -> bool {
        matches!(self, PhoneNumber::Mobile { .. })
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

/// Why a phone number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("phone number is empty")]
    Empty,
    #[error("phone number contains {0:?}")]
    InvalidCharacter(char),
    #[error("only Chinese numbers (+86) are accepted")]
    ForeignCountryCode,
    #[error("a mobile number is 1[3-9] followed by 9 digits")]
    InvalidMobile,
    #[error("unknown area code")]
    InvalidAreaCode,
    #[error("a landline number has 7 or 8 digits after the area code")]
    InvalidLandlineLength,
    #[error("a local number cannot start with 0 or 1")]
    InvalidLocalNumber,
    #[error("an extension is 1 to 6 digits")]
    InvalidExtension,
    #[error("a mobile number has no extension")]
    ExtensionOnMobile,
    #[error("a Chinese phone number starts with 1 (mobile) or 0 (area code)")]
    NotAPhoneNumber,
}

impl UserError for PhoneError {
    fn code(&self) -> &'static str {
        match self {
            PhoneError::Empty => "phone_empty",
            PhoneError::InvalidCharacter(_) => "phone_invalid_character",
            PhoneError::ForeignCountryCode => "phone_foreign_country_code",
            PhoneError::InvalidMobile => "phone_invalid_mobile",
            PhoneError::InvalidAreaCode => "phone_invalid_area_code",
            PhoneError::InvalidLandlineLength => "phone_invalid_landline_length",
            PhoneError::InvalidLocalNumber => "phone_invalid_local_number",
            PhoneError::InvalidExtension => "phone_invalid_extension",
            PhoneError::ExtensionOnMobile => "phone_extension_on_mobile",
            PhoneError::NotAPhoneNumber => "phone_not_a_phone_number",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            PhoneError::Empty => "请填写电话号码".into(),
            PhoneError::InvalidCharacter(c) => format!("电话号码中不能有“{c}”"),
            PhoneError::ForeignCountryCode => "只支持中国大陆号码(+86)".into(),
            PhoneError::InvalidMobile => "手机号码应为 1 开头、第二位 3–9 的 11 位数字".into(),
            PhoneError::InvalidAreaCode => "区号不正确".into(),
            PhoneError::InvalidLandlineLength => "座机号码在区号后应为 7 或 8 位".into(),
            PhoneError::InvalidLocalNumber => "座机号码不能以 0 或 1 开头".into(),
            PhoneError::InvalidExtension => "分机号应为 1–6 位数字".into(),
            PhoneError::ExtensionOnMobile => "手机号码不能带分机号".into(),
            PhoneError::NotAPhoneNumber => "电话号码应以 1(手机)或 0(区号)开头".into(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            PhoneError::Empty => "Please enter a phone number".into(),
            PhoneError::InvalidCharacter(c) => format!("A phone number cannot contain “{c}”"),
            PhoneError::ForeignCountryCode => {
                "Only mainland Chinese numbers (+86) are accepted".into()
            }
            PhoneError::InvalidMobile => {
                "A mobile number has 11 digits: 1, then 3–9, then 9 more digits".into()
            }
            PhoneError::InvalidAreaCode => "The area code is not valid".into(),
            PhoneError::InvalidLandlineLength => {
                "A landline number has 7 or 8 digits after the area code".into()
            }
            PhoneError::InvalidLocalNumber => {
                "A landline number cannot start with 0 or 1 after the area code".into()
            }
            PhoneError::InvalidExtension => "An extension has 1 to 6 digits".into(),
            PhoneError::ExtensionOnMobile => "A mobile number cannot have an extension".into(),
            PhoneError::NotAPhoneNumber => {
                "A Chinese phone number starts with 1 (mobile) or 0 (area code)".into()
            }
        }
    }
}

/// Parse and validate a phone number as typed by a user.
pub fn parse(input: &str) -> Result<PhoneNumber, PhoneError> {
    let text: String = input.chars().map(fold_full_width).collect();
    let text = text.trim();
    if text.is_empty() {
        return Err(PhoneError::Empty);
    }
    let (main, extension) = split_extension(text)?;

    // Digit groups of the main part, split at separators; '+' only as the very first character.
    let mut groups: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut plus = false;
    for (i, c) in main.chars().enumerate() {
        match c {
            '0'..='9' => current.push(c),
            '+' if i == 0 => plus = true,
            ' ' | '-' | '(' | ')' | '.' | '/' => {
                if !current.is_empty() {
                    groups.push(std::mem::take(&mut current));
                }
            }
            other => return Err(PhoneError::InvalidCharacter(other)),
        }
    }
    if !current.is_empty() {
        groups.push(current);
    }
    let mut digits: String = groups.concat();
    if digits.is_empty() {
        return Err(PhoneError::Empty);
    }

    // Country code.
    let mut international = false;
    if plus {
        if !digits.starts_with("86") {
            return Err(PhoneError::ForeignCountryCode);
        }
        strip_prefix(&mut digits, &mut groups, 2);
        international = true;
    } else if digits.starts_with("0086") {
        strip_prefix(&mut digits, &mut groups, 4);
        international = true;
    } else if digits.starts_with("00") {
        return Err(PhoneError::ForeignCountryCode);
    } else if digits.len() == 13 && digits.starts_with("861") {
        // "86" without a plus: only unambiguous in front of a mobile number.
        strip_prefix(&mut digits, &mut groups, 2);
    }
    let looks_mobile = digits.len() == 11
        && digits.starts_with('1')
        && (b'3'..=b'9').contains(&digits.as_bytes()[1]);
    if international && !looks_mobile && !digits.is_empty() {
        // +86 10 12345678: the trunk prefix 0 is dropped in international form.
        if digits.starts_with('0') {
            // "+86 010 …" is a common mistake; the 0 is harmless.
        } else {
            digits.insert(0, '0');
            if let Some(first) = groups.first_mut() {
                first.insert(0, '0');
            }
        }
    }
    // Out-of-town dialling of a mobile: 0 + 11-digit mobile.
    if digits.len() == 12 && digits.starts_with("01") && digits[2..3] != *"0" {
        strip_prefix(&mut digits, &mut groups, 1);
    }

    let bytes = digits.as_bytes();
    match bytes.first() {
        None => Err(PhoneError::Empty),
        Some(b'1') => {
            if digits.len() != 11 || !(b'3'..=b'9').contains(&bytes[1]) {
                return Err(PhoneError::InvalidMobile);
            }
            if extension.is_some() {
                return Err(PhoneError::ExtensionOnMobile);
            }
            Ok(PhoneNumber::Mobile { digits })
        }
        Some(b'0') => parse_landline(&digits, &groups, extension),
        Some(_) => Err(PhoneError::NotAPhoneNumber),
    }
}

/// The canonical form of a phone number (see [`PhoneNumber::canonical`]).
pub fn normalise(input: &str) -> Result<String, PhoneError> {
    parse(input).map(|p| p.canonical())
}

fn parse_landline(
    digits: &str,
    groups: &[String],
    extension: Option<String>,
) -> Result<PhoneNumber, PhoneError> {
    let bytes = digits.as_bytes();
    if digits.len() < 2 {
        return Err(PhoneError::InvalidAreaCode);
    }
    let area_len = match bytes[1] {
        // 010 is the only code starting 01.
        b'1' if bytes.get(2) == Some(&b'0') => 3,
        b'2' => 3,
        b'3'..=b'9' => 4,
        _ => return Err(PhoneError::InvalidAreaCode),
    };
    if digits.len() <= area_len {
        return Err(PhoneError::InvalidLandlineLength);
    }
    let area_code = &digits[..area_len];
    let rest = &digits[area_len..];
    let explicit_extension = extension.is_none()
        && groups.len() >= 3
        && groups[0] == area_code
        && (7..=8).contains(&groups[1].len());
    let (number, extension) = if explicit_extension {
        // 010-2123456-8: area, a whole local number, then the extension, as written.
        let ext = groups[2..].concat();
        if ext.len() > 6 {
            return Err(PhoneError::InvalidExtension);
        }
        (groups[1].clone(), Some(ext))
    } else if (7..=8).contains(&rest.len()) {
        (rest.to_string(), extension)
    } else if rest.len() > 8 && extension.is_none() && groups.len() >= 3 {
        // 010-12345678-801: the last group is the extension.
        let last = groups.last().map(String::as_str).unwrap_or("");
        let local_len = rest.len() - last.len();
        if (7..=8).contains(&local_len) && (1..=6).contains(&last.len()) {
            (rest[..local_len].to_string(), Some(last.to_string()))
        } else {
            return Err(PhoneError::InvalidLandlineLength);
        }
    } else {
        return Err(PhoneError::InvalidLandlineLength);
    };
    if number.starts_with('0') || number.starts_with('1') {
        return Err(PhoneError::InvalidLocalNumber);
    }
    Ok(PhoneNumber::Landline {
        area_code: area_code.to_string(),
        number,
        extension,
    })
}

/// Remove the first `n` digits from the digit string and from the groups.
fn strip_prefix(digits: &mut String, groups: &mut Vec<String>, n: usize) {
    digits.replace_range(..n, "");
    let mut left = n;
    while left > 0 && !groups.is_empty() {
        let g = &mut groups[0];
        if g.len() <= left {
            left -= g.len();
            groups.remove(0);
        } else {
            g.replace_range(..left, "");
            left = 0;
        }
    }
}

/// Split off an extension introduced by 转, 分机, ext, x or #. The extension must be 1–6 digits.
fn split_extension(text: &str) -> Result<(&str, Option<String>), PhoneError> {
    let lower = text.to_lowercase();
    // Lower-casing ASCII letters keeps byte offsets; CJK markers are unchanged.
    let markers = ["分机", "转", "ext.", "ext", "x", "#"];
    let found = markers
        .iter()
        .filter_map(|m| lower.find(m).map(|pos| (pos, m.len())))
        .min_by_key(|(pos, _)| *pos);
    let Some((pos, len)) = found else {
        return Ok((text, None));
    };
    if lower.len() != text.len() {
        // Some non-ASCII letter changed length when lower-cased: refuse rather than mis-split.
        return Err(PhoneError::InvalidExtension);
    }
    let main = &text[..pos];
    let ext: String = text[pos + len..]
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | ':' | '.'))
        .collect();
    if ext.is_empty() || ext.len() > 6 || !ext.chars().all(|c| c.is_ascii_digit()) {
        return Err(PhoneError::InvalidExtension);
    }
    Ok((main, Some(ext)))
}

/// Full-width digits and separators typed with a Chinese input method → ASCII.
fn fold_full_width(c: char) -> char {
    match c {
        '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
        '－' | '—' | '–' => '-',
        '（' => '(',
        '）' => ')',
        '＋' => '+',
        '\u{3000}' | '\t' => ' ',
        '＃' => '#',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mobile(d: &str) -> PhoneNumber {
        PhoneNumber::Mobile { digits: d.into() }
    }

    #[test]
    fn mobile_in_every_common_spelling_is_the_same_number() {
        for input in [
            "13812345678",
            "138 1234 5678",
            "138-1234-5678",
            " 138 1234-5678 ",
            "+86 138 1234 5678",
            "+8613812345678",
            "86 13812345678",
            "8613812345678",
            "0086 138 1234 5678",
            "013812345678",
            "１３８１２３４５６７８",
            "＋86 138－1234－5678",
        ] {
            assert_eq!(parse(input), Ok(mobile("13812345678")), "{input}");
            assert_eq!(normalise(input).unwrap(), "13812345678", "{input}");
        }
    }

    #[test]
    fn mobile_prefixes_13_to_19_are_accepted_others_not() {
        for second in '3'..='9' {
            let n = format!("1{second}012345678");
            assert!(parse(&n).is_ok(), "{n}");
        }
        assert_eq!(parse("12012345678"), Err(PhoneError::InvalidMobile));
        assert_eq!(parse("11012345678"), Err(PhoneError::InvalidMobile));
        assert_eq!(parse("1381234567"), Err(PhoneError::InvalidMobile));
        assert_eq!(parse("138123456789"), Err(PhoneError::InvalidMobile));
    }

    #[test]
    fn landlines_with_two_and_three_digit_area_codes() {
        let bj = PhoneNumber::Landline {
            area_code: "010".into(),
            number: "62345678".into(),
            extension: None,
        };
        for input in [
            "010-62345678",
            "01062345678",
            "(010) 6234 5678",
            "（010）62345678",
            "+86 10 6234 5678",
            "0086-10-62345678",
        ] {
            assert_eq!(parse(input), Ok(bj.clone()), "{input}");
        }
        assert_eq!(normalise("021 5123 4567").unwrap(), "021-51234567");
        // Hangzhou 0571, 8-digit number; and a 7-digit county number.
        assert_eq!(normalise("057187654321").unwrap(), "0571-87654321");
        assert_eq!(normalise("0571-8765432").unwrap(), "0571-8765432");
        assert_eq!(normalise("+86 755 2345 6789").unwrap(), "0755-23456789");
    }

    #[test]
    fn landline_extensions() {
        let want = "010-62345678-801";
        for input in [
            "010-62345678 转 801",
            "010-62345678转801",
            "010-62345678 分机 801",
            "010-62345678 ext. 801",
            "010-62345678 EXT 801",
            "010-62345678x801",
            "010-62345678#801",
            "010-62345678-801",
            "010 6234 5678 801",
        ] {
            assert_eq!(normalise(input).unwrap(), want, "{input}");
        }
        assert_eq!(
            parse("010-62345678 转 801").unwrap().display(),
            "010-62345678 转 801"
        );
        assert_eq!(parse("010-62345678 转 "), Err(PhoneError::InvalidExtension));
        assert_eq!(
            parse("010-62345678 转 1234567"),
            Err(PhoneError::InvalidExtension)
        );
        assert_eq!(
            parse("13812345678 转 8"),
            Err(PhoneError::ExtensionOnMobile)
        );
    }

    #[test]
    fn written_grouping_decides_a_short_extension() {
        // A 7-digit number with a 1-digit extension is not an 8-digit number.
        assert_eq!(normalise("010-2000000-0").unwrap(), "010-2000000-0");
        assert_eq!(normalise("0571 8765432 12").unwrap(), "0571-8765432-12");
        // Without the separating group, the 8 digits are the number.
        assert_eq!(normalise("010-20000000").unwrap(), "010-20000000");
        assert_eq!(
            parse("010-2000000-1234567"),
            Err(PhoneError::InvalidExtension)
        );
    }

    #[test]
    fn bad_landlines_say_why() {
        // "00" is the international call prefix, never an area code.
        assert_eq!(parse("000-62345678"), Err(PhoneError::ForeignCountryCode));
        assert_eq!(parse("019-62345678"), Err(PhoneError::InvalidAreaCode));
        assert_eq!(parse("011-62345678"), Err(PhoneError::InvalidAreaCode));
        assert_eq!(parse("010-623456"), Err(PhoneError::InvalidLandlineLength));
        assert_eq!(
            parse("010-623456789"),
            Err(PhoneError::InvalidLandlineLength)
        );
        assert_eq!(parse("010-02345678"), Err(PhoneError::InvalidLocalNumber));
        assert_eq!(parse("0"), Err(PhoneError::InvalidAreaCode));
    }

    #[test]
    fn other_refusals() {
        assert_eq!(parse(""), Err(PhoneError::Empty));
        assert_eq!(parse("  - "), Err(PhoneError::Empty));
        assert_eq!(parse("138a1234567"), Err(PhoneError::InvalidCharacter('a')));
        assert_eq!(
            parse("1+3812345678"),
            Err(PhoneError::InvalidCharacter('+'))
        );
        assert_eq!(
            parse("+1 415 555 0100"),
            Err(PhoneError::ForeignCountryCode)
        );
        assert_eq!(
            parse("001 415 555 0100"),
            Err(PhoneError::ForeignCountryCode)
        );
        assert_eq!(parse("62345678"), Err(PhoneError::NotAPhoneNumber));
    }

    #[test]
    fn display_groups_a_mobile_number() {
        assert_eq!(parse("13812345678").unwrap().display(), "138 1234 5678");
        assert_eq!(parse("13812345678").unwrap().to_string(), "138 1234 5678");
    }

    #[test]
    fn canonical_form_parses_back_to_itself() {
        for input in ["13812345678", "010-62345678", "0571-8765432-12"] {
            let canon = normalise(input).unwrap();
            assert_eq!(normalise(&canon).unwrap(), canon);
        }
    }

    #[test]
    fn every_error_has_both_messages_and_a_code() {
        let all = [
            PhoneError::Empty,
            PhoneError::InvalidCharacter('a'),
            PhoneError::ForeignCountryCode,
            PhoneError::InvalidMobile,
            PhoneError::InvalidAreaCode,
            PhoneError::InvalidLandlineLength,
            PhoneError::InvalidLocalNumber,
            PhoneError::InvalidExtension,
            PhoneError::ExtensionOnMobile,
            PhoneError::NotAPhoneNumber,
        ];
        let mut codes: Vec<_> = all.iter().map(|e| e.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        for e in &all {
            assert!(e.code().starts_with("phone_"));
            assert!(!e.message_zh().is_empty() && !e.message_en().is_empty());
        }
    }
}
