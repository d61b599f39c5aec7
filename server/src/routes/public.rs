//! The customer's progress page (维修进度), behind the RO's status link: no login, no token, only
//! the unguessable link (`domain::service::workshop::status_token`: the RO's id and its random
//! `status_key`). It shows the steps and the lines, and prices only of the lines the customer
//! approved (`workshop::public_status`). Online only: the customer's phone reads the server.
//!
//! - `GET /api/public/ro/{token}`: the status as JSON.
//! - `GET /s/{token}`: the same as a small HTML page in Chinese (no script, no app download),
//!   the page the QR code on the RO opens.
//!
//! Any token that is malformed, names no RO, or whose key is not the RO's answers 404 (the same
//! answer for each, so the page tells nothing about which RO ids exist).

use axum::{
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use domain::parts::orders::{EmergencyOrder, PARTS_HOLD_ZH, ro_on_hold};
use domain::records::service::{RepairOrder, RoLine, ServiceSettings};
use domain::service::repair_order::LineState;
use domain::service::workshop::{
    CUSTOMER_STEPS, PublicStatus, parse_status_token, public_status, status_key_matches,
};
use domain::time::{StoreClock, stored_time};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    AppState,
    error::{Error, ErrorBody},
    extract::{Json, Path},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(public_ro))
}

/// One step of the process.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicStep {
    /// `received`, `estimated`, `approved`, `in_work`, `qc`, `ready`, `handed_over`.
    pub status: String,
    pub label_zh: String,
    /// Done or current.
    pub reached: bool,
    pub current: bool,
}

/// One line of the RO.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicLineView {
    pub description: String,
    /// `proposed`, `added_work_proposed`, `approved`, `declined`.
    pub state: String,
    /// The state in the customer's words (待您确认, 增项待您确认, 已确认, 建议未做).
    pub state_zh: String,
    /// Only for a line the customer approved.
    pub amount_fen: Option<i64>,
}

/// What the customer's status page shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicRoView {
    pub store_name: String,
    pub plate: String,
    pub status: String,
    pub status_zh: String,
    pub steps: Vec<PublicStep>,
    /// Store-local `YYYY-MM-DDTHH:MM:SS`.
    pub promised_at: Option<String>,
    pub lines: Vec<PublicLineView>,
    /// The total of the approved lines (fen).
    pub approved_total_fen: i64,
    /// Parts Hold (等待配件): an emergency order of the RO's parts is still on its way.
    pub parts_hold: bool,
}

fn state_name(s: LineState) -> &'static str {
    match s {
        LineState::Proposed => "proposed",
        LineState::AddedWorkProposed => "added_work_proposed",
        LineState::Approved => "approved",
        LineState::Declined => "declined",
    }
}

fn state_zh(s: LineState) -> &'static str {
    match s {
        LineState::Proposed => "待您确认",
        LineState::AddedWorkProposed => "增项待您确认",
        LineState::Approved => "已确认",
        LineState::Declined => "建议未做",
    }
}

fn view_of(store_name: String, s: PublicStatus, parts_hold: bool) -> PublicRoView {
    PublicRoView {
        parts_hold,
        store_name,
        plate: s.plate,
        status: s.status.as_str().to_owned(),
        status_zh: s.status.label_zh().to_owned(),
        steps: CUSTOMER_STEPS
            .iter()
            .enumerate()
            .map(|(i, st)| PublicStep {
                status: st.as_str().to_owned(),
                label_zh: st.label_zh().to_owned(),
                reached: i < s.step,
                current: i + 1 == s.step,
            })
            .collect(),
        promised_at: s.promised_at.map(stored_time),
        lines: s
            .lines
            .into_iter()
            .map(|l| PublicLineView {
                description: l.description,
                state: state_name(l.state).to_owned(),
                state_zh: state_zh(l.state).to_owned(),
                amount_fen: l.amount_fen,
            })
            .collect(),
        approved_total_fen: s.approved_total_fen,
    }
}

/// The status behind `token`, or `None` (404) for any token that does not open an RO.
async fn status_of(state: &AppState, token: &str) -> Result<Option<PublicRoView>, Error> {
    let Some((id, key)) = parse_status_token(token) else {
        return Ok(None);
    };
    let Some(found) = state.store().service_ro(id).await? else {
        return Ok(None);
    };
    let clock = state
        .store()
        .get_store(found.store_id.clone())
        .await?
        .and_then(|s| StoreClock::from_offset_minutes(s.utc_offset_minutes))
        .unwrap_or_default();
    let ro = RepairOrder::of(&found.ro, clock);
    if !status_key_matches(ro.status_key.as_deref(), key) {
        return Ok(None);
    }
    let lines: Vec<RoLine> = found.lines.iter().map(|l| RoLine::of(l, clock)).collect();
    let rate = ServiceSettings::of(found.settings.as_ref()).hourly_rate_fen;
    let orders: Vec<EmergencyOrder> = found
        .parts_orders
        .iter()
        .map(|o| EmergencyOrder::of(o, clock))
        .collect();
    Ok(Some(view_of(
        found.store_name,
        public_status(&ro, &lines, rate),
        ro_on_hold(ro.id, &orders),
    )))
}

