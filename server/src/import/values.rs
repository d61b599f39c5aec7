//! Values as stores write them: sources and their synonyms, grades in any case, dates as Excel
//! serials or text, yes/no words, service kinds, amounts and mileages. A reader returns `None`
//! for a value it cannot read; the row checks then keep the value as written with a warning.

use chrono::{NaiveDate, NaiveDateTime};
use domain::records::HistoryKind;
use domain::sales::grade::IntentionGrade;
use domain::sales::visit::VisitSource;

use super::map::heading_key;

/// A source as read: the store's source, and the platform for an online lead named by its
/// platform (汽车之家, 懂车帝, 易车, …), kept as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub source: VisitSource,
    pub platform: Option<String>,
}

/// Online platforms stores name as the source.
const PLATFORMS: [&str; 9] = [
    "汽车之家",
    "懂车帝",
    "易车",
    "易车网",
    "太平洋汽车",
    "爱卡汽车",
    "抖音",
    "快手",
    "微信",
];

/// 电话咨询 / 来电 → 来电咨询, 车展 / 展会 / 巡展 → 店外活动/巡展, 朋友介绍 → 转介绍, 汽车之家 /
/// 懂车帝 / 易车 → 网络 (platform kept), besides the store's own words and the English names.
pub fn source(s: &str) -> Option<Source> {
    let key = heading_key(s);
    if key.is_empty() {
        return None;
    }
    if let Some(p) = PLATFORMS.iter().find(|p| heading_key(p) == key) {
        return Some(Source {
            source: VisitSource::Online,
            platform: Some((*p).to_owned()),
        });
    }
    let found = VisitSource::ALL.into_iter().find(|v| {
        heading_key(v.as_str()) == key
            || heading_key(v.label_zh()) == key
            || heading_key(v.label_en()) == key
            || v.label_zh().split('/').any(|part| heading_key(part) == key)
            || matches!(
                (v, key.as_str()),
                (
                    VisitSource::WalkIn,
                    "展厅" | "到店" | "进店" | "自然进店" | "自然到店" | "展厅来店" | "walkin"
                ) | (
                    VisitSource::PhoneInquiry,
                    "来电" | "电话" | "电话咨询" | "来电咨询" | "热线" | "400电话" | "phone"
                ) | (
                    VisitSource::OffsiteEvent,
                    "车展" | "展会" | "巡展" | "外展" | "活动" | "外拓" | "店外活动" | "event"
                ) | (
                    VisitSource::Referral,
                    "介绍" | "朋友介绍" | "老客户介绍" | "老客介绍" | "亲友介绍" | "转介绍"
                ) | (
                    VisitSource::Online,
                    "网络" | "网站" | "网销" | "线上" | "online"
                )
            )
    })?;
    Some(Source {
        source: found,
        platform: None,
    })
}

/// H / A / B / C in any case, with or without 级 / 类.
pub fn grade(s: &str) -> Option<IntentionGrade> {
    let t = s.trim();
    let t = t
        .strip_suffix('级')
        .or_else(|| t.strip_suffix('类'))
        .unwrap_or(t);
    IntentionGrade::parse(t)
}

/// Excel's serial of a date (a number stored as text in a CSV): days since 1899-12-30, within
/// 1950–2100.
fn serial_date(s: &str) -> Option<NaiveDateTime> {
    let n: f64 = s.parse().ok()?;
    if !(18_264.0..=73_051.0).contains(&n) {
        return None;
    }
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    Some(base + chrono::Duration::seconds((n * 86_400.0).round() as i64))
}

