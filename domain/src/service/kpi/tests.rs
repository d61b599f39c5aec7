use super::*;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).expect("a date")
}

fn t(m: u32, day: u32, h: u32, min: u32) -> NaiveDateTime {
    d(m, day).and_hms_opt(h, min, 0).expect("a time")
}

fn nov() -> Period {
    Period::month(2026, 11).expect("a month")
}

fn ro(n: u128, advisor: &str, received: NaiveDate) -> RoFact {
    RoFact {
        id: id(n),
        advisor: Some(advisor.into()),
        c_card_id: None,
        vin: Some(format!("VIN{n}")),
        plate: None,
        by_appointment: false,
        received_on: Some(received),
        promised_at: None,
        handed_over_at: None,
        cancelled: false,
        comeback: false,
        customer_paid: true,
    }
}

fn line(n: u128, ro: u128, kind: LineKind, amount: i64) -> LineFact {
    LineFact {
        id: id(n),
        ro_id: id(ro),
        kind,
        amount_fen: Some(amount),
        declined: false,
        technician: None,
        sold_centihours: None,
        clocked_minutes: 0,
        done_on: None,
    }
}

fn facts<'a>(ros: &'a [RoFact], lines: &'a [LineFact]) -> ServiceFacts<'a> {
    ServiceFacts {
        ros,
        lines,
        ..ServiceFacts::default()
    }
}

#[test]
fn zero_denominators_give_no_figure_with_a_reason() {
    let k = service_kpis(&ServiceFacts::default(), nov(), &ServiceScope::Store);
    assert_eq!(k.figures.len(), ServiceKpi::ALL.len());
    for f in &k.figures {
        assert_eq!(f.value, None, "{:?}", f.kpi);
        assert!(f.reason.is_some(), "{:?}", f.kpi);
        assert_eq!(f.display(), "—");
    }
    assert_eq!(
        k.get(ServiceKpi::AbsorptionRate).and_then(|f| f.reason),
        Some(NoFigure::NoFixedCosts)
    );
    let a = service_kpi(
        &ServiceFacts::default(),
        nov(),
        &ServiceScope::Advisor("a".into()),
        ServiceKpi::FixedCustomerRate,
    );
    assert_eq!(a.reason, Some(NoFigure::StoreOnly));
}

#[test]
fn appointment_rate_counts_vehicles_in_of_the_period_and_scope() {
    let mut a = ro(1, "li", d(11, 1));
    a.by_appointment = true;
    let b = ro(2, "li", d(11, 30));
    let mut c = ro(3, "wang", d(11, 15));
    c.by_appointment = true;
    c.cancelled = true; // came in, still a vehicle in
    let outside = ro(4, "li", d(12, 1));
    let ros = [a, b, c, outside];
    let f = appointment_rate(&facts(&ros, &[]), nov(), &ServiceScope::Store);
    assert_eq!((f.num, f.den), (2, 3));
    assert_eq!(f.numerator, vec![id(1), id(3)]);
    assert_eq!(f.display(), "66.7%");
    let li = appointment_rate(
        &facts(&ros, &[]),
        nov(),
        &ServiceScope::Advisor("li".into()),
    );
    assert_eq!((li.num, li.den), (1, 2));
    let day = appointment_rate(
        &facts(&ros, &[]),
        Period::day(d(11, 30)),
        &ServiceScope::Store,
    );
    assert_eq!((day.num, day.den), (0, 1));
    assert_eq!(day.value, Some(0.0));
}

#[test]
fn first_time_fix_leaves_cancelled_out_and_counts_comebacks() {
    let mut back = ro(2, "li", d(11, 10));
    back.comeback = true;
    let mut cancelled = ro(3, "li", d(11, 11));
    cancelled.cancelled = true;
    let ros = [
        ro(1, "li", d(11, 2)),
        back,
        cancelled,
        ro(4, "li", d(11, 12)),
    ];
    let f = first_time_fix_rate(&facts(&ros, &[]), nov(), &ServiceScope::Store);
    assert_eq!((f.num, f.den), (2, 3));
    assert_eq!(f.denominator, vec![id(1), id(2), id(4)]);
    assert!(!f.numerator.contains(&id(2)));
    // Only comebacks: 0 %, a figure.
    let only = [ros[1].clone()];
    let g = first_time_fix_rate(&facts(&only, &[]), nov(), &ServiceScope::Store);
    assert_eq!(g.value, Some(0.0));
}

