//! `/sales/kpi` 销售报表: the seven sales KPIs of a day or a month, counted on the device from the
//! synced records (`domain::sales::facts` → `domain::sales::kpi`), so they work offline and change
//! as soon as a sync brings new records. It reads the records of the span the charts show
//! (`ui::reads::read_sales`, `domain::sales::kpi_reads`: what was made in it, the open A-cards
//! and orders, those closed since its first day), not every record.
//!
//! A sales manager / GM sees the store's figures and a table with one row per consultant; a
//! consultant sees their own figures only. Each figure shows its value and numerator/denominator
//! and opens (click) the records it counted; a zero denominator shows "—" with the reason. Below,
//! one bar chart per KPI (plain inline SVG): the days of the month (by day) or the months of the
//! year (by month).

use domain::sales::chrono::{Datelike, NaiveDate};
use domain::sales::facts::facts_from_records;
use domain::sales::kpi::{Figure, Period, SalesKpi, SalesKpis, Scope, sales_kpis};
use leptos::prelude::*;
use serde_json::{Value, json};
use uuid::Uuid;

use super::is_sales_manager;
use crate::clock::{store_clock, today};
use crate::i18n::*;
use crate::session::use_session;
use crate::sync::use_sync;
use crate::ui::export::ExportButton;
use crate::ui::field::{Bind, DateField, DateKind, Select};
use crate::ui::kpi_drill::KpiDrill;
use crate::ui::labels::who;
use crate::ui::panel::Panel;
use crate::ui::reads::read_sales;
use crate::ui::table::{Column, Columns, DataTable};
use domain::sync::RecordState;

fn kpi_name(i18n: I18nContext<Locale>, k: SalesKpi) -> &'static str {
    match i18n.get_locale() {
        Locale::en => k.name_en(),
        Locale::zh_CN => k.name_zh(),
    }
}

words! {
    fn formula(k: SalesKpi) -> String {
        SalesKpi::CardBuildingRate => kpi.formula.card_building_rate,
        SalesKpi::ACardCloseRate => kpi.formula.a_card_close_rate,
        SalesKpi::TestDriveRate => kpi.formula.test_drive_rate,
        SalesKpi::ShowroomCloseRate => kpi.formula.showroom_close_rate,
        SalesKpi::SalesEfficiency => kpi.formula.sales_efficiency,
        SalesKpi::ACardLossRate => kpi.formula.a_card_loss_rate,
        SalesKpi::KeyAccountCoverage => kpi.formula.key_account_coverage,
    }
}

/// Why a figure has no value (its denominator is empty).
fn no_figure(i18n: I18nContext<Locale>, k: SalesKpi) -> String {
    let what = match k {
        SalesKpi::CardBuildingRate | SalesKpi::ShowroomCloseRate => {
            t_string!(i18n, kpi.zero.visits)
        }
        SalesKpi::ACardCloseRate | SalesKpi::TestDriveRate => t_string!(i18n, kpi.zero.cards),
        SalesKpi::SalesEfficiency => t_string!(i18n, kpi.zero.consultants),
        SalesKpi::ACardLossRate => t_string!(i18n, kpi.zero.held),
        SalesKpi::KeyAccountCoverage => t_string!(i18n, kpi.zero.key_accounts),
    };
    format!("{}({what})", t_string!(i18n, kpi.no_figure))
}

/// A figure's value as a number for the export (rounded as shown), null for no figure.
fn export_value(f: &Figure) -> Value {
    match f.value {
        None => Value::Null,
        Some(v) if f.kpi.is_percentage() => json!((v * 10.0).round() / 10.0),
        Some(v) => json!((v * 100.0).round() / 100.0),
    }
}

/// The period picker's state: by day or by month, and the chosen date / month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Day,
    Month,
}

/// What the drill-down shows: whose figure, which KPI.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Open {
    scope: Scope,
    kpi: SalesKpi,
}