/// The progress of a repair order for its customer: steps, lines, and prices of approved lines
/// only. No login: the token is the link's secret.
#[utoipa::path(
    get,
    path = "/api/public/ro/{token}",
    tag = "service",
    params(("token" = String, Path, description = "the RO's status token (64 hex digits)")),
    responses(
        (status = 200, body = PublicRoView),
        (status = 404, description = "`not_found`: no RO behind this token", body = ErrorBody),
    )
)]
async fn public_ro(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<PublicRoView>, Error> {
    status_of(&state, &token)
        .await?
        .map(Json)
        .ok_or(Error::NotFound)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn yuan(fen: i64) -> String {
    format!("¥{}.{:02}", fen / 100, (fen % 100).abs())
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0 auto;max-width:36rem;padding:1rem;\
color:#1f2933}h1{font-size:1.3rem}ol.steps{list-style:none;padding:0}ol.steps li{padding:.4rem .6rem;\
border-left:4px solid #cbd2d9;margin:.2rem 0;color:#7b8794}ol.steps li.reached{border-color:#2f855a;\
color:#1f2933}ol.steps li.current{font-weight:bold;background:#f0fff4}table{width:100%;border-collapse:\
collapse}td{padding:.3rem;border-bottom:1px solid #e4e7eb}td.amount{text-align:right}.muted{color:#7b8794}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{}</title><style>{STYLE}</style></head>\
         <body>{body}</body></html>",
        esc(title)
    )
}

/// The status page as HTML (Chinese: the customer's language).
fn status_html(v: &PublicRoView) -> String {
    let mut body = format!(
        "<h1>{} · 维修进度</h1><p>车牌 <strong id=\"plate\">{}</strong></p>\
         <p>当前状态:<strong id=\"status\">{}</strong></p>",
        esc(&v.store_name),
        esc(&v.plate),
        esc(&v.status_zh)
    );
    if v.parts_hold {
        body.push_str(&format!(
            "<p><strong id=\"parts-hold\">{PARTS_HOLD_ZH}</strong>:所需配件正在紧急订货,到货后继续施工</p>"
        ));
    }
    if let Some(p) = &v.promised_at {
        body.push_str(&format!(
            "<p>预计交车时间:<span id=\"promised\">{}</span></p>",
            esc(&p.replace('T', " ")[..p.len().min(16)])
        ));
    }
    body.push_str("<ol class=\"steps\" aria-label=\"维修步骤\">");
    for s in &v.steps {
        let class = match (s.current, s.reached) {
            (true, _) => "reached current",
            (false, true) => "reached",
            _ => "",
        };
        body.push_str(&format!(
            "<li class=\"{class}\"{}>{}</li>",
            if s.current {
                " aria-current=\"step\""
            } else {
                ""
            },
            esc(&s.label_zh)
        ));
    }
    body.push_str("</ol>");
    if !v.lines.is_empty() {
        body.push_str("<h2>维修项目</h2><table aria-label=\"维修项目\"><tbody>");
        for l in &v.lines {
            body.push_str(&format!(
                "<tr><td>{}</td><td class=\"muted\">{}</td><td class=\"amount\">{}</td></tr>",
                esc(&l.description),
                esc(&l.state_zh),
                l.amount_fen.map(yuan).unwrap_or_default()
            ));
        }
        body.push_str("</tbody></table>");
        if v.approved_total_fen > 0 {
            body.push_str(&format!(
                "<p>已确认项目合计:<strong id=\"total\">{}</strong></p>",
                yuan(v.approved_total_fen)
            ));
        }
    }
    body.push_str("<p class=\"muted\">本页面仅显示维修进度;如有疑问请联系您的服务顾问。</p>");
    page(&format!("{} · 维修进度", v.store_name), &body)
}

/// `GET /s/{token}`: the customer's status page (HTML); 404 with a short page for a token that
/// opens nothing.
pub async fn status_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let html = |code: StatusCode, body: String| {
        (
            code,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response()
    };
    match status_of(&state, &token).await {
        Ok(Some(v)) => html(StatusCode::OK, status_html(&v)),
        Ok(None) => html(
            StatusCode::NOT_FOUND,
            page(
                "找不到维修进度",
                "<h1>找不到维修进度</h1><p>链接无效或已失效,请联系您的服务顾问。</p>",
            ),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "status page");
            html(
                StatusCode::INTERNAL_SERVER_ERROR,
                page("暂时无法显示", "<h1>暂时无法显示</h1><p>请稍后再试。</p>"),
            )
        }
    }
}