#[test]
fn parts_to_labour_is_over_customer_paid_handed_over_ros() {
    let mut a = ro(1, "li", d(11, 2));
    a.handed_over_at = Some(t(11, 2, 17, 0));
    let mut warranty = ro(2, "li", d(11, 3));
    warranty.handed_over_at = Some(t(11, 3, 17, 0));
    warranty.customer_paid = false;
    let open = ro(3, "li", d(11, 4)); // not handed over
    let ros = [a, warranty, open];
    let mut declined = line(13, 1, LineKind::Part, 99_999);
    declined.declined = true;
    let lines = [
        line(11, 1, LineKind::Labour, 40_000),
        line(12, 1, LineKind::Part, 50_000),
        declined,
        line(21, 2, LineKind::Labour, 10_000),
        line(22, 2, LineKind::Part, 80_000),
        line(31, 3, LineKind::Part, 5_000),
    ];
    let f = parts_to_labour_ratio(&facts(&ros, &lines), nov(), &ServiceScope::Store);
    assert_eq!((f.num, f.den), (50_000, 40_000));
    assert_eq!(f.display(), "1.25");
    assert_eq!(f.numerator, vec![id(12)]);
    assert_eq!(f.denominator, vec![id(11)]);
    assert_eq!(f.parts_display(), ("¥500.00".into(), "¥400.00".into()));
    // Parts only: no labour, no figure.
    let parts_only = [line(12, 1, LineKind::Part, 50_000)];
    let g = parts_to_labour_ratio(&facts(&ros, &parts_only), nov(), &ServiceScope::Store);
    assert_eq!(g.reason, Some(NoFigure::NoLabourSales));
}

#[test]
fn absorption_divides_gross_profit_by_the_months_fixed_costs() {
    let mut a = ro(1, "li", d(11, 2));
    a.handed_over_at = Some(t(11, 30, 23, 59));
    let mut late = ro(2, "li", d(11, 29));
    late.handed_over_at = Some(t(12, 1, 0, 0)); // December's
    let ros = [a, late];
    let lines = [
        line(11, 1, LineKind::Labour, 300_000),
        line(12, 1, LineKind::Part, 200_000),
        line(21, 2, LineKind::Labour, 700_000),
    ];
    let mut costs = vec![CostFact {
        id: id(99),
        year: 2026,
        month: 11,
        fixed_costs_fen: Some(1_000_000),
        parts_cost_fen: None,
    }];
    let f = |costs: &[CostFact]| {
        absorption_rate(
            &ServiceFacts {
                ros: &ros,
                lines: &lines,
                costs,
                ..ServiceFacts::default()
            },
            nov(),
        )
    };
    // Without a parts cost only labour counts: 3,000 ÷ 10,000.
    let g = f(&costs);
    assert_eq!((g.num, g.den), (300_000, 1_000_000));
    assert_eq!(g.display(), "30.0%");
    assert_eq!(g.numerator, vec![id(1)]);
    assert_eq!(g.denominator, vec![id(99)]);
    // With the parts' cost, their margin counts: 3,000 + 2,000 − 1,500.
    costs[0].parts_cost_fen = Some(150_000);
    assert_eq!(f(&costs).num, 350_000);
    // No costs entered, or 0: no figure, and why.
    costs[0].fixed_costs_fen = Some(0);
    assert_eq!(f(&costs).reason, Some(NoFigure::NoFixedCosts));
    assert_eq!(f(&[]).reason, Some(NoFigure::NoFixedCosts));
    // Another month's costs are not November's.
    costs[0].fixed_costs_fen = Some(1);
    costs[0].month = 10;
    assert_eq!(f(&costs).value, None);
}

