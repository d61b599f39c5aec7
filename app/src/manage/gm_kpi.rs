//! `/manage/kpi` 经营指标, the GM's page: every KPI that exists in one place — the seven sales
//! KPIs (`domain::sales::kpi`), the service KPIs (`domain::service::kpi`) and the care KPIs
//! (`domain::care::monthly`, as on 客服月报 `/care/report`) — for a month against
//! the month before, each figure opening the records it counts (`ui::kpi_drill`); the service
//! figures per advisor and per technician; the month's fixed operating costs (the GM enters them,
//! `store_costs`, for 吸收率); and the month exported as .xlsx. Counted on the device from the
//! synced records, so it works offline. Formulas and sources: docs/ui/kpi.md.
//!
//! Reads (docs/sync.md, "How a screen reads records"): repair orders, their lines and imported
//! past services made in the year before the month's end and the month before (`Query::Made`;
//! the customer figures look back a year); the sales figures' records of the two months
//! (`ui::reads::read_sales`: what was made in them, the open A-cards and orders, those closed
//! since the month before began); the customer base of the service figures
//! (`domain::service::customer_base`: every C-card's `by_day` key, and only the C-cards a visit
//! naming none may be matched to read whole); each month's care records as 客服月报 reads them
//! (`care::data::use_report_records`); the costs and settings, types held whole. The page says
//! 正在加载… until every reading has answered.

use domain::Role;
use domain::care::monthly::CareFigure;
use domain::parts::kpi::{
    PartLineFact, PartsFigure, PartsKpi, line_facts, parts_fill_rate, ro_fill_rate,
};
use domain::parts::orders::EmergencyOrder;
use domain::parts::stock::moves_of;
use domain::plan::{Plan, PlannedWrite};
use domain::records::costs::{STORE_COSTS, StoreCosts, store_costs_record_id};
use domain::records::service::{RepairOrder, RoLine, ServiceSettings};
use domain::sales::chrono::{Datelike, NaiveDate, TimeDelta};
use domain::sales::facts::facts_from_records;
use domain::sales::kpi::{Figure, SalesKpi, SalesKpis, Scope, sales_kpis};
use domain::service::customer_base::{customer_base, entry_day, vehicle_terms};
use domain::service::desk::{parse_yuan, yuan};
use domain::service::kpi::{
    CustomerFact, Period, ServiceFigure, ServiceKpi, ServiceKpis, ServiceScope, Unit, people,
    service_facts_from_records, service_kpis,
};
use domain::sync::RecordState;
use leptos::prelude::*;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::clock::{store_clock, today};
use crate::db::DbError;
use crate::i18n::*;
use crate::session::use_session;
use crate::sync::{Query, Reading, store, use_sync};
use crate::ui::edit::use_edit;
use crate::ui::export::{ExportButton, ExportTable};
use crate::ui::field::{Bind, DateField, DateKind, TextField};
use crate::ui::kpi_drill::KpiDrill;
use crate::ui::labels::who;
use crate::ui::panel::Panel;
use crate::ui::reads::read_sales;
use crate::ui::table::{Column, Columns, DataTable};

/// A care KPI's figure (C-cards counted; repair orders for the care appointment rate).
fn care_fig(i18n: I18nContext<Locale>, f: &CareFigure) -> Fig {
    let rate = f.counted.rate();
    let note = if rate.den == 0 {
        format!(
            "{}({})",
            t_string!(i18n, kpi.no_figure),
            crate::care::report::kpi_formula(i18n, f.kpi)
        )
    } else {
        crate::care::report::kpi_formula(i18n, f.kpi).to_string()
    };
    Fig {
        name: crate::care::report::kpi_name(i18n, f.kpi).to_string(),
        note,
        value: crate::care::report::percent(rate),
        nd: format!("{} / {}", rate.num, rate.den),
        numerator: f.counted.numerator.clone(),
        denominator: f.counted.denominator.clone(),
        people: false,
        export: crate::care::report::exported(rate),
    }
}

