//! Vehicle identification number (车辆识别代号, VIN): 17 characters, ISO 3779 / GB 16735.
//!
//! Rules checked:
//! - exactly 17 characters, digits and capital letters except `I`, `O`, `Q` (they look like 1 and 0);
//!   lower-case input is upper-cased, surrounding spaces are ignored;
//! - the check digit (校验位) at position 9: transliterate every character to a number
//!   (digits as themselves; `A–H` → 1–8, `J–N` → 1–5, `P` → 7, `R` → 9, `S–Z` → 2–9), multiply by the
//!   position weights 8,7,6,5,4,3,2,10,0,9,8,7,6,5,4,3,2, sum, take the remainder modulo 11;
//!   remainder 10 is written `X`. GB 16735 makes the check digit mandatory for vehicles sold in China.

use super::UserError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Weights of the 17 positions; position 9 (the check digit itself) weighs 0.
pub const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

/// A valid VIN, upper case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Vin(String);

impl Vin {
    /// Validate a VIN as typed or scanned.
    pub fn parse(input: &str) -> Result<Vin, VinError> {
        let vin = input.trim().to_ascii_uppercase();
        let len = vin.chars().count();
        if len != 17 {
            return Err(VinError::WrongLength { length: len });
        }
        for (i, c) in vin.chars().enumerate() {
            let position = i + 1;
            if matches!(c, 'I' | 'O' | 'Q') {
                return Err(VinError::ForbiddenLetter {
                    letter: c,
                    position,
                });
            }
            if transliterate(c).is_none() {
                return Err(VinError::InvalidCharacter {
                    character: c,
                    position,
                });
            }
        }
        let expected = check_digit(&vin).expect("characters checked above");
        let found = vin.as_bytes()[8] as char;
        if found != expected {
            return Err(VinError::CheckDigitMismatch { expected, found });
        }
        Ok(Vin(vin))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// World manufacturer identifier (世界制造厂识别代号, WMI): positions 1–3, e.g. `LSV`.
    pub fn wmi(&self) -> &str {
        &self.0[0..3]
    }

    /// Vehicle descriptor section (车辆说明部分, VDS): positions 4–9.
    pub fn vds(&self) -> &str {
        &self.0[3..9]
    }

    /// Vehicle indicator section (车辆指示部分, VIS): positions 10–17.
    pub fn vis(&self) -> &str {
        &self.0[9..17]
    }

    /// The last six characters, how staff often read a VIN out (e.g. on a delivery checklist).
    pub fn last_six(&self) -> &str {
        &self.0[11..17]
    }
}

impl fmt::Display for Vin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Vin {
    type Error = VinError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Vin::parse(&s)
    }
}

impl From<Vin> for String {
    fn from(v: Vin) -> String {
        v.0
    }
}

/// The numeric value of a VIN character, `None` for characters a VIN cannot contain.
pub fn transliterate(c: char) -> Option<u32> {
    Some(match c {
        '0'..='9' => c as u32 - '0' as u32,
        'A' | 'J' => 1,
        'B' | 'K' | 'S' => 2,
        'C' | 'L' | 'T' => 3,
        'D' | 'M' | 'U' => 4,
        'E' | 'N' | 'V' => 5,
        'F' | 'W' => 6,
        'G' | 'P' | 'X' => 7,
        'H' | 'Y' => 8,
        'R' | 'Z' => 9,
        _ => return None,
    })
}

/// The check digit a 17-character VIN should carry at position 9 (whatever is there now is ignored).
/// `None` if the text is not 17 valid VIN characters.
pub fn check_digit(vin: &str) -> Option<char> {
    if vin.chars().count() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in vin.chars().zip(WEIGHTS) {
        sum += transliterate(c)? * w;
    }
    Some(match sum % 11 {
        10 => 'X',
        r => char::from(b'0' + r as u8),
    })
}

/// Why a VIN was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VinError {
    #[error("a VIN has 17 characters, not {length}")]
    WrongLength { length: usize },
    #[error("a VIN never contains {letter} (position {position})")]
    ForbiddenLetter { letter: char, position: usize },
    #[error("{character:?} at position {position} is not a VIN character")]
    InvalidCharacter { character: char, position: usize },
    #[error("check digit is {found}, should be {expected}")]
    CheckDigitMismatch { expected: char, found: char },
}

