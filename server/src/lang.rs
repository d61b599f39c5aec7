//! The language of user-facing messages: Chinese by default, English when the request's
//! `Accept-Language` prefers it. A middleware puts the request's language in a task-local so
//! that errors (and anything else) can be rendered in it without threading it through handlers.

use axum::{extract::Request, http::header::ACCEPT_LANGUAGE, middleware::Next, response::Response};

/// A language the server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

tokio::task_local! {
    static LANG: Lang;
}

impl Lang {
    /// The language of the request being handled on this task (Chinese outside a request).
    pub fn current() -> Lang {
        LANG.try_with(|l| *l).unwrap_or_default()
    }

    /// Picks the language from an `Accept-Language` value: the tag with the highest `q` wins
    /// (the first one on a tie); English if that tag is `en` or `en-*`, Chinese otherwise.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, &str)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim();
            if tag.is_empty() {
                continue;
            }
            let q = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|v| v.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q <= 0.0 {
                continue;
            }
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, tag));
            }
        }
        match best {
            Some((_, tag)) if tag.eq_ignore_ascii_case("en") || starts_with_ci(tag, "en-") => {
                Lang::En
            }
            _ => Lang::Zh,
        }
    }

    /// Picks the Chinese or the English text.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// Middleware: runs the rest of the request with its language set.
pub async fn middleware(req: Request, next: Next) -> Response {
    let lang = req
        .headers()
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default();
    LANG.scope(lang, next.run(req)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_preference() {
        assert_eq!(Lang::from_accept_language("en"), Lang::En);
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Lang::Zh
        );
        assert_eq!(Lang::from_accept_language("zh;q=0.5, en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_accept_language("fr"), Lang::Zh);
        assert_eq!(Lang::from_accept_language("en;q=0, zh"), Lang::Zh);
        assert_eq!(Lang::from_accept_language(""), Lang::Zh);
        assert_eq!(Lang::from_accept_language("eng"), Lang::Zh);
    }
}