#[test]
fn delivery_time_accuracy_at_the_promised_minute_is_on_time() {
    let mut exact = ro(1, "li", d(11, 2));
    exact.promised_at = Some(t(11, 2, 17, 0));
    exact.handed_over_at = Some(t(11, 2, 17, 0));
    let mut late = ro(2, "li", d(11, 2));
    late.promised_at = Some(t(11, 2, 17, 0));
    late.handed_over_at = Some(t(11, 2, 17, 1));
    let mut unpromised = ro(3, "li", d(11, 2));
    unpromised.handed_over_at = Some(t(11, 2, 12, 0));
    let ros = [exact, late, unpromised, ro(4, "li", d(11, 2))];
    let f = delivery_time_accuracy(&facts(&ros, &[]), nov(), &ServiceScope::Store);
    assert_eq!((f.num, f.den), (1, 3));
    assert_eq!(f.numerator, vec![id(1)]);
}

#[test]
fn paid_service_retention_is_paid_visits_over_four_times_cars_sold() {
    let customers: Vec<CustomerFact> = (0..5)
        .map(|n| CustomerFact {
            id: id(100 + n),
            vin: None,
            plate: None,
            delivered_on: Some(if n == 4 { d(12, 5) } else { d(1, 5) }),
        })
        .collect();
    let mut cancelled = ro(2, "li", d(11, 3));
    cancelled.cancelled = true;
    let ros = [ro(1, "li", d(11, 2)), cancelled, ro(3, "li", d(11, 4))];
    let lines = [
        line(11, 1, LineKind::Labour, 10_000),
        line(21, 2, LineKind::Labour, 10_000),
        line(31, 3, LineKind::Labour, 0), // free check: not paid
    ];
    let past = [
        PastService {
            id: id(50),
            c_card_id: None,
            vehicle_vin: Some("X".into()),
            plate: None,
            date: d(11, 20),
            odometer_km: Some(5_000),
            kind: PastServiceKind::Maintenance,
            amount_fen: Some(68_000),
            advisor: None,
        },
        PastService {
            id: id(51),
            c_card_id: None,
            vehicle_vin: Some("X".into()),
            plate: None,
            date: d(11, 21),
            odometer_km: None,
            kind: PastServiceKind::Warranty,
            amount_fen: Some(68_000),
            advisor: None,
        },
    ];
    let f = paid_service_retention(
        &ServiceFacts {
            ros: &ros,
            lines: &lines,
            past: &past,
            customers: &customers,
            costs: &[],
        },
        nov(),
    );
    // Paid: RO 1 and past service 50; cars sold by 30 Nov: 4 → 2 ÷ 16.
    assert_eq!((f.num, f.den), (2, 16));
    assert_eq!(f.numerator, vec![id(1), id(50)]);
    assert_eq!(f.denominator.len(), 4);
    assert_eq!(f.display(), "12.5%");
    let none = paid_service_retention(&facts(&ros, &lines), nov());
    assert_eq!(none.reason, Some(NoFigure::NoCarsSold));
}