/// A service or parts KPI (the parts ones from `domain::parts::kpi`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kpi {
    Service(ServiceKpi),
    Parts(PartsKpi),
}

impl Kpi {
    fn name(self, i18n: I18nContext<Locale>) -> String {
        match (self, zh(i18n)) {
            (Kpi::Service(k), true) => k.name_zh().to_string(),
            (Kpi::Service(k), false) => k.name_en().to_string(),
            (Kpi::Parts(k), true) => k.label_zh().to_string(),
            (Kpi::Parts(k), false) => k.label_en().to_string(),
        }
    }
}

/// The KPIs of the per-advisor table.
const ADVISOR_KPIS: [Kpi; 7] = [
    Kpi::Service(ServiceKpi::AppointmentRate),
    Kpi::Service(ServiceKpi::FirstTimeFixRate),
    Kpi::Parts(PartsKpi::PartsFillRate),
    Kpi::Parts(PartsKpi::RoFillRate),
    Kpi::Service(ServiceKpi::PartsToLabourRatio),
    Kpi::Service(ServiceKpi::DeliveryTimeAccuracy),
    Kpi::Service(ServiceKpi::AdvisorLoad),
];

/// The KPIs of the per-technician table.
const TECHNICIAN_KPIS: [Kpi; 1] = [Kpi::Service(ServiceKpi::TechnicianEfficiency)];

/// One figure as the page shows it, from either area.
#[derive(Debug, Clone, PartialEq)]
struct Fig {
    name: String,
    /// The formula, or why there is no figure.
    note: String,
    value: String,
    nd: String,
    numerator: Vec<Uuid>,
    denominator: Vec<Uuid>,
    /// The denominator lists people (sales efficiency).
    people: bool,
    /// The value for the export (rounded as shown), null for no figure.
    export: Value,
}

fn zh(i18n: I18nContext<Locale>) -> bool {
    i18n.get_locale_untracked() == Locale::zh_CN
}

fn rounded(v: Option<f64>, percent: bool) -> Value {
    match v {
        None => Value::Null,
        Some(v) if percent => json!((v * 10.0).round() / 10.0),
        Some(v) => json!((v * 100.0).round() / 100.0),
    }
}

words! {
    fn sales_formula(k: SalesKpi) -> String {
        SalesKpi::CardBuildingRate => kpi.formula.card_building_rate,
        SalesKpi::ACardCloseRate => kpi.formula.a_card_close_rate,
        SalesKpi::TestDriveRate => kpi.formula.test_drive_rate,
        SalesKpi::ShowroomCloseRate => kpi.formula.showroom_close_rate,
        SalesKpi::SalesEfficiency => kpi.formula.sales_efficiency,
        SalesKpi::ACardLossRate => kpi.formula.a_card_loss_rate,
        SalesKpi::KeyAccountCoverage => kpi.formula.key_account_coverage,
    }
}

fn sales_fig(i18n: I18nContext<Locale>, f: &Figure) -> Fig {
    let k = f.kpi;
    let note = if f.value.is_none() {
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
    } else {
        sales_formula(i18n, k)
    };
    Fig {
        name: if zh(i18n) { k.name_zh() } else { k.name_en() }.to_string(),
        note,
        value: f.display(),
        nd: format!("{} / {}", f.numerator.len(), f.denominator.len()),
        numerator: f.numerator.clone(),
        denominator: f.denominator.clone(),
        people: k == SalesKpi::SalesEfficiency,
        export: rounded(f.value, k.is_percentage()),
    }
}

fn service_fig(i18n: I18nContext<Locale>, f: &ServiceFigure) -> Fig {
    let k = f.kpi;
    let note = match (f.reason, zh(i18n)) {
        (Some(r), true) => format!("{}({})", t_string!(i18n, kpi.no_figure), r.message_zh()),
        (Some(r), false) => format!("{} ({})", t_string!(i18n, kpi.no_figure), r.message_en()),
        (None, true) => k.formula_zh().to_string(),
        (None, false) => k.formula_en().to_string(),
    };
    let (n, d) = f.parts_display();
    Fig {
        name: if zh(i18n) { k.name_zh() } else { k.name_en() }.to_string(),
        note,
        value: f.display(),
        nd: format!("{n} / {d}"),
        numerator: f.numerator.clone(),
        denominator: f.denominator.clone(),
        people: false,
        export: rounded(f.value, k.unit() == Unit::Percent),
    }
}