/// A date or a date and time as typed: `2026-10-15`, `2026/10/15`, `2026.10.15`,
/// `2026年10月15日`, `20261015`, with or without a time (`10:30`, `10:30:00`), or an Excel
/// serial. A date without a time is `None` for the time.
pub fn date_time(s: &str) -> Option<(NaiveDate, Option<chrono::NaiveTime>)> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Some(t) = serial_date(s) {
        let time = (t.time() != chrono::NaiveTime::MIN).then_some(t.time());
        return Some((t.date(), time));
    }
    // One shape for every separator: 2026/10/15 → 2026-10-15; 年 月 → -, 日 dropped.
    let norm: String = s
        .replace("年", "-")
        .replace("月", "-")
        .replace("日", " ")
        .replace(['/', '.'], "-")
        .replace('T', " ");
    let norm = norm.split_whitespace().collect::<Vec<_>>().join(" ");
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(&norm, f) {
            return Some((t.date(), Some(t.time())));
        }
    }
    for f in ["%Y-%m-%d", "%Y%m%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(&norm, f) {
            return Some((d, None));
        }
    }
    None
}

/// A date as typed ([`date_time`]) → `YYYY-MM-DD`.
pub fn date(s: &str) -> Option<String> {
    date_time(s).map(|(d, _)| d.format("%Y-%m-%d").to_string())
}

/// A date or date-time as typed → store-local `YYYY-MM-DDTHH:MM:SS` (a date alone at 09:00).
pub fn when(s: &str) -> Option<String> {
    date_time(s).map(|(d, t)| {
        let t = t.unwrap_or_else(|| chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default());
        d.and_time(t).format("%Y-%m-%dT%H:%M:%S").to_string()
    })
}

/// 本地 / 外地, 是 / 否, Y / N, local / out of town → true (local) / false.
pub fn local(s: &str) -> Option<bool> {
    match heading_key(s).as_str() {
        "本地" | "是" | "y" | "yes" | "true" | "1" | "local" | "本市" => Some(true),
        "外地" | "否" | "n" | "no" | "false" | "0" | "outoftown" | "外市" | "外省" => {
            Some(false)
        }
        _ => None,
    }
}

/// 首保 / 保养 / 维修 / 保修 … → the kind of a past service.
pub fn history_kind(s: &str) -> Option<HistoryKind> {
    let key = heading_key(s);
    if let Some(k) = HistoryKind::parse(&key) {
        return Some(k);
    }
    Some(match key.as_str() {
        "首保" | "首次保养" | "免费保养" | "首次免费保养" | "firstservice" => {
            HistoryKind::FirstMaintenance
        }
        "保养" | "定保" | "定期保养" | "常规保养" | "小保养" | "大保养" | "二保" | "service" => {
            HistoryKind::Maintenance
        }
        "维修" | "一般维修" | "机修" | "钣金" | "喷漆" | "钣喷" | "事故车" | "事故维修"
        | "保险维修" => HistoryKind::Repair,
        "保修" | "索赔" | "三包" | "质保" | "保修索赔" => HistoryKind::Warranty,
        "其他" | "其它" | "美容" | "精品" | "洗车" => HistoryKind::Other,
        _ => return None,
    })
}

/// An amount in yuan as typed (`¥680`, `680元`, `1,280.5`) → decimal text with two places
/// (`680.00`, `1280.50`).
pub fn amount(s: &str) -> Option<String> {
    let t: String = s
        .trim()
        .trim_start_matches(['¥', '￥'])
        .trim_end_matches('元')
        .chars()
        .filter(|c| *c != ',' && *c != '，' && !c.is_whitespace())
        .collect();
    let fen = domain::records::service::yuan_to_fen(&t).or_else(|| {
        // More decimals than fen (a float from a sheet): rounded.
        let f: f64 = t.parse().ok()?;
        f.is_finite().then(|| (f * 100.0).round() as i64)
    })?;
    let sign = if fen < 0 { "-" } else { "" };
    Some(format!("{sign}{}.{:02}", fen.abs() / 100, fen.abs() % 100))
}

/// A mileage in km as typed (`12,345`, `12345km`, `12345 公里`, `1.2万`) → whole km as text.
pub fn odometer(s: &str) -> Option<String> {
    let t: String = s
        .trim()
        .to_lowercase()
        .trim_end_matches("km")
        .trim_end_matches("公里")
        .chars()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect();
    let (t, factor) = match t.strip_suffix('万') {
        Some(rest) => (rest.to_owned(), 10_000.0),
        None => (t, 1.0),
    };
    let f: f64 = t.parse().ok()?;
    let km = (f * factor).round();
    (f.is_finite() && (0.0..10_000_000.0).contains(&km)).then(|| format!("{}", km as i64))
}