/// `/sales/kpi`.
#[component]
pub fn KpiPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let session = use_session();
    let manager = Memo::new(move |_| is_sales_manager());
    let me = Memo::new(move |_| {
        session.session.with(|s| {
            s.as_ref()
                .and_then(|s| Uuid::parse_str(&s.user.id).ok())
                .unwrap_or(Uuid::nil())
        })
    });
    let kind = RwSignal::new(Kind::Month);
    let day = RwSignal::new(today());
    let period = Memo::new(move |_| match kind.get() {
        Kind::Day => Period::day(day.get()),
        Kind::Month => Period::month_of(day.get()),
    });
    // The reads, bounded by what the charts show (the chosen day's month, or its year): the
    // records of the sales figures of that span (`ui::reads::read_sales`: what was made in it,
    // the open A-cards and orders, those closed since its first day); key accounts are a type
    // held whole.
    let span = Memo::new(move |_| {
        let d = day.get();
        match kind.get() {
            Kind::Day => {
                let m = Period::month_of(d);
                (m.first_day(), m.last_day())
            }
            Kind::Month => {
                let first = NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap_or(d);
                let last = NaiveDate::from_ymd_opt(d.year(), 12, 31).unwrap_or(d);
                (first, last)
            }
        }
    });
    let records = read_sales(move || Some(span.get()));
    let facts = Memo::new(move |_| {
        let mut records: Vec<RecordState> = records.records.get();
        records.extend(sync.records("key_account"));
        let mut facts = facts_from_records(&records, store_clock());
        // The sales team: the store's consultants when the directory is known, else everyone
        // named as consultant in the records.
        let mut team: Vec<Uuid> = crate::directory::consultants()
            .iter()
            .filter_map(|p| Uuid::parse_str(&p.id).ok())
            .collect();
        if !team.is_empty() {
            team.dedup();
            facts.consultants = team;
        }
        facts
    });
    let scope = Memo::new(move |_| {
        if manager.get() {
            Scope::Store
        } else {
            Scope::Consultant(me.get())
        }
    });
    let open = RwSignal::new(None::<Open>);
    let kind_value = Bind::new(
        move || match kind.get() {
            Kind::Day => "day".to_string(),
            Kind::Month => "month".to_string(),
        },
        move |v: String| {
            kind.set(if v == "day" { Kind::Day } else { Kind::Month });
            open.set(None);
        },
    );
    let kind_options = Signal::derive(move || {
        vec![
            (
                "month".to_string(),
                t_string!(i18n, kpi.by_month).to_string(),
            ),
            ("day".to_string(), t_string!(i18n, kpi.by_day).to_string()),
        ]
    });
    // The chosen day as the picker shows it (`format`); a picked value, completed with `tail`
    // to a date, chooses the day.
    let picked = move |format: &'static str, tail: &'static str| {
        Bind::new(
            move || day.get().format(format).to_string(),
            move |v: String| {
                if let Ok(d) = NaiveDate::parse_from_str(&format!("{v}{tail}"), "%Y-%m-%d") {
                    day.set(d);
                    open.set(None);
                }
            },
        )
    };

    let main =
        Memo::new(move |_| facts.with(|f| sales_kpis(&f.facts(), period.get(), scope.get())));
    // Until the records are read from IndexedDB, say so rather than show 0 / 0.
    let read = Memo::new(move |_| records.loaded.get() && sync.has_read("key_account"));
    let rows = Memo::new(move |_| {
        if !manager.get() {
            return Vec::new();
        }
        facts.with(|f| {
            f.consultants
                .iter()
                .map(|c| sales_kpis(&f.facts(), period.get(), Scope::Consultant(*c)))
                .collect::<Vec<SalesKpis>>()
        })
    });

    // Names are looked up while rendering (event handlers have no context to look them in).
    let names = Memo::new(move |_| {
        facts.with(|f| {
            f.consultants
                .iter()
                .map(|c| (*c, who(&c.to_string())))
                .collect::<Vec<(Uuid, String)>>()
        })
    });
    let scope_name = move |s: Scope| match s {
        Scope::Store => t_string!(i18n, kpi.store).to_string(),
        Scope::Consultant(id) => names
            .with(|n| n.iter().find(|(c, _)| *c == id).map(|(_, n)| n.clone()))
            .unwrap_or_else(|| id.to_string()),
    };
    let period_text = move |p: Period| match p {
        Period::Day { date } => date.format("%Y-%m-%d").to_string(),
        Period::Month { year, month } => format!("{year}-{month:02}"),
    };

    // The consultants' table; the export has the store's row first, then the same columns.
    let mut columns = vec![
        Column::text(
            |i| t_string!(i, kpi.consultant),
            move |k: &SalesKpis| scope_name(k.scope),
        )
        .row_header()
        .export_heading(|i| t_string!(i, kpi.scope).to_string()),
    ];
    for kpi in SalesKpi::ALL {
        columns.push(Column::new(
            move |i| kpi_name(i, kpi).to_string(),
            move |k: &SalesKpis| {
                let f = k.get(kpi);
                let sc = k.scope;
                let title = if f.value.is_none() {
                    no_figure(i18n, kpi)
                } else {
                    formula(i18n, kpi)
                };
                view! {
                    <button
                        type="button"
                        class="kpi-cell"
                        title=title
                        on:click=move |_| open.set(Some(Open { scope: sc, kpi }))
                    >
                        <span class="kpi-value">{f.display()}</span>
                        " "
                        <span class="muted small">
                            {format!("{}/{}", f.numerator.len(), f.denominator.len())}
                        </span>
                    </button>
                }
                .into_any()
            },
            move |k: &SalesKpis| export_value(k.get(kpi)),
        ));
        columns.push(Column::export_only(
            move |i| format!("{} ({})", kpi_name(i, kpi), t_string!(i, kpi.n_over_d)),
            move |k: &SalesKpis| {
                let f = k.get(kpi);
                json!(format!("{}/{}", f.numerator.len(), f.denominator.len()))
            },
        ));
    }
    let columns = Columns::new(columns);
    let export = {
        let columns = columns.clone();
        Callback::new(move |()| {
            let mut all = vec![main.get_untracked()];
            all.extend(rows.get_untracked());
            let title = format!(
                "{} {}",
                t_string!(i18n, kpi.title),
                period_text(period.get_untracked())
            );
            columns.export(i18n, title, &all)
        })
    };

    view! {
        <Panel id="kpi-title" class="kpi-page" page=true title=move || t!(i18n, kpi.title) actions=move || view! {
            <ExportButton table=export />
        }>
            <div class="kpi-controls form">
                <Select id="kpi-kind" value=kind_value options=kind_options>
                    {t!(i18n, kpi.period)}
                </Select>
                {move || match kind.get() {
                    Kind::Month => view! {
                        <DateField id="kpi-month" kind=DateKind::Month value=picked("%Y-%m", "-01")>
                            {t!(i18n, kpi.month)}
                        </DateField>
                    }
                    .into_any(),
                    Kind::Day => view! {
                        <DateField id="kpi-day" value=picked("%Y-%m-%d", "")>
                            {t!(i18n, kpi.day)}
                        </DateField>
                    }
                    .into_any(),
                }}
            </div>
            <h2 class="kpi-scope">
                {move || {
                    if manager.get() {
                        t!(i18n, kpi.store).into_any()
                    } else {
                        let name = who(&me.get().to_string());
                        t!(i18n, kpi.mine, name = name).into_any()
                    }
                }}
                " · "
                {move || period_text(period.get())}
            </h2>
            {move || {
                if !read.get() {
                    return view! { <p class="muted" role="status">{t!(i18n, loading)}</p> }
                        .into_any();
                }
                let k = main.get();
                view! {
                    <ul class="kpi-cards">
                        {k
                            .figures()
                            .into_iter()
                            .map(|f| {
                                let f = f.clone();
                                let kpi = f.kpi;
                                let sc = k.scope;
                                let title = if f.value.is_none() { no_figure(i18n, kpi) } else { formula(i18n, kpi) };
                                let title2 = title.clone();
                                let selected = move || open.get() == Some(Open { scope: sc, kpi });
                                view! {
                                    <li>
                                        <button
                                            type="button"
                                            class="kpi-card"
                                            class:on=selected
                                            title=title.clone()
                                            aria-expanded=move || selected().to_string()
                                            on:click=move |_| {
                                                let o = Open { scope: sc, kpi };
                                                open.update(|x| *x = if *x == Some(o) { None } else { Some(o) });
                                            }
                                        >
                                            <span class="kpi-name">{kpi_name(i18n, kpi)}</span>
                                            <span class="kpi-value">{f.display()}</span>
                                            <span class="kpi-nd muted">
                                                {format!("{} / {}", f.numerator.len(), f.denominator.len())}
                                            </span>
                                            <span class="kpi-formula muted">{title2}</span>
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                .into_any()
            }}
            {move || open.get().filter(|o| o.scope == scope.get()).map(|o| view! { <DrillDown open=o figures=main.get() on_close=Callback::new(move |()| open.set(None)) /> })}
        </Panel>
        <Show when=move || manager.get()>
            <section class="panel" aria-labelledby="kpi-consultants">
                <h2 id="kpi-consultants">{t!(i18n, kpi.by_consultant)}</h2>
                <DataTable
                    columns=columns.clone()
                    rows=rows
                    class="kpi-table"
                    empty=|i| t_string!(i, kpi.no_consultants)
                />
                {move || {
                    let o = open.get()?;
                    let Scope::Consultant(c) = o.scope else { return None };
                    let k = rows.get().into_iter().find(|k| k.scope == Scope::Consultant(c))?;
                    Some(view! { <DrillDown open=o figures=k on_close=Callback::new(move |()| open.set(None)) /> })
                }}
            </section>
        </Show>
        <section class="panel" aria-labelledby="kpi-charts">
            <h2 id="kpi-charts">
                {move || match kind.get() {
                    Kind::Day => t_string!(i18n, kpi.chart_days).to_string(),
                    Kind::Month => t_string!(i18n, kpi.chart_months).to_string(),
                }}
            </h2>
            {move || {
                let chosen = period.get();
                let sc = scope.get();
                let periods: Vec<(Period, String)> = match kind.get() {
                    Kind::Day => {
                        let m = Period::month_of(day.get());
                        let mut out = Vec::new();
                        let mut d = m.first_day();
                        while d <= m.last_day() {
                            out.push((Period::day(d), d.day().to_string()));
                            let Some(next) = d.succ_opt() else { break };
                            d = next;
                        }
                        out
                    }
                    Kind::Month => {
                        let y = day.get().year();
                        (1..=12).filter_map(|m| Period::month(y, m).map(|p| (p, m.to_string()))).collect()
                    }
                };
                let series: Vec<SalesKpis> =
                    facts.with(|f| periods.iter().map(|(p, _)| sales_kpis(&f.facts(), *p, sc)).collect());
                view! {
                    <div class="kpi-charts">
                        {SalesKpi::ALL
                            .into_iter()
                            .map(|k| {
                                let points: Vec<(String, String, Option<f64>, bool)> = periods
                                    .iter()
                                    .zip(&series)
                                    .map(|((p, label), s)| {
                                        let f = s.get(k);
                                        let tip = format!(
                                            "{}: {} ({}/{})",
                                            period_text(*p),
                                            f.display(),
                                            f.numerator.len(),
                                            f.denominator.len()
                                        );
                                        (label.clone(), tip, f.value, *p == chosen)
                                    })
                                    .collect();
                                chart(kpi_name(i18n, k), k.is_percentage(), points)
                            })
                            .collect_view()}
                    </div>
                }
            }}
        </section>
    }
}

/// One KPI's bar chart: a bar per period (none for "no figure"), the chosen one highlighted.
fn chart(
    name: &'static str,
    percent: bool,
    points: Vec<(String, String, Option<f64>, bool)>,
) -> impl IntoView {
    const H: f64 = 60.0;
    const W: f64 = 10.0;
    let max = points
        .iter()
        .filter_map(|p| p.2)
        .fold(0.0_f64, f64::max)
        .max(if percent { 10.0 } else { 1.0 });
    let width = W * points.len() as f64;
    let every = if points.len() > 12 { 5 } else { 1 };
    let top = if percent {
        format!("{max:.0}%")
    } else {
        format!("{max:.2}")
    };
    view! {
        <figure class="kpi-chart">
            <figcaption>{name} <span class="muted small">" (max " {top} ")"</span></figcaption>
            <svg
                viewBox=format!("0 0 {width} {}", H + 12.0)
                preserveAspectRatio="none"
                role="img"
                aria-label=name
            >
                <line x1="0" y1=H x2=width y2=H class="axis" />
                {points
                    .into_iter()
                    .enumerate()
                    .map(|(i, (label, tip, value, on))| {
                        let x = i as f64 * W;
                        let h = value.map(|v| (v / max * H).clamp(0.0, H)).unwrap_or(0.0);
                        let show_label = i == 0 || (i + 1) % every == 0;
                        view! {
                            <g class=if on { "bar on" } else if value.is_none() { "bar none" } else { "bar" }>
                                <title>{tip}</title>
                                <rect x=x + 1.5 y=H - h.max(if value.is_some() { 0.5 } else { 0.0 }) width=W - 3.0 height=h.max(if value.is_some() { 0.5 } else { 0.0 }) />
                                <rect class="hit" x=x y="0" width=W height=H />
                                {show_label.then(|| view! { <text x=x + W / 2.0 y=H + 10.0 text-anchor="middle">{label}</text> })}
                            </g>
                        }
                    })
                    .collect_view()}
            </svg>
        </figure>
    }
}

/// The records a figure counted: numerator and denominator, by name, linking to each record.
#[component]
fn DrillDown(open: Open, figures: SalesKpis, on_close: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let f = figures.get(open.kpi).clone();
    let scope = match open.scope {
        Scope::Store => t_string!(i18n, kpi.store).to_string(),
        Scope::Consultant(id) => who(&id.to_string()),
    };
    let title = format!("{} · {} · {}", kpi_name(i18n, open.kpi), scope, f.display());
    let note = if f.value.is_none() {
        no_figure(i18n, open.kpi)
    } else {
        formula(i18n, open.kpi)
    };
    view! {
        <KpiDrill
            title=title
            note=note
            numerator=f.numerator.clone()
            denominator=f.denominator.clone()
            people=open.kpi == SalesKpi::SalesEfficiency
            on_close=on_close
        />
    }
}