words! {
    fn parts_formula(k: PartsKpi) -> String {
        PartsKpi::PartsFillRate => gm_kpi.formula.parts_fill_rate,
        PartsKpi::RoFillRate => gm_kpi.formula.ro_fill_rate,
    }
}

fn parts_fig(i18n: I18nContext<Locale>, f: &PartsFigure) -> Fig {
    let k = f.kpi;
    let note = match f.no_figure_reason(zh(i18n)) {
        Some(r) if zh(i18n) => format!("{}({r})", t_string!(i18n, kpi.no_figure)),
        Some(r) => format!("{} ({r})", t_string!(i18n, kpi.no_figure)),
        None => parts_formula(i18n, k),
    };
    Fig {
        name: Kpi::Parts(k).name(i18n),
        note,
        value: f.display(),
        nd: format!("{} / {}", f.numerator.len(), f.denominator.len()),
        numerator: f.numerator.clone(),
        denominator: f.denominator.clone(),
        people: false,
        export: rounded(f.value, true),
    }
}

/// A parts KPI's figure for a period and an advisor (`None`: the store).
fn parts_figure(
    facts: &[PartLineFact],
    kpi: PartsKpi,
    period: Period,
    advisor: Option<&str>,
) -> PartsFigure {
    match kpi {
        PartsKpi::PartsFillRate => parts_fill_rate(facts, period, advisor),
        PartsKpi::RoFillRate => ro_fill_rate(facts, period, advisor),
    }
}

/// A row of the store's table: the figure this month and last month.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    this: Fig,
    last: Fig,
}

/// A row of a per-person table.
#[derive(Debug, Clone, PartialEq)]
struct PersonRow {
    name: String,
    figs: Vec<Fig>,
}

/// What the drill-down shows.
#[derive(Debug, Clone, PartialEq)]
struct Opened {
    title: String,
    fig: Fig,
}

fn month_text(p: Period) -> String {
    let d = p.first_day();
    format!("{:04}-{:02}", d.year(), d.month())
}

fn day_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A figure's button: its value, opening its drill-down.
fn fig_button(fig: Fig, title: String, open: RwSignal<Option<Opened>>) -> AnyView {
    let note = fig.note.clone();
    let value = fig.value.clone();
    view! {
        <button
            type="button"
            class="kpi-cell"
            title=note
            on:click=move |_| open.set(Some(Opened { title: title.clone(), fig: fig.clone() }))
        >
            <span class="kpi-value">{value}</span>
        </button>
    }
    .into_any()
}

/// The customer base of the service figures (`domain::service::customer_base`): every C-card's
/// `by_day` entry, and the C-cards with one of `terms` (the vehicles of the visits naming no
/// C-card) read whole.
async fn customer_facts(terms: &[String]) -> Result<Vec<CustomerFact>, DbError> {
    let entries: Vec<(Uuid, Option<NaiveDate>)> = store::day_entries("c_card")
        .await?
        .into_iter()
        .map(|(id, day)| (id, entry_day(&day)))
        .collect();
    let cards = store::with_terms(terms).await?;
    Ok(customer_base(&cards, &entries, store_clock()))
}