#[test]
fn customers_are_cards_or_vehicles_and_visits_count_within_a_year() {
    let card = |n: u128, vin: &str| CustomerFact {
        id: id(n),
        vin: Some(vin.into()),
        plate: None,
        delivered_on: Some(d(1, 1)),
    };
    // Card 100: two visits within the year (one names the card, one only its VIN, in lower
    // case with a blank). Card 101: one visit. Card 102: a visit 366 days before 30 Nov only.
    // A vehicle without a card (VIN "STRANGER"): one visit.
    let customers = [
        card(100, "AAA111"),
        card(101, "BBB222"),
        card(102, "CCC333"),
    ];
    let mut r1 = ro(1, "li", d(11, 2));
    r1.c_card_id = Some(id(100));
    let mut r2 = ro(2, "li", d(3, 2));
    r2.vin = Some("aaa 111".into());
    let mut r3 = ro(3, "li", d(6, 2));
    r3.vin = Some("BBB222".into());
    let mut r5 = ro(5, "li", d(11, 5));
    r5.vin = Some("STRANGER".into());
    let mut cancelled = ro(6, "li", d(11, 6));
    cancelled.vin = Some("BBB222".into());
    cancelled.cancelled = true;
    let ros = [r1, r2, r3, r5, cancelled];
    let past = [PastService {
        id: id(60),
        c_card_id: None,
        vehicle_vin: Some("CCC333".into()),
        plate: None,
        date: NaiveDate::from_ymd_opt(2025, 11, 29).expect("a date"),
        odometer_km: None,
        kind: PastServiceKind::Maintenance,
        amount_fen: None,
        advisor: None,
    }];
    let f = ServiceFacts {
        ros: &ros,
        past: &past,
        customers: &customers,
        ..ServiceFacts::default()
    };
    let active = service_kpi(
        &f,
        nov(),
        &ServiceScope::Store,
        ServiceKpi::ActiveCustomerRate,
    );
    assert_eq!((active.num, active.den), (3, 4));
    assert_eq!(active.numerator, vec![id(5), id(100), id(101)]);
    let fixed = service_kpi(
        &f,
        nov(),
        &ServiceScope::Store,
        ServiceKpi::FixedCustomerRate,
    );
    assert_eq!((fixed.num, fixed.den), (1, 3));
    assert_eq!(fixed.numerator, vec![id(100)]);
    // The year ends on the period's last day: on 29 Nov 2025 card 102 was active.
    let then = Period::day(NaiveDate::from_ymd_opt(2025, 11, 29).expect("a date"));
    let back = service_kpi(
        &f,
        then,
        &ServiceScope::Store,
        ServiceKpi::ActiveCustomerRate,
    );
    // Cards delivered 2026 are not customers yet; only the vehicle of the past visit is.
    assert_eq!((back.num, back.den), (1, 1));
}

#[test]
fn technician_efficiency_is_sold_over_clocked_of_jobs_done_in_the_period() {
    let job = |n: u128, tech: &str, sold: i64, clocked: i64, done: Option<NaiveDate>| LineFact {
        technician: Some(tech.into()),
        sold_centihours: Some(sold),
        clocked_minutes: clocked,
        done_on: done,
        ..line(n, 1, LineKind::Labour, 0)
    };
    let lines = [
        job(1, "zhao", 150, 60, Some(d(11, 3))),  // 90 sold in 60
        job(2, "zhao", 100, 120, Some(d(11, 4))), // 60 sold in 120
        job(3, "qian", 100, 60, Some(d(11, 4))),
        job(4, "zhao", 100, 30, None),            // running: not yet
        job(5, "zhao", 100, 30, Some(d(10, 31))), // October's
    ];
    let ros = [ro(1, "li", d(11, 1))];
    let f = technician_efficiency(
        &facts(&ros, &lines),
        nov(),
        &ServiceScope::Technician("zhao".into()),
    );
    assert_eq!((f.num, f.den), (150, 180));
    assert_eq!(f.display(), "83.3%");
    assert_eq!(f.parts_display(), ("2.5h".into(), "3.0h".into()));
    let store = technician_efficiency(&facts(&ros, &lines), nov(), &ServiceScope::Store);
    assert_eq!((store.num, store.den), (210, 240));
    let nobody = technician_efficiency(
        &facts(&ros, &lines),
        nov(),
        &ServiceScope::Technician("sun".into()),
    );
    assert_eq!(nobody.reason, Some(NoFigure::NoClockedHours));
}