impl UserError for VinError {
    fn code(&self) -> &'static str {
        match self {
            VinError::WrongLength { .. } => "vin_wrong_length",
            VinError::ForbiddenLetter { .. } => "vin_forbidden_letter",
            VinError::InvalidCharacter { .. } => "vin_invalid_character",
            VinError::CheckDigitMismatch { .. } => "vin_check_digit_mismatch",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            VinError::WrongLength { length } => {
                format!("车架号(VIN)应为 17 位,现在是 {length} 位")
            }
            VinError::ForbiddenLetter { letter, position } => {
                format!("车架号中不能有字母 {letter}(第 {position} 位),请检查是否应为数字 1 或 0")
            }
            VinError::InvalidCharacter {
                character,
                position,
            } => format!("车架号第 {position} 位“{character}”不是有效字符"),
            VinError::CheckDigitMismatch { .. } => {
                "车架号校验位(第 9 位)不符,请核对是否有字符输错".into()
            }
        }
    }

    fn message_en(&self) -> String {
        match self {
            VinError::WrongLength { length } => {
                format!("A VIN has 17 characters; this one has {length}")
            }
            VinError::ForbiddenLetter { letter, position } => format!(
                "A VIN never contains the letter {letter} (position {position}); should it be 1 or 0?"
            ),
            VinError::InvalidCharacter {
                character,
                position,
            } => format!("Position {position} of the VIN: “{character}” is not a VIN character"),
            VinError::CheckDigitMismatch { .. } => {
                "The check digit (position 9) does not match: a character was probably mistyped"
                    .into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `1M8GDM9AXKP042788`, the textbook example (a 1989 Motor Coach Industries bus):
    ///
    /// | pos | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16 | 17 |
    /// |-----|---|---|---|---|---|---|---|---|---|----|----|----|----|----|----|----|----|
    /// | chr | 1 | M | 8 | G | D | M | 9 | A | X | K  | P  | 0  | 4  | 2  | 7  | 8  | 8  |
    /// | val | 1 | 4 | 8 | 7 | 4 | 4 | 9 | 1 | – | 2  | 7  | 0  | 4  | 2  | 7  | 8  | 8  |
    /// | wt  | 8 | 7 | 6 | 5 | 4 | 3 | 2 |10 | 0 | 9  | 8  | 7  | 6  | 5  | 4  | 3  | 2  |
    /// | prod| 8 |28 |48 |35 |16 |12 |18 |10 | 0 | 18 | 56 | 0  | 24 | 10 | 28 | 24 | 16 |
    ///
    /// Sum = 8+28+48+35+16+12+18+10+0+18+56+0+24+10+28+24+16 = 351; 351 = 31×11 + 10 → `X`. Valid.
    const TEXTBOOK: &str = "1M8GDM9AXKP042788";

    /// `LSVAG2189C2184523`, a Chinese-style VIN (WMI `LSV`) whose check digit was computed by hand:
    ///
    /// chr  L  S  V  A  G  2  1  8  ?  C  2  1  8  4  5  2  3
    /// val  3  2  5  1  7  2  1  8  –  3  2  1  8  4  5  2  3
    /// wt   8  7  6  5  4  3  2 10  0  9  8  7  6  5  4  3  2
    /// prod 24 14 30 5 28  6  2 80  0 27 16  7 48 20 20  6  6
    ///
    /// Sum = 24+14+30+5+28+6+2+80+27+16+7+48+20+20+6+6 = 339; 339 = 30×11 + 9 → `9`. Valid.
    const CHINESE: &str = "LSVAG2189C2184523";

    /// `11111111111111111`: every value is 1, so the sum is the sum of the weights,
    /// 8+7+6+5+4+3+2+10+0+9+8+7+6+5+4+3+2 = 89 = 8×11 + 1 → `1`. Valid.
    const ALL_ONES: &str = "11111111111111111";

    #[test]
    fn hand_computed_vectors_are_valid() {
        for v in [TEXTBOOK, CHINESE, ALL_ONES] {
            assert_eq!(Vin::parse(v).unwrap().as_str(), v);
        }
        assert_eq!(check_digit(TEXTBOOK), Some('X'));
        assert_eq!(check_digit(CHINESE), Some('9'));
        assert_eq!(check_digit(ALL_ONES), Some('1'));
    }

    #[test]
    fn a_wrong_check_digit_is_refused_with_the_expected_one() {
        // Same as CHINESE with position 9 changed from 9 to 8.
        assert_eq!(
            Vin::parse("LSVAG2188C2184523"),
            Err(VinError::CheckDigitMismatch {
                expected: '9',
                found: '8'
            })
        );
        // One mistyped character elsewhere: position 17 3 → 4 adds 1×2 = 2 to the sum:
        // 339 + 2 = 341 = 31×11 + 0 → expected check digit 0.
        assert_eq!(
            Vin::parse("LSVAG2189C2184524"),
            Err(VinError::CheckDigitMismatch {
                expected: '0',
                found: '9'
            })
        );
    }

    #[test]
    fn lower_case_and_spaces_around_are_accepted() {
        let v = Vin::parse("  1m8gdm9axkp042788 ").unwrap();
        assert_eq!(v.as_str(), TEXTBOOK);
        assert_eq!(v.wmi(), "1M8");
        assert_eq!(v.vds(), "GDM9AX");
        assert_eq!(v.vis(), "KP042788");
        assert_eq!(v.last_six(), "042788");
    }

    #[test]
    fn shape_errors() {
        assert_eq!(
            Vin::parse("1M8GDM9AXKP04278"),
            Err(VinError::WrongLength { length: 16 })
        );
        assert_eq!(Vin::parse(""), Err(VinError::WrongLength { length: 0 }));
        assert_eq!(
            Vin::parse("1M8GDM9AXKO042788"),
            Err(VinError::ForbiddenLetter {
                letter: 'O',
                position: 11
            })
        );
        assert_eq!(
            Vin::parse("IM8GDM9AXKP042788"),
            Err(VinError::ForbiddenLetter {
                letter: 'I',
                position: 1
            })
        );
        assert_eq!(
            Vin::parse("1M8GDM9AXKP04278-"),
            Err(VinError::InvalidCharacter {
                character: '-',
                position: 17
            })
        );
        assert_eq!(
            Vin::parse("1M8GDM9AXKP04278车"),
            Err(VinError::InvalidCharacter {
                character: '车',
                position: 17
            })
        );
    }

    #[test]
    fn transliteration_table() {
        let letters = "ABCDEFGHJKLMNPRSTUVWXYZ";
        let values = [
            1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9,
        ];
        for (c, v) in letters.chars().zip(values) {
            assert_eq!(transliterate(c), Some(v), "{c}");
        }
        for c in ['I', 'O', 'Q', 'a', '-'] {
            assert_eq!(transliterate(c), None);
        }
    }

    #[test]
    fn serde_validates() {
        let json = serde_json::to_string(&Vin::parse(TEXTBOOK).unwrap()).unwrap();
        assert_eq!(json, format!("\"{TEXTBOOK}\""));
        assert!(serde_json::from_str::<Vin>("\"1M8GDM9A1KP042788\"").is_err());
    }

    #[test]
    fn errors_speak_both_languages() {
        let e = Vin::parse("LSVAG2188C2184523").unwrap_err();
        assert_eq!(e.code(), "vin_check_digit_mismatch");
        assert!(e.message_zh().contains("校验位"));
        assert!(e.message_en().contains("check digit"));
    }

    proptest::proptest! {
        /// Any other character at position 9 than the computed one is refused.
        #[test]
        fn only_the_computed_check_digit_passes(body in "[A-HJ-NPR-Z0-9]{17}") {
            let expected = check_digit(&body).unwrap();
            let mut chars: Vec<char> = body.chars().collect();
            for candidate in "0123456789X".chars() {
                chars[8] = candidate;
                let vin: String = chars.iter().collect();
                proptest::prop_assert_eq!(Vin::parse(&vin).is_ok(), candidate == expected);
            }
        }
    }
}
