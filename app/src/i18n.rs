//! Translations: `app/locales/zh-CN.json` (default) and `app/locales/en.json`, checked at
//! compile time by leptos_i18n. Every string a person sees or hears comes from there. Also the
//! language chosen on this device ([`keep_locale`]) and [`words!`], a value's words declared as
//! its arms.

// `load_locales!` reads `[package.metadata.leptos-i18n]` in app/Cargo.toml; leptos_i18n 0.6 marks
// it deprecated in favour of a build script, which would compile ICU's data tooling on every
// clean build. The macro generates the same module.
#![allow(deprecated)]

leptos_i18n::load_locales!();

pub use i18n::*;
pub use leptos_i18n::I18nContext;

use domain::{Area, Role};

use crate::db;

/// `words! { fn name(value: Type) -> String { Pattern => key.path, … } }`: the translated words
/// of each value, as `fn name(i18n, value) -> String`. A value no arm names gets the `else`
/// expression after the arms; with `-> Option<String>` it gets `None`.
macro_rules! words {
    (
        $(#[$meta:meta])*
        $vis:vis fn $name:ident($value:ident: $t:ty) -> String {
            $($pattern:pat => $($key:ident).+),+ $(,)?
        } $(else $other:expr)?
    ) => {
        $(#[$meta])*
        $vis fn $name(i18n: I18nContext<Locale>, $value: $t) -> String {
            match $value {
                $($pattern => t_string!(i18n, $($key).+).to_string(),)+
                $(_ => $other,)?
            }
        }
    };
    (
        $(#[$meta:meta])*
        $vis:vis fn $name:ident($value:ident: $t:ty) -> Option<String> {
            $($pattern:pat => $($key:ident).+),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis fn $name(i18n: I18nContext<Locale>, $value: $t) -> Option<String> {
            match $value {
                $($pattern => Some(t_string!(i18n, $($key).+).to_string()),)+
                _ => None,
            }
        }
    };
}
pub(crate) use words;

/// The locale a stored or typed language tag names, if the app has it.
pub fn parse_locale(tag: &str) -> Option<Locale> {
    match tag {
        "zh-CN" | "zh" => Some(Locale::zh_CN),
        "en" => Some(Locale::en),
        _ => None,
    }
}

/// The other language: what the language switch changes to.
pub fn other_locale(locale: Locale) -> Locale {
    match locale {
        Locale::zh_CN => Locale::en,
        Locale::en => Locale::zh_CN,
    }
}

words! {
    /// The translated name of a role, as staff call it.
    pub fn role_name(role: Role) -> String {
        Role::SalesConsultant => roles.sales_consultant,
        Role::SalesManager => roles.sales_manager,
        Role::ServiceAdvisor => roles.service_advisor,
        Role::Technician => roles.technician,
        Role::QcInspector => roles.qc_inspector,
        Role::PartsClerk => roles.parts_clerk,
        Role::CustomerService => roles.customer_service,
        Role::CustomerServiceManager => roles.customer_service_manager,
        Role::GeneralManager => roles.general_manager,
    }
}

words! {
    /// The translated name of an area, as the navigation shows it.
    pub fn area_name(area: Area) -> String {
        Area::Sales => nav.sales,
        Area::Service => nav.service,
        Area::Care => nav.care,
        Area::Management => nav.manage,
    }
}

/// The language of the app's screens, for domain messages (tracked).
pub fn lang(i18n: I18nContext<Locale>) -> domain::sales::Lang {
    match i18n.get_locale() {
        Locale::en => domain::sales::Lang::En,
        Locale::zh_CN => domain::sales::Lang::Zh,
    }
}

/// A domain value's words (a source, a grade, a rule …) in the screens' language (tracked).
pub fn label<T: domain::label::Bilingual>(i18n: I18nContext<Locale>, value: T) -> &'static str {
    value.label(i18n.get_locale() == Locale::en)
}

/// Keeps the chosen language on the device; it is applied at the next start.
pub fn keep_locale(locale: Locale) {
    leptos::task::spawn_local(async move {
        if let Err(e) = db::put(db::keys::LOCALE, locale.as_str()).await {
            leptos::logging::warn!("forecourt: cannot keep the language: {e}");
        }
    });
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    fn keys(prefix: &str, v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    keys(&format!("{prefix}{k}."), v, out);
                }
            }
            Value::String(s) => {
                assert!(!s.trim().is_empty(), "{prefix} is empty");
                out.push(prefix.trim_end_matches('.').to_string());
            }
            other => panic!("{prefix}: unexpected {other}"),
        }
    }

    fn all(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        keys("", &serde_json::from_str(text).unwrap(), &mut out);
        out.sort();
        out
    }

    #[test]
    fn both_languages_have_every_string() {
        let zh = all(include_str!("../locales/zh-CN.json"));
        let en = all(include_str!("../locales/en.json"));
        assert_eq!(zh, en);
    }

    #[test]
    fn the_language_switch_names_the_other_language() {
        let zh: Value = serde_json::from_str(include_str!("../locales/zh-CN.json")).unwrap();
        let en: Value = serde_json::from_str(include_str!("../locales/en.json")).unwrap();
        assert_eq!(zh["language_switch"], "English");
        assert_eq!(en["language_switch"], "中文");
        // The words of the UI contract (docs/ui/shell.md).
        assert_eq!(zh["nav"]["label"], "主导航");
        assert_eq!(en["nav"]["label"], "Main navigation");
        assert_eq!(zh["login"]["bad_credentials"], "用户名或密码错误");
        assert_eq!(en["login"]["bad_credentials"], "Wrong username or password");
        assert_eq!(zh["header"]["logout"], "退出登录");
        assert_eq!(en["header"]["logout"], "Log out");
        assert_eq!(zh["update"]["reload"], "刷新以更新");
        assert_eq!(en["update"]["reload"], "Reload to update");
    }
}
