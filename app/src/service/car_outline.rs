//! The walk-around (环车检查): a car outline seen from above, drawn as an inline SVG of panels
//! (保险杠、引擎盖、车门…). Tapping a panel puts a damage mark of the chosen kind on it
//! ([`CarOutline`]); [`OutlineView`] draws the marks of a received car. A mark keeps its place
//! in per mille of the outline (`domain::service::desk::DamageMark`), so it stands where it was
//! put at any size, on the tablet and on the printed sheet.

use domain::service::desk::{DamageKind, DamageMark};
use leptos::prelude::*;

use crate::i18n::*;

/// The outline's size in SVG units (width, length).
const W: i64 = 200;
const L: i64 = 400;

/// One panel: its words key, and its rectangle (x, y, width, height) in SVG units.
struct Zone {
    name: fn(I18nContext<Locale>) -> &'static str,
    rect: (i64, i64, i64, i64),
}

const ZONES: [Zone; 15] = [
    Zone {
        name: |i| t_string!(i, svc_desk.zones.front_bumper),
        rect: (30, 8, 140, 30),
    },
    Zone {
        name: |i| t_string!(i, svc_desk.zones.hood),
        rect: (30, 38, 140, 72),
    },
    Zone {
        name: |i| t_string!(i, svc_desk.zones.windscreen),
        rect: (40, 110, 120, 30),
    },
    Zone {
        name: |i| t_string!(i, svc_desk.zones.roof),
        rect: (40, 140, 120, 110),
    },
    Zone {
        name: |i| t_string!(i, svc_desk.zones.rear_window),
        rect: (40, 250, 120, 30),
    },
    Zone {
        name: |i| t_string!(i, svc_desk.zones.trunk),
        rect: (30, 280, 140, 72),
    },
    Zone {
        name: |i| t_string!(i, svc_desk.zones.rear_bumper),
        rect: (30, 352, 140, 32),
    },
    Zone {
        name: |i| t_string!(i, svc_desk.zones.left_front_fender),
        rect: (6, 38, 24, 72),
    },
    Zone {
        name: |i| t_string!(i, svc_desk.zones.left_front_door),
        rect: (6, 110, 34, 85),
    },
    Zone {
        name: |i| t_string!(i, svc_desk.zones.left_rear_door),
        rect: (6, 195, 34, 85),
    },
    Zone {
        name: |i| t_string!(i, svc_desk.zones.left_rear_fender),
        rect: (6, 280, 24, 72),
    },
    Zone {
        name: |i| t_string!(i, svc_desk.zones.right_front_fender),
        rect: (170, 38, 24, 72),
    },
    Zone {
        name: |i| t_string!(i, svc_desk.zones.right_front_door),
        rect: (160, 110, 34, 85),
    },
    Zone {
        name: |i| t_string!(i, svc_desk.zones.right_rear_door),
        rect: (160, 195, 34, 85),
    },
    Zone {
        name: |i| t_string!(i, svc_desk.zones.right_rear_fender),
        rect: (170, 280, 24, 72),
    },
];

/// The panel a mark is on (its words), if any.
pub fn zone_name(i18n: I18nContext<Locale>, m: &DamageMark) -> String {
    let (x, y) = (m.x * W / 1000, m.y * L / 1000);
    ZONES
        .iter()
        .find(|z| {
            let (zx, zy, zw, zh) = z.rect;
            x >= zx && x <= zx + zw && y >= zy && y <= zy + zh
        })
        .map(|z| (z.name)(i18n).to_string())
        .unwrap_or_default()
}

/// A kind of damage in the user's language.
pub fn kind_text(i18n: I18nContext<Locale>, k: DamageKind) -> &'static str {
    if i18n.get_locale_untracked() == Locale::en {
        k.label_en()
    } else {
        k.label_zh()
    }
}

/// `zone · kind` of a mark.
pub fn mark_text(i18n: I18nContext<Locale>, m: &DamageMark) -> String {
    format!("{} · {}", zone_name(i18n, m), kind_text(i18n, m.kind))
}

/// The marks drawn over the outline, numbered as listed.
fn marks_svg(marks: Vec<DamageMark>) -> impl IntoView {
    marks
        .into_iter()
        .enumerate()
        .map(|(n, m)| {
            let (cx, cy) = (m.x * W / 1000, m.y * L / 1000);
            view! {
                <g class=format!("svc-mark svc-mark-{}", m.kind.as_str())>
                    <circle cx=cx cy=cy r="9" />
                    <text x=cx y=cy + 4 text-anchor="middle">{n + 1}</text>
                </g>
            }
        })
        .collect_view()
}

/// The body's outline under the panels.
fn body() -> impl IntoView {
    view! {
        <rect class="svc-body" x="4" y="4" width="192" height="384" rx="40" ry="40" />
    }
}

/// The outline to mark on: tapping a panel adds a mark of `kind` at the panel's middle (a
/// little aside for each mark already there).
#[component]
pub fn CarOutline(marks: RwSignal<Vec<DamageMark>>, kind: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let tap = move |rect: (i64, i64, i64, i64)| {
        let k = DamageKind::parse(&kind.get_untracked()).unwrap_or(DamageKind::Scratch);
        let (zx, zy, zw, zh) = rect;
        marks.update(|all| {
            let there = all
                .iter()
                .filter(|m| {
                    let (x, y) = (m.x * W / 1000, m.y * L / 1000);
                    x >= zx && x <= zx + zw && y >= zy && y <= zy + zh
                })
                .count() as i64;
            let x = zx + zw / 2 + (there % 3 - 1) * (zw / 4).min(12);
            let y = zy + zh / 2 + (there / 3) * 12;
            all.push(DamageMark::at(x * 1000 / W, y * 1000 / L, k));
        });
    };
    view! {
        <div class="svc-outline">
            <svg viewBox=format!("0 0 {W} {L}") role="group" aria-label=move || t_string!(i18n, svc_desk.reception.outline)>
                {body()}
                {ZONES.iter().map(|z| {
                    let (x, y, w, h) = z.rect;
                    let name = z.name;
                    view! {
                        <rect
                            class="svc-zone"
                            x=x y=y width=w height=h
                            role="button"
                            tabindex="0"
                            aria-label=move || name(i18n)
                            on:click=move |_| tap((x, y, w, h))
                            on:keydown=move |ev| {
                                if ev.key() == "Enter" || ev.key() == " " {
                                    ev.prevent_default();
                                    tap((x, y, w, h));
                                }
                            }
                        >
                            <title>{move || name(i18n)}</title>
                        </rect>
                    }
                }).collect_view()}
                {move || marks_svg(marks.get())}
            </svg>
        </div>
    }
}

/// A received car's marks on the outline (read only).
#[component]
pub fn OutlineView(marks: Vec<DamageMark>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="svc-outline svc-outline-small">
            <svg viewBox=format!("0 0 {W} {L}") role="img" aria-label=move || t_string!(i18n, svc_desk.reception.outline)>
                {body()}
                {ZONES.iter().map(|z| {
                    let (x, y, w, h) = z.rect;
                    view! { <rect class="svc-zone" x=x y=y width=w height=h /> }
                }).collect_view()}
                {marks_svg(marks)}
            </svg>
        </div>
    }
}