/// `/manage/kpi`.
#[component]
pub fn GmKpiPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let session = use_session();
    let edit = use_edit();
    let is_gm = Memo::new(move |_| {
        session.session.with(|s| {
            s.as_ref()
                .is_some_and(|s| s.user.roles.contains(&Role::GeneralManager))
        })
    });
    let store_id = Memo::new(move |_| {
        session.session.with(|s| {
            s.as_ref()
                .map(|s| s.user.store_id.clone())
                .unwrap_or_default()
        })
    });
    let month = RwSignal::new(Period::month_of(today()));
    let last_month = Memo::new(move |_| {
        let first = month.get().first_day();
        Period::month_of(first.pred_opt().unwrap_or(first))
    });
    let open = RwSignal::new(None::<Opened>);

    // The reads, bounded by the month's end.
    let end = move || day_text(month.get().last_day());
    let year_before = move || {
        let first = last_month.get().first_day();
        day_text(first - TimeDelta::days(domain::service::kpi::YEAR_DAYS))
    };
    let read_made = move |record_type: &'static str| -> Reading {
        sync.read(move || {
            Some(Query::Made {
                record_type,
                from: year_before(),
                to: end(),
            })
        })
    };
    // The sales figures' records of the two months (`ui::reads::read_sales`: what was made in
    // them, the open A-cards and orders, those closed since the month before began).
    let sales = read_sales(move || Some((last_month.get().first_day(), month.get().last_day())));
    let ros = read_made("repair_order");
    let lines = read_made("ro_line");
    let past = read_made("service_history");
    // The customer base of the service figures (`domain::service::customer_base`): every
    // C-card's `by_day` entry (its id and delivery day, no record read) and, read whole, the
    // C-cards the year's visits naming no C-card may be matched to by VIN or plate.
    let customers = LocalResource::new(move || {
        crate::sync::cache::track("c_card");
        let terms = (ros.loaded.get() && past.loaded.get()).then(|| {
            let mut visits: Vec<RecordState> = ros.records.get();
            visits.extend(past.records.get());
            let refs: Vec<&RecordState> = visits.iter().collect();
            vehicle_terms(&service_facts_from_records(&refs, store_clock(), 0).facts())
        });
        async move {
            let terms = terms?;
            match customer_facts(&terms).await {
                Ok(c) => Some(c),
                Err(e) => {
                    leptos::logging::error!("forecourt: cannot read the customers: {e}");
                    Some(Vec::new())
                }
            }
        }
    });
    // The care figures of each month read as 客服月报 reads them (`care::data::use_report_records`).
    let care_this = crate::care::data::use_report_records(move || month.get().first_day());
    let care_last = crate::care::data::use_report_records(move || last_month.get().first_day());
    // Every reading answered: until then the page says 正在加载… (its figures may be partial).
    let loaded = Memo::new(move |_| {
        sales.loaded.get()
            && [ros, lines, past].iter().all(|r| r.loaded.get())
            && customers.with(|c| matches!(c, Some(Some(_))))
            // Each month's records read for that month (客服月报's rule: never one month's
            // figures counted from another's records while the new ones are read).
            && care_this.many.loaded.get()
            && care_last.many.loaded.get()
            && care_this.key.get() == Some(month.get().first_day())
            && care_last.key.get() == Some(last_month.get().first_day())
    });

    let sales_facts = Memo::new(move |_| {
        let mut records: Vec<RecordState> = sales.records.get();
        records.extend(sync.records("key_account"));
        let mut facts = facts_from_records(&records, store_clock());
        let mut team: Vec<Uuid> = crate::directory::consultants()
            .iter()
            .filter_map(|p| Uuid::parse_str(&p.id).ok())
            .collect();
        if !team.is_empty() {
            team.sort();
            team.dedup();
            facts.consultants = team;
        }
        facts
    });
    let costs = Memo::new(move |_| sync.records("store_costs"));
    let service_facts = Memo::new(move |_| {
        let rate = ServiceSettings::of(sync.records("service_settings").first()).hourly_rate_fen;
        let mut records: Vec<RecordState> = Vec::new();
        for r in [ros, lines, past] {
            records.extend(r.records.get());
        }
        records.extend(costs.get());
        let refs: Vec<&RecordState> = records.iter().collect();
        let mut facts = service_facts_from_records(&refs, store_clock(), rate);
        facts.customers = customers.with(|c| c.clone().flatten().unwrap_or_default());
        facts
    });

    // The parts KPIs' facts: the ROs and lines read above, the parts' stock moves and the
    // emergency orders (types held whole).
    let parts_facts = Memo::new(move |_| {
        let clock = store_clock();
        let ros: Vec<RepairOrder> = ros.records.with(|rs| {
            rs.iter()
                .filter(|r| !r.is_deleted())
                .map(|r| RepairOrder::of(r, clock))
                .collect()
        });
        let lines: Vec<RoLine> = lines.records.with(|rs| {
            rs.iter()
                .filter(|r| !r.is_deleted())
                .map(|r| RoLine::of(r, clock))
                .collect()
        });
        let moves: Vec<_> = sync
            .records("part")
            .iter()
            .filter(|p| !p.is_deleted())
            .map(|p| moves_of(p, clock))
            .collect();
        let orders: Vec<EmergencyOrder> = sync
            .records("parts_order")
            .iter()
            .filter(|r| !r.is_deleted())
            .map(|r| EmergencyOrder::of(r, clock))
            .collect();
        line_facts(&ros, &lines, &moves, &orders)
    });

    let sales_rows = Memo::new(move |_| {
        let (this, last) = sales_facts.with(|f| {
            (
                sales_kpis(&f.facts(), month.get(), Scope::Store),
                sales_kpis(&f.facts(), last_month.get(), Scope::Store),
            )
        });
        let pair = |k: &SalesKpis| -> Vec<Fig> {
            k.figures().iter().map(|f| sales_fig(i18n, f)).collect()
        };
        pair(&this)
            .into_iter()
            .zip(pair(&last))
            .map(|(this, last)| Row { this, last })
            .collect::<Vec<Row>>()
    });
    let service_rows = Memo::new(move |_| {
        let (this, last) = service_facts.with(|f| {
            (
                service_kpis(&f.facts(), month.get(), &ServiceScope::Store),
                service_kpis(&f.facts(), last_month.get(), &ServiceScope::Store),
            )
        });
        let mut rows: Vec<Row> = this
            .figures
            .iter()
            .zip(&last.figures)
            .map(|(a, b)| Row {
                this: service_fig(i18n, a),
                last: service_fig(i18n, b),
            })
            .collect();
        // 零件供应率 and 工单供应率 after 一次性修复率 (parts missing are why a job is not fixed first
        // time).
        let parts: Vec<Row> = parts_facts.with(|f| {
            [PartsKpi::PartsFillRate, PartsKpi::RoFillRate]
                .into_iter()
                .map(|k| Row {
                    this: parts_fig(i18n, &parts_figure(f, k, month.get(), None)),
                    last: parts_fig(i18n, &parts_figure(f, k, last_month.get(), None)),
                })
                .collect()
        });
        let at = rows.len().min(2);
        rows.splice(at..at, parts);
        rows
    });
    // The care KPIs (客服月报's): each month from its own reading, and the settings.
    let care_rows = Memo::new(move |_| {
        let settings = crate::care::data::settings(sync);
        let report = |read: crate::ui::reads::Keyed<NaiveDate>, first: NaiveDate| {
            let of = |t: &str| crate::care::data::counted_of(read.many, t);
            let (cards, ros, imported, tasks) = (
                of("c_card"),
                of("repair_order"),
                of("service_history"),
                of("care_task"),
            );
            // `None` while the records are another month's (the page says 正在加载… then).
            crate::care::report::report_from_read(
                &crate::care::report::ReportRecords {
                    cards: &cards,
                    repair_orders: &ros,
                    imported: &imported,
                    tasks: &tasks,
                    settings: &settings,
                },
                &[],
                read.key.get()?,
                first,
            )
        };
        let (Some(this), Some(last)) = (
            report(care_this, month.get().first_day()),
            report(care_last, last_month.get().first_day()),
        ) else {
            return Vec::new();
        };
        this.figures
            .iter()
            .zip(&last.figures)
            .map(|(a, b)| Row {
                this: care_fig(i18n, a),
                last: care_fig(i18n, b),
            })
            .collect::<Vec<Row>>()
    });
    let person_rows = move |technicians: bool| {
        Memo::new(move |_| {
            service_facts.with(|f| {
                let facts = f.facts();
                let (advisors, techs) = people(&facts);
                let (list, kpis): (Vec<String>, &[Kpi]) = if technicians {
                    (techs, &TECHNICIAN_KPIS)
                } else {
                    (advisors, &ADVISOR_KPIS)
                };
                list.into_iter()
                    .filter_map(|p| {
                        let scope = if technicians {
                            ServiceScope::Technician(p.clone())
                        } else {
                            ServiceScope::Advisor(p.clone())
                        };
                        let k: ServiceKpis = service_kpis(&facts, month.get(), &scope);
                        let figs: Vec<Fig> = kpis
                            .iter()
                            .filter_map(|kpi| match kpi {
                                Kpi::Service(s) => k.get(*s).map(|x| service_fig(i18n, x)),
                                Kpi::Parts(pk) => Some(parts_fig(
                                    i18n,
                                    &parts_facts.with(|f| {
                                        parts_figure(f, *pk, month.get(), Some(p.as_str()))
                                    }),
                                )),
                            })
                            .collect();
                        // Only the people with something counted this month.
                        let any = figs.iter().any(|x| x.export != Value::Null);
                        any.then(|| PersonRow {
                            name: who(&p),
                            figs,
                        })
                    })
                    .collect::<Vec<PersonRow>>()
            })
        })
    };
    let advisor_rows = person_rows(false);
    let technician_rows = person_rows(true);

    // The store's tables: KPI, this month (value, n / d), last month (value, n / d).
    let month_title =
        move |p: Period| format!("{} {}", t_string!(i18n, gm_kpi.title), month_text(p));
    let store_columns = Columns::new(vec![
        Column::text(|i| t_string!(i, gm_kpi.kpi), |r: &Row| r.this.name.clone())
            .row_header()
            .export_heading(|i| t_string!(i, gm_kpi.kpi).to_string()),
        Column::new(
            |i| t_string!(i, gm_kpi.this_month),
            move |r: &Row| {
                let title = format!(
                    "{} · {} · {}",
                    r.this.name,
                    month_text(month.get_untracked()),
                    r.this.value
                );
                fig_button(r.this.clone(), title, open)
            },
            |r: &Row| r.this.export.clone(),
        )
        .class("gm-kpi-this"),
        Column::text(
            |i| t_string!(i, gm_kpi.n_over_d),
            |r: &Row| r.this.nd.clone(),
        ),
        Column::new(
            |i| t_string!(i, gm_kpi.last_month),
            move |r: &Row| {
                let title = format!(
                    "{} · {} · {}",
                    r.last.name,
                    month_text(last_month.get_untracked()),
                    r.last.value
                );
                fig_button(r.last.clone(), title, open)
            },
            |r: &Row| r.last.export.clone(),
        )
        .class("gm-kpi-last"),
        Column::text(
            |i| t_string!(i, gm_kpi.n_over_d),
            |r: &Row| r.last.nd.clone(),
        ),
    ]);
    let person_columns = |technicians: bool| {
        let mut columns = vec![
            Column::text(
                move |i| {
                    if technicians {
                        t_string!(i, gm_kpi.technician)
                    } else {
                        t_string!(i, gm_kpi.advisor)
                    }
                },
                |r: &PersonRow| r.name.clone(),
            )
            .row_header(),
        ];
        let kpis: &[Kpi] = if technicians {
            &TECHNICIAN_KPIS
        } else {
            &ADVISOR_KPIS
        };
        for (n, kpi) in kpis.iter().copied().enumerate() {
            columns.push(Column::new(
                move |i| kpi.name(i),
                move |r: &PersonRow| match r.figs.get(n) {
                    Some(f) => {
                        let title = format!(
                            "{} · {} · {} · {}",
                            f.name,
                            r.name,
                            month_text(month.get_untracked()),
                            f.value
                        );
                        view! {
                            <span>
                                {fig_button(f.clone(), title, open)}
                                " "
                                <span class="muted small">{f.nd.clone()}</span>
                            </span>
                        }
                        .into_any()
                    }
                    None => ().into_any(),
                },
                move |r: &PersonRow| r.figs.get(n).map(|f| f.export.clone()).unwrap_or_default(),
            ));
        }
        Columns::new(columns)
    };
    let advisor_columns = person_columns(false);
    let technician_columns = person_columns(true);

    // The month as one sheet: the store's figures (sales, then service) against last month,
    // then each advisor's and technician's.
    let export = Callback::new(move |()| {
        let p = month.get_untracked();
        let mut rows: Vec<Vec<Value>> = Vec::new();
        let store = t_string!(i18n, gm_kpi.store).to_string();
        for r in sales_rows
            .get_untracked()
            .into_iter()
            .chain(service_rows.get_untracked())
            .chain(care_rows.get_untracked())
        {
            rows.push(vec![
                json!(store),
                json!(r.this.name),
                r.this.export,
                json!(r.this.nd),
                r.last.export,
                json!(r.last.nd),
            ]);
        }
        for r in advisor_rows
            .get_untracked()
            .into_iter()
            .chain(technician_rows.get_untracked())
        {
            for f in r.figs {
                rows.push(vec![
                    json!(r.name),
                    json!(f.name),
                    f.export,
                    json!(f.nd),
                    Value::Null,
                    Value::Null,
                ]);
            }
        }
        let this = month_text(p);
        let last = month_text(last_month.get_untracked());
        let nd = t_string!(i18n, gm_kpi.n_over_d).to_string();
        ExportTable {
            title: month_title(p),
            columns: vec![
                t_string!(i18n, gm_kpi.scope).to_string(),
                t_string!(i18n, gm_kpi.kpi).to_string(),
                this.clone(),
                format!("{this} {nd}"),
                last.clone(),
                format!("{last} {nd}"),
            ],
            rows,
        }
    });

    // The month picker.
    let picked = Bind::new(
        move || month_text(month.get()),
        move |v: String| {
            if let Ok(d) = NaiveDate::parse_from_str(&format!("{v}-01"), "%Y-%m-%d") {
                month.set(Period::month_of(d));
                open.set(None);
            }
        },
    );

    // The month's costs (the GM's).
    let entered = Memo::new(move |_| {
        let p = month.get();
        let (y, m) = (p.first_day().year(), p.first_day().month());
        let id = store_costs_record_id(&store_id.get(), y, m);
        costs.with(|c| c.iter().find(|r| r.id == id).and_then(StoreCosts::of))
    });
    let fixed = RwSignal::new(String::new());
    let parts_cost = RwSignal::new(String::new());
    Effect::new(move || {
        let e = entered.get();
        let shown = |f: Option<i64>| f.map(|f| format!("{:.2}", f as f64 / 100.0));
        fixed.set(shown(e.as_ref().and_then(|c| c.fixed_costs_fen)).unwrap_or_default());
        parts_cost.set(shown(e.as_ref().and_then(|c| c.parts_cost_fen)).unwrap_or_default());
    });
    let bad = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(fixed_fen) = parse_yuan(&fixed.get_untracked()).filter(|f| *f > 0) else {
            bad.set(Some(t_string!(i18n, gm_kpi.bad_amount).to_string()));
            return;
        };
        let parts = parts_cost.get_untracked();
        let parts_fen = if parts.trim().is_empty() {
            None
        } else {
            match parse_yuan(&parts) {
                Some(f) => Some(f),
                None => {
                    bad.set(Some(t_string!(i18n, gm_kpi.bad_amount).to_string()));
                    return;
                }
            }
        };
        bad.set(None);
        let p = month.get_untracked();
        let (y, m) = (p.first_day().year(), p.first_day().month());
        let id = store_costs_record_id(&store_id.get_untracked(), y, m);
        let mut write = PlannedWrite::new(id, &STORE_COSTS)
            .set("month", month_text(p))
            .set("fixed_costs_fen", fixed_fen);
        if let Some(f) = parts_fen {
            write = write.set("parts_cost_fen", f);
        }
        let plan = Plan::new().then(write);
        edit.run(async move { sync.execute(&plan).await }, |_| ());
    };

    let store_table = move |rows: Memo<Vec<Row>>, class: &'static str| {
        view! { <DataTable columns=store_columns.clone() rows=rows class=class /> }
    };
    view! {
        <Panel id="gm-kpi-title" class="kpi-page gm-kpi" page=true title=move || t!(i18n, gm_kpi.title) actions=move || view! {
            <ExportButton table=export />
        }>
            <div class="kpi-controls form">
                <DateField id="gm-kpi-month" kind=DateKind::Month value=picked>
                    {t!(i18n, gm_kpi.month)}
                </DateField>
            </div>
            <h2 class="kpi-scope">
                {t!(i18n, gm_kpi.store)} " · " {move || month_text(month.get())} " · "
                {t!(i18n, gm_kpi.against)} " " {move || month_text(last_month.get())}
            </h2>
            <Show when=move || !loaded.get()>
                <p class="muted" role="status">{t_string!(i18n, loading)}</p>
            </Show>
            <h3 id="gm-kpi-sales">{t!(i18n, gm_kpi.sales)}</h3>
            {store_table(sales_rows, "kpi-table gm-kpi-sales")}
            <h3 id="gm-kpi-service">{t!(i18n, gm_kpi.service)}</h3>
            {store_table(service_rows, "kpi-table gm-kpi-service")}
            <p class="muted small">{t!(i18n, gm_kpi.parts_note)}</p>
            <h3 id="gm-kpi-care">{t!(i18n, care_report.gm_section)}</h3>
            {store_table(care_rows, "kpi-table gm-kpi-care")}
            {move || open.get().map(|o| view! {
                <KpiDrill
                    title=o.title.clone()
                    note=o.fig.note.clone()
                    numerator=o.fig.numerator.clone()
                    denominator=o.fig.denominator.clone()
                    people=o.fig.people
                    on_close=Callback::new(move |()| open.set(None))
                />
            })}
        </Panel>
        <Show when=move || is_gm.get()>
            <Panel id="gm-kpi-costs" title=move || t!(i18n, gm_kpi.costs)>
                <p class="muted">
                    {move || match entered.get().and_then(|c| c.fixed_costs_fen) {
                        Some(f) => format!("{}: {}", t_string!(i18n, gm_kpi.fixed_now), yuan(f)),
                        None => t_string!(i18n, gm_kpi.costs_none).to_string(),
                    }}
                </p>
                <form class="form gm-kpi-costs" on:submit=save novalidate>
                    <TextField id="gm-kpi-fixed" value=fixed inputmode="decimal">{t!(i18n, gm_kpi.fixed_costs)}</TextField>
                    <TextField id="gm-kpi-parts-cost" value=parts_cost inputmode="decimal">{t!(i18n, gm_kpi.parts_cost)}</TextField>
                    {move || bad.get().or_else(|| edit.error.get()).map(|e| view! { <p class="error" role="alert">{e}</p> })}
                    <button type="submit" class="btn btn-primary" disabled=move || edit.busy.get()>{t!(i18n, gm_kpi.save_costs)}</button>
                </form>
            </Panel>
        </Show>
        <section class="panel" aria-labelledby="gm-kpi-advisors">
            <h2 id="gm-kpi-advisors">{t!(i18n, gm_kpi.by_advisor)}</h2>
            <DataTable
                columns=advisor_columns
                rows=advisor_rows
                class="kpi-table gm-kpi-advisors"
                empty=|i| t_string!(i, gm_kpi.no_people)
            />
        </section>
        <section class="panel" aria-labelledby="gm-kpi-technicians">
            <h2 id="gm-kpi-technicians">{t!(i18n, gm_kpi.by_technician)}</h2>
            <DataTable
                columns=technician_columns
                rows=technician_rows
                class="kpi-table gm-kpi-technicians"
                empty=|i| t_string!(i, gm_kpi.no_people)
            />
        </section>
    }
}