/// A plate compared: upper case, without spaces, dots and dashes (`粤B·12345` = `粤b12345`).
pub fn plate_key(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '·' | '.' | '-' | '•'))
        .flat_map(char::to_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_and_their_synonyms() {
        let s = |t: &str| source(t).map(|s| (s.source, s.platform));
        assert_eq!(s("电话咨询"), Some((VisitSource::PhoneInquiry, None)));
        assert_eq!(s("来电"), Some((VisitSource::PhoneInquiry, None)));
        for w in ["车展", "展会", "巡展", "店外活动/巡展"] {
            assert_eq!(s(w), Some((VisitSource::OffsiteEvent, None)), "{w}");
        }
        assert_eq!(s("朋友介绍"), Some((VisitSource::Referral, None)));
        for w in ["汽车之家", "懂车帝", "易车"] {
            assert_eq!(s(w), Some((VisitSource::Online, Some(w.to_owned()))), "{w}");
        }
        assert_eq!(s("Walk-in"), Some((VisitSource::WalkIn, None)));
        assert_eq!(s("自然到店"), Some((VisitSource::WalkIn, None)));
        assert_eq!(s("隔壁老王"), None);
    }

    #[test]
    fn grades_in_any_case() {
        assert_eq!(grade("h"), Some(IntentionGrade::H));
        assert_eq!(grade(" a级 "), Some(IntentionGrade::A));
        assert_eq!(grade("B"), Some(IntentionGrade::B));
        assert_eq!(grade("D"), None);
    }

    #[test]
    fn dates_as_stores_write_them() {
        for t in [
            "2026-10-15",
            "2026/10/15",
            "2026.10.15",
            "2026年10月15日",
            "20261015",
            "2026/10/15 0:00",
            "46310",
        ] {
            assert_eq!(date(t).as_deref(), Some("2026-10-15"), "{t}");
        }
        assert_eq!(date("2026-1-5").as_deref(), Some("2026-01-05"));
        assert_eq!(
            when("2026-10-15 10:30").as_deref(),
            Some("2026-10-15T10:30:00")
        );
        assert_eq!(
            when("2026年10月15日").as_deref(),
            Some("2026-10-15T09:00:00")
        );
        assert_eq!(
            when("2024-03-01 12:00:00").as_deref(),
            Some("2024-03-01T12:00:00")
        );
        assert_eq!(date("去年秋天"), None);
        assert_eq!(date("2026-13-01"), None);
        assert_eq!(date("13812345678"), None);
    }

    #[test]
    fn other_values() {
        assert_eq!(local("本地"), Some(true));
        assert_eq!(local("外地"), Some(false));
        assert_eq!(local("Y"), Some(true));
        assert_eq!(local("也许"), None);
        assert_eq!(history_kind("首保"), Some(HistoryKind::FirstMaintenance));
        assert_eq!(history_kind("定期保养"), Some(HistoryKind::Maintenance));
        assert_eq!(history_kind("钣喷"), Some(HistoryKind::Repair));
        assert_eq!(history_kind("索赔"), Some(HistoryKind::Warranty));
        assert_eq!(history_kind("warranty"), Some(HistoryKind::Warranty));
        assert_eq!(history_kind("改装"), None);
        assert_eq!(amount("¥680").as_deref(), Some("680.00"));
        assert_eq!(amount("1,280.5元").as_deref(), Some("1280.50"));
        assert_eq!(amount("99.999").as_deref(), Some("100.00"));
        assert_eq!(amount("免费"), None);
        assert_eq!(odometer("12,345 km").as_deref(), Some("12345"));
        assert_eq!(odometer("1.2万").as_deref(), Some("12000"));
        assert_eq!(odometer("5000公里").as_deref(), Some("5000"));
        assert_eq!(odometer("很多"), None);
        assert_eq!(plate_key("粤B·1234 5"), "粤B12345");
    }
}