#[test]
fn advisor_load_is_ros_per_advisor_day() {
    let ros = [
        ro(1, "li", d(11, 2)),
        ro(2, "li", d(11, 2)),
        ro(3, "li", d(11, 3)),
        ro(4, "wang", d(11, 2)),
    ];
    let f = advisor_load(&facts(&ros, &[]), nov(), &ServiceScope::Store);
    assert_eq!((f.num, f.den), (4, 3));
    assert_eq!(f.display(), "1.33");
    let li = advisor_load(
        &facts(&ros, &[]),
        nov(),
        &ServiceScope::Advisor("li".into()),
    );
    assert_eq!((li.num, li.den), (3, 2));
    let day = advisor_load(
        &facts(&ros, &[]),
        Period::day(d(11, 2)),
        &ServiceScope::Store,
    );
    assert_eq!(day.value, Some(1.5));
    assert_eq!(
        people(&facts(&ros, &[])).0,
        vec!["li".to_string(), "wang".to_string()]
    );
}

/// One month written out by hand: six ROs, their lines, two C-cards, the GM's costs, counted
/// on paper below and checked figure by figure.
#[test]
fn one_month_against_a_hand_count() {
    // RO  advisor  in      appt  status            promised / handed over    comeback
    // 1   li       11-02   yes   handed over       17:00 / 16:50             -
    // 2   li       11-02   no    handed over       12:00 / 12:30 (late)      -
    // 3   wang     11-05   yes   handed over       10:00 / 10:00             yes (of an Oct RO)
    // 4   wang     11-05   no    cancelled         -                         -
    // 5   li       11-20   yes   in work           -                         -
    // 6   wang     10-31   no    handed over 11-01 09:00 / 08:00             - (October's RO)
    let mut ros = vec![
        ro(1, "li", d(11, 2)),
        ro(2, "li", d(11, 2)),
        ro(3, "wang", d(11, 5)),
        ro(4, "wang", d(11, 5)),
        ro(5, "li", d(11, 20)),
        ro(6, "wang", d(10, 31)),
    ];
    for n in [0, 2, 4] {
        ros[n].by_appointment = true;
    }
    ros[0].promised_at = Some(t(11, 2, 17, 0));
    ros[0].handed_over_at = Some(t(11, 2, 16, 50));
    ros[1].promised_at = Some(t(11, 2, 12, 0));
    ros[1].handed_over_at = Some(t(11, 2, 12, 30));
    ros[2].promised_at = Some(t(11, 5, 10, 0));
    ros[2].handed_over_at = Some(t(11, 5, 10, 0));
    ros[2].comeback = true;
    ros[3].cancelled = true;
    ros[5].promised_at = Some(t(11, 1, 9, 0));
    ros[5].handed_over_at = Some(t(11, 1, 8, 0));
    ros[0].c_card_id = Some(id(100));
    ros[1].c_card_id = Some(id(100));
    ros[2].vin = Some("CARD101".into());
    let tech = |mut l: LineFact, who: &str, sold: i64, clocked: i64, done: NaiveDate| {
        l.technician = Some(who.into());
        l.sold_centihours = Some(sold);
        l.clocked_minutes = clocked;
        l.done_on = Some(done);
        l
    };
    let lines = vec![
        tech(
            line(11, 1, LineKind::Labour, 36_000),
            "zhao",
            200,
            100,
            d(11, 2),
        ),
        line(12, 1, LineKind::Part, 54_000),
        tech(
            line(21, 2, LineKind::Labour, 18_000),
            "zhao",
            100,
            80,
            d(11, 2),
        ),
        tech(
            line(31, 3, LineKind::Labour, 9_000),
            "qian",
            50,
            60,
            d(11, 5),
        ),
        line(32, 3, LineKind::Part, 12_000),
        line(41, 4, LineKind::Labour, 18_000),
        line(51, 5, LineKind::Labour, 18_000),
        tech(
            line(61, 6, LineKind::Labour, 27_000),
            "qian",
            150,
            90,
            d(10, 31),
        ),
        line(62, 6, LineKind::Part, 30_000),
    ];
    let customers = vec![
        CustomerFact {
            id: id(100),
            vin: None,
            plate: None,
            delivered_on: Some(d(3, 1)),
        },
        CustomerFact {
            id: id(101),
            vin: Some("CARD101".into()),
            plate: None,
            delivered_on: Some(d(4, 1)),
        },
    ];
    let costs = vec![CostFact {
        id: id(900),
        year: 2026,
        month: 11,
        fixed_costs_fen: Some(500_000),
        parts_cost_fen: Some(60_000),
    }];
    let f = ServiceFacts {
        ros: &ros,
        lines: &lines,
        past: &[],
        customers: &customers,
        costs: &costs,
    };
    let k = service_kpis(&f, nov(), &ServiceScope::Store);
    let nd = |kpi| {
        let x = k.get(kpi).expect("every KPI");
        (x.num, x.den)
    };
    // 预约率: in = 1..5 (6 came in October) = 5; by appointment 1, 3, 5 = 3.
    assert_eq!(nd(ServiceKpi::AppointmentRate), (3, 5));
    // 一次性修复率: jobs 1, 2, 3, 5 (4 cancelled) = 4; comeback 3 → 3 ÷ 4.
    assert_eq!(nd(ServiceKpi::FirstTimeFixRate), (3, 4));
    // Handed over in November: 1, 2, 3, 6.
    // 零件/工时: parts 540 + 120 + 300 = 960; labour 360 + 180 + 90 + 270 = 900.
    assert_eq!(nd(ServiceKpi::PartsToLabourRatio), (96_000, 90_000));
    // 吸收率: 900 + 960 − 600 = 1,260 ÷ 5,000 = 25.2 %.
    assert_eq!(nd(ServiceKpi::AbsorptionRate), (126_000, 500_000));
    assert_eq!(
        k.get(ServiceKpi::AbsorptionRate).map(|x| x.display()),
        Some("25.2%".into())
    );
    // 交车时间准确率: 1 (early), 3 (at the minute), 6 (early) of 1, 2, 3, 6.
    assert_eq!(nd(ServiceKpi::DeliveryTimeAccuracy), (3, 4));
    // 有偿整备: paid visits received in Nov with an amount: 1, 2, 3, 5 = 4; cars 2 × 4 = 8.
    assert_eq!(nd(ServiceKpi::PaidServiceRetention), (4, 8));
    // Customers: card 100 (ROs 1, 2), card 101 (RO 3 by VIN), VIN5 (RO 5), VIN6 (RO 6) = 4,
    // all active; fixed: card 100 only.
    assert_eq!(nd(ServiceKpi::ActiveCustomerRate), (4, 4));
    assert_eq!(nd(ServiceKpi::FixedCustomerRate), (1, 4));
    // Efficiency: jobs done in Nov 11, 21, 31: sold 120 + 60 + 30 = 210 min; clocked 240.
    assert_eq!(nd(ServiceKpi::TechnicianEfficiency), (210, 240));
    // Load: 5 ROs over li 11-02, wang 11-05, li 11-20 = 3 advisor-days.
    assert_eq!(nd(ServiceKpi::AdvisorLoad), (5, 3));

    // Per advisor: li has ROs 1, 2, 5.
    let li = service_kpis(&f, nov(), &ServiceScope::Advisor("li".into()));
    let li_nd = |kpi| li.get(kpi).map(|x| (x.num, x.den));
    assert_eq!(li_nd(ServiceKpi::AppointmentRate), Some((2, 3)));
    assert_eq!(li_nd(ServiceKpi::FirstTimeFixRate), Some((3, 3)));
    assert_eq!(li_nd(ServiceKpi::DeliveryTimeAccuracy), Some((1, 2)));
    assert_eq!(li_nd(ServiceKpi::AdvisorLoad), Some((3, 2)));
    assert_eq!(
        li.get(ServiceKpi::AbsorptionRate).and_then(|x| x.reason),
        Some(NoFigure::StoreOnly)
    );
    // Per technician: qian did 31 in November (30 sold in 60).
    let qian = service_kpis(&f, nov(), &ServiceScope::Technician("qian".into()));
    assert_eq!(
        qian.get(ServiceKpi::TechnicianEfficiency)
            .map(|x| x.display()),
        Some("50.0%".into())
    );
}
