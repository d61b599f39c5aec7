//! The demo store's monthly costs (`store_costs`): what the GM entered for each month of the
//! history before the current one, so the GM's page 经营指标 shows an absorption rate (吸收率)
//! for last month, and this month is left for the GM to enter.
//!
//! The figures follow the demo workshop (read back from the service history as stored): the
//! parts' cost is 70 % of the parts sold on the ROs handed over that month (a usual dealer parts
//! margin), and the fixed operating costs are set so the month's absorption lands between 55 %
//! and 80 %, as for a store whose service does not yet carry its fixed costs. Written by the GM's
//! laptop on the 2nd of the following month (or just before now), one op per month.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use domain::records::costs::{STORE_COSTS, store_costs_record_id};
use domain::service::kpi::{Period, service_facts_from_records, service_gross_profit};
use domain::sync::RecordState;
use domain::time::StoreClock;
use serde_json::json;

use crate::demo::DEMO_STORE_ID;
use crate::demo_sales::{Gen, HISTORY_DAYS, HistorySummary, Rng, push_history, register_devices};
use crate::demo_service::HOURLY_RATE_FEN;
use crate::error::Error;
use crate::store::{Reader, Store};

/// The generator's seed (its own, so the other histories stay what they were).
pub const SEED: u64 = 0x5EED_C057_5000_0001;
/// The GM's device for the costs.
pub const GM: (&str, &str) = ("gm", "总经理的笔记本");
/// The parts' cost as a share of the parts sold (percent).
pub const PARTS_COST_PERCENT: i64 = 70;

fn internal(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("demo costs: {e}"))
}

async fn service_records(store: &dyn Store) -> Result<Vec<RecordState>, Error> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .snapshot(
                DEMO_STORE_ID.to_owned(),
                after,
                1000,
                Reader::types(vec!["repair_order".into(), "ro_line".into()]),
            )
            .await?;
        for r in page.records {
            out.push(serde_json::from_str::<RecordState>(r.get()).map_err(internal)?);
        }
        match page.next {
            Some(n) => after = Some(n),
            None => return Ok(out),
        }
    }
}

/// Pushes the GM's costs of every month of the history before the current one (call it after
/// the service history).
pub async fn seed_store_costs(
    store: &dyn Store,
    now: DateTime<Utc>,
) -> Result<HistorySummary, Error> {
    let clock = StoreClock::default();
    let records = service_records(store).await?;
    let refs: Vec<&RecordState> = records.iter().collect();
    let facts = service_facts_from_records(&refs, clock, HOURLY_RATE_FEN);
    let users = store.users_in_store(DEMO_STORE_ID.to_owned()).await?;
    let mut rng = Rng(SEED);
    let local_now = clock.local(now);
    let start = local_now.date() - Duration::days(HISTORY_DAYS);
    let actors = register_devices(store, &mut rng, &users, start, now, &[GM]).await?;
    let gm = actors.first().ok_or_else(|| internal("no GM device"))?;
    let mut g = Gen {
        rng,
        now: local_now,
        ops: Vec::new(),
        states: Default::default(),
        counts: Default::default(),
    };
    let this_month = Period::month_of(local_now.date());
    let mut month = Period::month_of(start);
    while month.first_day() < this_month.first_day() {
        let (year, m) = (month.first_day().year(), month.first_day().month());
        let f = facts.facts();
        // Without costs in the facts, the gross profit is the labour sold.
        let (labour, ros) = service_gross_profit(&f, month);
        let parts_sold: i64 = f
            .lines
            .iter()
            .filter(|l| {
                !l.declined
                    && l.kind == domain::service::repair_order::LineKind::Part
                    && ros.contains(&l.ro_id)
            })
            .filter_map(|l| l.amount_fen)
            .sum();
        let parts_cost = parts_sold * PARTS_COST_PERCENT / 100;
        // The gross profit with that cost, over an absorption of 55–80 %, rounded to ¥100.
        let gross = labour + parts_sold - parts_cost;
        let absorption = g.rng.range(55, 80).max(1);
        let fixed = ((gross * 100 / absorption) / 10_000).max(1) * 10_000;

        let id = g.create_as(&STORE_COSTS, store_costs_record_id(DEMO_STORE_ID, year, m));
        let next_month = month.last_day() + Duration::days(2);
        let at = next_month
            .and_hms_opt(10, 0, 0)
            .unwrap_or_default()
            .min(local_now - Duration::minutes(5));
        g.op(gm, &STORE_COSTS, id, at, |e, _| {
            Ok(vec![
                e.set("month", json!(format!("{year:04}-{m:02}")))?,
                e.set("fixed_costs_fen", json!(fixed))?,
                e.set("parts_cost_fen", json!(parts_cost))?,
            ])
        })?;
        let Some(next) = NaiveDate::from_ymd_opt(year, m, 1)
            .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
        else {
            break;
        };
        month = Period::month_of(next);
    }
    let total = push_history(store, &users, std::mem::take(&mut g.ops), now).await?;
    let mut records: Vec<(&'static str, usize)> = g.counts.into_iter().collect();
    records.sort();
    Ok(HistorySummary {
        ops: total,
        records,
    })
}
