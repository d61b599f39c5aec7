//! The demo store's sales history: three months of showroom life, made as ops by the demo
//! consultants' tablets and pushed through [`SyncStore::push`] like any device's, so every
//! device gets it by sync and the records are what the real merge makes of the ops.
//!
//! Deterministic: the same `now` gives the same history (a xorshift generator with a fixed
//! seed; ids are UUID v7 made from the event times and the generator). Dated relative to `now`
//! so that the last three months always look alive. What it makes (about): the store's
//! `sales_settings` (seven models, one no longer on sale; a test-drive fleet; three routes; the
//! cadence), 300 A-cards of grades H/A/B/C, their visits (plus visits that left no card, return
//! visits, after-sales customers and other visitors), test drives, orders (some with moved
//! dates, some cancelled with a reason), deliveries with VINs, C-cards and the +24 h / +72 h
//! calls, losses (proposed, re-contacted by the manager, confirmed or sent back) and key
//! accounts.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc, Weekday};
use domain::records::{
    A_CARD, C_CARD, CARE_TASK, KEY_ACCOUNT, ORDER, SALES_SETTINGS, TEST_DRIVE, VISIT,
};
use domain::sales::a_card::CatalogueModel;
use domain::sales::loss::LossReason;
use domain::sales::order::CancellationReason;
use domain::sales::vin::check_digit;
use domain::sync::{
    Change, DEFAULT_MAX_FUTURE_MS, Edit, Hlc, Op, RecordState, RecordType, SyncError, apply,
    check_future, new_id, validate_op,
};
use domain::time::StoreClock;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::demo::DEMO_STORE_ID;
use crate::error::Error;
use crate::sales_import::model_element;
use crate::store::{DeviceRec, PushCheck, Session, Store, UserRec, sync::registry};

/// The generator's seed.
pub const SEED: u64 = 0x5EED_4F52_4543_4F55;
/// How far back the history goes.
pub const HISTORY_DAYS: i64 = 92;
/// The demo consultants (usernames) and the names of their tablets.
pub const CONSULTANTS: [(&str, &str); 4] = [
    ("consultant", "王芳的平板"),
    ("zhaolei", "赵磊的平板"),
    ("qianli", "钱丽的平板"),
    ("sunhao", "孙浩的平板"),
];
/// The sales manager's device.
pub const MANAGER: (&str, &str) = ("salesmgr", "销售经理办公室电脑");
/// Ops per push, as a device sends them.
const PUSH_BATCH: usize = 500;

/// What was made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistorySummary {
    pub ops: usize,
    /// Records per type.
    pub records: Vec<(&'static str, usize)>,
}

/// The model catalogue of the demo store: (code, Chinese name, English name, on sale, price in
/// yuan).
pub const MODELS: [(&str, &str, &str, bool, u32); 7] = [
    ("corolla", "卡罗拉", "Corolla", true, 119_800),
    ("levin", "雷凌", "Levin", true, 113_800),
    ("camry", "凯美瑞", "Camry", true, 179_800),
    ("rav4", "RAV4荣放", "RAV4", true, 175_800),
    ("highlander", "汉兰达", "Highlander", true, 269_800),
    ("sienna", "赛那", "Sienna", true, 309_800),
    ("yaris", "致炫", "Yaris L", false, 72_800),
];

/// A small deterministic generator (xorshift64*).
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    /// Inclusive range.
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1).max(1) as u64) as i64
    }
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    pub(crate) fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    /// Picks by weights.
    pub(crate) fn weighted<'a, T>(&mut self, xs: &'a [(T, u32)]) -> &'a T {
        let total: u32 = xs.iter().map(|(_, w)| w).sum();
        let mut r = self.below(u64::from(total)) as u32;
        for (x, w) in xs {
            if r < *w {
                return x;
            }
            r -= w;
        }
        &xs[xs.len() - 1].0
    }
    pub(crate) fn bytes10(&mut self) -> [u8; 10] {
        let a = self.next().to_le_bytes();
        let b = self.next().to_le_bytes();
        [a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], b[0], b[1]]
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Actor {
    pub(crate) user: String,
    pub(crate) device: Uuid,
}

/// Store-local date-time as stored in records.
pub(crate) fn ts(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}
fn ds(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Unix ms of a store-local time (UTC+8).
pub(crate) fn unix_ms(local: NaiveDateTime) -> u64 {
    u64::try_from((local - Duration::hours(8)).and_utc().timestamp_millis()).unwrap_or(0)
}

pub(crate) struct Gen {
    pub(crate) rng: Rng,
    pub(crate) now: NaiveDateTime,
    pub(crate) ops: Vec<Op>,
    pub(crate) states: HashMap<Uuid, RecordState>,
    pub(crate) counts: HashMap<&'static str, usize>,
}

impl Gen {
    pub(crate) fn id(&mut self, at: NaiveDateTime) -> Uuid {
        let b = self.rng.bytes10();
        new_id(unix_ms(at), b)
    }

    /// A new record of `rt`, made at `at`.
    pub(crate) fn create(&mut self, rt: &'static RecordType, at: NaiveDateTime) -> Uuid {
        let id = self.id(at);
        self.create_as(rt, id)
    }

    /// A new record under an id the rules derive (one such record per store).
    pub(crate) fn create_as(&mut self, rt: &'static RecordType, id: Uuid) -> Uuid {
        self.states
            .insert(id, RecordState::new(id, rt.name, DEMO_STORE_ID));
        *self.counts.entry(rt.name).or_default() += 1;
        id
    }

    /// One op on record `id` by `who` at `at` (never after now): `f` builds the changes
    /// against the record as it is.
    pub(crate) fn op(
        &mut self,
        who: &Actor,
        rt: &'static RecordType,
        id: Uuid,
        at: NaiveDateTime,
        f: impl FnOnce(&Edit<'_>, &mut Rng) -> Result<Vec<Change>, SyncError>,
    ) -> Result<(), Error> {
        let at = at.min(self.now);
        let op_id = self.id(at);
        let state = self
            .states
            .get_mut(&id)
            .ok_or_else(|| Error::Internal(format!("demo: no record {id}")))?;
        let changes = f(&Edit::new(state, rt), &mut self.rng).map_err(internal)?;
        let op = Op {
            op_id,
            device_id: who.device,
            user_id: who.user.clone(),
            store_id: DEMO_STORE_ID.to_owned(),
            record_id: id,
            record_type: rt.name.to_owned(),
            hlc: Hlc::new(unix_ms(at), 0),
            changes,
        };
        apply(state, &op, rt).map_err(internal)?;
        self.ops.push(op);
        Ok(())
    }

    fn entry(&mut self, at: NaiveDateTime) -> Uuid {
        self.id(at)
    }
}

pub(crate) fn internal(e: SyncError) -> Error {
    Error::Internal(format!("demo history: {e}"))
}

/// `field = value` for each pair.
pub(crate) fn sets(e: &Edit<'_>, pairs: &[(&str, Value)]) -> Result<Vec<Change>, SyncError> {
    pairs.iter().map(|(f, v)| e.set(f, v.clone())).collect()
}

const SURNAMES: [&str; 40] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "蒋", "蔡", "欧阳",
];
const GIVEN: [&str; 48] = [
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "志强", "晓东", "海燕", "文博",
    "子涵", "浩然", "雨桐", "思远", "嘉怡", "俊杰", "欣怡", "宇航", "梓轩", "佳琪", "国平", "红梅",
    "立新", "春生", "晓明", "婷婷", "鹏飞", "建国", "玉兰", "振华",
];
const DISTRICTS: [&str; 10] = [
    "天河区",
    "越秀区",
    "海珠区",
    "白云区",
    "番禺区",
    "黄埔区",
    "花都区",
    "增城区",
    "从化区",
    "佛山南海区",
];
const CURRENT_CARS: [&str; 8] = [
    "2015 朗逸",
    "2017 轩逸",
    "2013 飞度",
    "2016 速腾",
    "2012 凯越",
    "2018 哈弗H6",
    "2014 雅阁",
    "电动自行车",
];
const FOLLOW_UPS: [&str; 8] = [
    "客户对比了竞品,关注油耗和保值率",
    "发送了最新的金融方案,客户说周末来店再看",
    "客户家人想一起来试驾",
    "询问置换补贴,已约评估师",
    "客户在等年终奖,预计下月决定",
    "介绍了店内现车颜色,客户倾向白色",
    "客户觉得报价偏高,需经理审批优惠",
    "微信发送了配置表和试驾视频",
];
const FEEDBACK: [&str; 6] = [
    "动力平顺,隔音好,客户满意",
    "客户觉得后排空间够用,关注油耗",
    "对混动系统很感兴趣,要求再试一次高速",
    "客户认为底盘偏硬",
    "家人试乘后很满意,准备谈价格",
    "对智能驾驶辅助印象深刻",
];
const LOSS_NOTES: [(LossReason, &str); 6] = [
    (LossReason::OtherBrand, "客户已在比亚迪店订车"),
    (LossReason::OtherStore, "客户在邻市同品牌店拿到更低报价"),
    (LossReason::ChangedModel, "客户改看电动车,本店暂无合适车型"),
    (LossReason::GaveUpBuying, "家里有变故,暂不买车"),
    (LossReason::BadContactData, "电话多次打不通,号码疑似有误"),
    (LossReason::ConsultantLeft, "原跟进顾问调岗,客户失联"),
];

/// A mobile number: a real prefix and eight digits.
pub(crate) fn mobile(rng: &mut Rng) -> String {
    const PREFIXES: [&str; 16] = [
        "130", "131", "135", "136", "137", "138", "139", "150", "151", "158", "166", "177", "180",
        "186", "188", "199",
    ];
    format!("{}{:08}", rng.pick(&PREFIXES), rng.below(100_000_000))
}

/// A VIN whose check digit is right: WMI `LVG`, a VDS per model, year letter, plant, serial.
pub(crate) fn vin(rng: &mut Rng, model: &str, year: i32) -> String {
    let vds = match model {
        "corolla" => "BE3EK",
        "levin" => "BE4EK",
        "camry" => "BDBFK",
        "rav4" => "MA1FV",
        "highlander" => "GC3FH",
        "sienna" => "KB1GC",
        _ => "AB1CD",
    };
    let year = if year >= 2026 { 'T' } else { 'S' };
    let serial = rng.below(1_000_000);
    let mut v = format!("LVG{vds}0{year}G{serial:06}");
    let check = check_digit(&v).unwrap_or('0');
    v.replace_range(8..9, &check.to_string());
    v
}

pub(crate) fn plate(rng: &mut Rng) -> String {
    const LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    let l = LETTERS[rng.below(LETTERS.len() as u64) as usize] as char;
    format!("粤A{l}{:04}", rng.below(10_000))
}

pub(crate) fn name(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(&SURNAMES), rng.pick(&GIVEN))
}

/// A showroom time on `day`: 9:00–18:30.
fn time_on(rng: &mut Rng, day: NaiveDate) -> NaiveDateTime {
    let minutes = rng.range(9 * 60, 18 * 60 + 30);
    day.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(minutes)
}

/// Registers the demo devices and pushes the demo sales history of the demo store, dated
/// relative to `now`. Call it once, right after the demo store was created.
pub async fn seed_sales_history(
    store: &dyn Store,
    now: DateTime<Utc>,
) -> Result<HistorySummary, Error> {
    let users = store.users_in_store(DEMO_STORE_ID.to_owned()).await?;
    let mut rng = Rng(SEED);
    let local_now = StoreClock::default().local(now);
    let start = local_now.date() - Duration::days(HISTORY_DAYS);
    let mut who: Vec<(&str, &str)> = CONSULTANTS.to_vec();
    who.push(MANAGER);
    let mut actors = register_devices(store, &mut rng, &users, start, now, &who).await?;
    let manager = actors
        .pop()
        .ok_or_else(|| Error::Internal("demo: no manager".into()))?;
    let consultants = actors;

    let mut g = Gen {
        rng,
        now: local_now,
        ops: Vec::new(),
        states: HashMap::new(),
        counts: HashMap::new(),
    };
    history(&mut g, start, &consultants, &manager)?;
    let total = push_history(store, &users, std::mem::take(&mut g.ops), now).await?;
    let mut records: Vec<(&'static str, usize)> = g.counts.into_iter().collect();
    records.sort();
    Ok(HistorySummary {
        ops: total,
        records,
    })
}

/// The devices of `who` (username, device name), registered the day before `start` with a
/// session already expired (the devices list shows them; nobody can use them); their actors.
pub(crate) async fn register_devices(
    store: &dyn Store,
    rng: &mut Rng,
    users: &[UserRec],
    start: NaiveDate,
    now: DateTime<Utc>,
    who: &[(&str, &str)],
) -> Result<Vec<Actor>, Error> {
    let user_id = |username: &str| {
        users
            .iter()
            .find(|u| u.username == username)
            .map(|u| u.id)
            .ok_or_else(|| Error::Internal(format!("demo user {username} is missing")))
    };
    let device_for =
        |rng: &mut Rng, username: &str, device_name: &str| -> Result<(Actor, DeviceRec), Error> {
            let uid = user_id(username)?;
            let created = start.and_hms_opt(8, 30, 0).unwrap_or_default() - Duration::days(1);
            let device = new_id(unix_ms(created), rng.bytes10());
            Ok((
                Actor {
                    user: uid.to_string(),
                    device,
                },
                DeviceRec {
                    id: device,
                    store_id: DEMO_STORE_ID.to_owned(),
                    name: device_name.to_owned(),
                    user_id: uid,
                    created_at: (created - Duration::hours(8)).and_utc(),
                    last_seen_at: now,
                    revoked: false,
                    revoked_at: None,
                },
            ))
        };
    let mut actors = Vec::new();
    let mut devices = Vec::new();
    for (username, device_name) in who {
        let (actor, rec) = device_for(rng, username, device_name)?;
        actors.push(actor);
        devices.push(rec);
    }
    for device in devices {
        // The device row is what the devices list shows; its session is already expired and
        // its token hash is random, so nobody can use it.
        let mut token = [0u8; 32];
        for chunk in token.chunks_mut(8) {
            chunk.copy_from_slice(&rng.next().to_le_bytes());
        }
        let session = Session {
            user_id: device.user_id,
            device_id: device.id,
            created_at: device.created_at,
            expires_at: device.created_at,
            last_used_at: None,
        };
        store.save_login(device, token, session).await?;
    }
    Ok(actors)
}

/// Pushes a made history (`ops`, any order) through [`Store::push`] as the devices would, each op
/// checked by the same rules as a device's push as of its own time; returns how many.
pub(crate) async fn push_history(
    store: &dyn Store,
    users: &[UserRec],
    mut ops: Vec<Op>,
    now: DateTime<Utc>,
) -> Result<usize, Error> {
    let now_ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
    ops.sort_by_key(|o| o.hlc);
    for op in &ops {
        validate_op(op, registry()).map_err(internal)?;
        check_future(op.hlc, now_ms, DEFAULT_MAX_FUTURE_MS).map_err(internal)?;
    }
    let total = ops.len();
    // Batches of 500 as a device sends them, all queued at once so that the writer thread
    // commits them together (group commit); seqs follow the order of the batches.
    let mut batches = Vec::new();
    let mut rest = ops;
    while !rest.is_empty() {
        let tail = rest.split_off(rest.len().min(PUSH_BATCH));
        batches.push(std::mem::replace(&mut rest, tail));
    }
    // The history passes the same rules as a device's push, each op as of its own time (it
    // is months of past work, so the bound on old clocks does not apply).
    let check = PushCheck {
        actors: users
            .iter()
            .map(|u| domain::Actor::new(u.id.to_string(), &u.roles))
            .collect(),
        now_ms: None,
        clock: StoreClock::default(),
    };
    let answers = futures_util::future::join_all(
        batches
            .into_iter()
            .map(|batch| store.push(DEMO_STORE_ID.to_owned(), batch, check.clone())),
    )
    .await;
    for answer in answers {
        answer?.map_err(|r| Error::Internal(format!("demo history refused: {r:?}")))?;
    }
    Ok(total)
}

/// One A-card's story, planned before it is written.
struct Prospect {
    id: Uuid,
    phone: String,
    name: String,
    model: &'static str,
    price: u32,
    grade: &'static str,
    who: usize,
    at: NaiveDateTime,
}

fn history(g: &mut Gen, start: NaiveDate, team: &[Actor], manager: &Actor) -> Result<(), Error> {
    let today = g.now.date();
    let settings_at = start.and_hms_opt(8, 40, 0).unwrap_or_default() - Duration::days(1);

    // The store's sales settings, by the sales manager.
    // Under the id every device derives, so a device never makes a second one. (The random id
    // is still drawn, so the rest of the history stays the same.)
    let _ = g.id(settings_at);
    let settings = g.create_as(
        &SALES_SETTINGS,
        domain::sales::settings::settings_record_id(DEMO_STORE_ID),
    );
    let models: Vec<String> = MODELS
        .iter()
        .map(|(code, zh, en, on_sale, _)| {
            model_element(&CatalogueModel {
                code: (*code).into(),
                name_zh: (*zh).into(),
                name_en: (*en).into(),
                on_sale: *on_sale,
            })
        })
        .collect();
    let mut fleet = Vec::new();
    let mut fleet_ids: Vec<(&str, String)> = Vec::new();
    for (i, model) in ["corolla", "camry", "rav4", "highlander", "sienna"]
        .iter()
        .enumerate()
    {
        let id = format!("td{}", i + 1);
        let v = vin(&mut g.rng, model, 2025);
        let p = plate(&mut g.rng);
        fleet.push(json!({"id": id, "model": model, "plate": p, "vin": v}).to_string());
        fleet_ids.push((model, id));
    }
    let routes = [
        json!({"id": "r1", "name_zh": "城市道路环线(科韵路—黄埔大道)", "name_en": "City loop", "km": 8}),
        json!({"id": "r2", "name_zh": "快速路(华南快速)", "name_en": "Expressway", "km": 15}),
        json!({"id": "r3", "name_zh": "颠簸路面与坡道", "name_en": "Rough road and slope", "km": 5}),
    ];
    // A set field changes once per op: one op per catalogue entry, as the settings screen
    // adds them one at a time.
    let elements = models
        .iter()
        .map(|m| ("models", m.clone()))
        .chain(fleet.iter().map(|f| ("fleet", f.clone())))
        .chain(routes.iter().map(|r| ("routes", r.to_string())));
    for (i, (field, elem)) in elements.enumerate() {
        g.op(
            manager,
            &SALES_SETTINGS,
            settings,
            settings_at + Duration::seconds(20 * i as i64),
            |e, _| Ok(vec![e.set_add(field, &elem)?]),
        )?;
    }
    g.op(
        manager,
        &SALES_SETTINGS,
        settings,
        settings_at + Duration::minutes(10),
        |e, _| {
            sets(
                e,
                &[
                    ("cadence_h_days", json!(1)),
                    ("cadence_a_days", json!(3)),
                    ("cadence_b_days", json!(7)),
                    ("cadence_c_days", json!(14)),
                    ("sleep_days", json!(30)),
                ],
            )
        },
    )?;

    // Key accounts.
    const ACCOUNTS: [(&str, &str, &str, bool); 6] = [
        (
            "广州天河城市建设有限公司",
            "建筑",
            "天河区天河北路 233 号",
            true,
        ),
        ("广州市恒通物流有限公司", "物流", "白云区太和镇 88 号", true),
        (
            "南方医科大学附属某医院",
            "医疗",
            "海珠区工业大道中 253 号",
            false,
        ),
        (
            "广州开发区某科技股份有限公司",
            "电子制造",
            "黄埔区科学城 11 号",
            true,
        ),
        ("番禺区某中学", "教育", "番禺区市桥街 9 号", false),
        ("广州某出租汽车公司", "出行", "越秀区东风中路 1 号", false),
    ];
    for (i, (org, industry, address, bought)) in ACCOUNTS.iter().enumerate() {
        let owner = &team[i % team.len()];
        let listed =
            start.and_hms_opt(10, 0, 0).unwrap_or_default() + Duration::days(g.rng.range(0, 20));
        let id = g.create(&KEY_ACCOUNT, listed);
        let maker = g.entry(listed);
        let contact = name(&mut g.rng);
        let phone = mobile(&mut g.rng);
        g.op(owner, &KEY_ACCOUNT, id, listed, |e, _| {
            let mut c = sets(
                e,
                &[
                    ("name", json!(org)),
                    ("industry", json!(industry)),
                    ("address", json!(address)),
                    ("responsible_id", json!(owner.user)),
                    (
                        "purchase_plan",
                        json!(format!("年内计划采购公务用车 {} 台", 2 + i)),
                    ),
                    ("bought_here", json!(false)),
                ],
            )?;
            c.push(e.append(
                "decision_makers",
                maker,
                json!({"name": contact, "title": "行政部经理", "phone": phone}),
            )?);
            Ok(c)
        })?;
        let visit_at = listed + Duration::days(g.rng.range(5, 15));
        let visit_entry = g.entry(visit_at);
        g.op(owner, &KEY_ACCOUNT, id, visit_at, |e, _| {
            Ok(vec![e.append(
                "visits",
                visit_entry,
                json!({"date": ds(visit_at.date()), "note": "上门拜访,介绍大客户协议(车队价、优先交车、专属服务顾问)"}),
            )?])
        })?;
        if *bought {
            let deal = visit_at + Duration::days(g.rng.range(10, 40));
            if deal <= g.now {
                let deal_entry = g.entry(deal);
                g.op(owner, &KEY_ACCOUNT, id, deal, |e, _| {
                    Ok(vec![
                        e.set("bought_here", json!(true))?,
                        e.append(
                            "visits",
                            deal_entry,
                            json!({"date": ds(deal.date()), "note": "签订一年期大客户协议,首批 2 台已下单"}),
                        )?,
                    ])
                })?;
            }
        }
    }

    // Prospects, day by day.
    let mut phones: HashSet<String> = HashSet::new();
    let mut prospects: Vec<Prospect> = Vec::new();
    let mut day = start;
    while day <= today {
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let arrivals = if weekend {
            g.rng.range(6, 10)
        } else {
            g.rng.range(3, 6)
        };
        for _ in 0..arrivals {
            let at = time_on(&mut g.rng, day);
            if at > g.now {
                continue;
            }
            let who = g.rng.below(team.len() as u64) as usize;
            let actor = team[who].clone();
            let source = *g.rng.weighted(&[
                ("walk_in", 40),
                ("phone_inquiry", 20),
                ("online", 20),
                ("referral", 10),
                ("offsite_event", 10),
            ]);
            let (model, _, _, _, price) = *g.rng.weighted(&[
                (MODELS[0], 30),
                (MODELS[1], 15),
                (MODELS[2], 20),
                (MODELS[3], 20),
                (MODELS[4], 10),
                (MODELS[5], 5),
            ]);
            let leaves_card = g.rng.chance(0.6);
            let group_size = *g.rng.weighted(&[(1, 35), (2, 40), (3, 18), (4, 7)]);
            let dwell = if source == "phone_inquiry" {
                g.rng.range(3, 12)
            } else {
                let short = g.rng.range(8, 14);
                let mid = g.rng.range(15, 29);
                let long = g.rng.range(30, 95);
                *g.rng.weighted(&[(short, 25), (mid, 35), (long, 40)])
            };
            let card = if leaves_card {
                let mut phone = mobile(&mut g.rng);
                while !phones.insert(phone.clone()) {
                    phone = mobile(&mut g.rng);
                }
                let grade = *g
                    .rng
                    .weighted(&[("H", 10), ("A", 25), ("B", 35), ("C", 30)]);
                let id = g.create(&A_CARD, at);
                let p = Prospect {
                    id,
                    phone,
                    name: name(&mut g.rng),
                    model,
                    price,
                    grade,
                    who,
                    at: at + Duration::minutes(dwell.min(10)),
                };
                let district = *g.rng.pick(&DISTRICTS);
                let budget = format!("{}-{}万", price / 10_000 - 2, price / 10_000 + 3);
                let current = g.rng.chance(0.4).then(|| *g.rng.pick(&CURRENT_CARS));
                let finance = g.rng.chance(0.45);
                let (pname, pphone) = (p.name.clone(), p.phone.clone());
                let card_at = p.at;
                g.op(&actor, &A_CARD, id, card_at, |e, _| {
                    let mut pairs = vec![
                        ("name", json!(pname)),
                        ("phone", json!(pphone)),
                        ("intended_model", json!(model)),
                        ("grade", json!(grade)),
                        ("source", json!(source)),
                        ("consultant_id", json!(actor.user)),
                        ("district", json!(district)),
                        ("budget", json!(budget)),
                        ("finance_interest", json!(finance)),
                        ("first_contact_at", json!(ts(card_at))),
                    ];
                    if let Some(c) = current {
                        pairs.push(("current_car", json!(c)));
                    }
                    sets(e, &pairs)
                })?;
                prospects.push(p);
                Some(id)
            } else {
                None
            };
            let visit = g.create(&VISIT, at);
            let referrer = (source == "referral").then(|| (name(&mut g.rng), mobile(&mut g.rng)));
            g.op(
                &actor,
                &VISIT,
                visit,
                at + Duration::minutes(dwell),
                |e, _| {
                    let mut pairs = vec![
                        ("time_in", json!(ts(at))),
                        ("time_out", json!(ts(at + Duration::minutes(dwell)))),
                        ("source", json!(source)),
                        ("visitor_kind", json!("prospect")),
                        (
                            "group_size",
                            json!(if source == "phone_inquiry" {
                                1
                            } else {
                                group_size
                            }),
                        ),
                        ("consultant_id", json!(actor.user)),
                        ("intended_model", json!(model)),
                        ("had_card_or_order", json!(false)),
                    ];
                    if let Some(c) = card {
                        pairs.push(("a_card_id", json!(c.to_string())));
                    }
                    if let Some((n, p)) = &referrer {
                        pairs.push(("referrer_name", json!(n)));
                        pairs.push(("referrer_phone", json!(p)));
                    }
                    sets(e, &pairs)
                },
            )?;
        }
        // After-sales customers and other visitors who walked into the showroom.
        if g.rng.chance(0.35) {
            let kind = if g.rng.chance(0.6) {
                "after_sales_customer"
            } else {
                "non_customer"
            };
            let at = time_on(&mut g.rng, day);
            if at <= g.now {
                let actor = g.rng.pick(team).clone();
                let visit = g.create(&VISIT, at);
                let dwell = g.rng.range(3, 20);
                let note_id = g.entry(at);
                g.op(
                    &actor,
                    &VISIT,
                    visit,
                    at + Duration::minutes(dwell),
                    |e, _| {
                        let mut c = sets(
                            e,
                            &[
                                ("time_in", json!(ts(at))),
                                ("time_out", json!(ts(at + Duration::minutes(dwell)))),
                                ("source", json!("walk_in")),
                                ("visitor_kind", json!(kind)),
                                ("group_size", json!(1)),
                                ("consultant_id", json!(actor.user)),
                            ],
                        )?;
                        let note = if kind == "non_customer" {
                            "精品供应商来访送样品"
                        } else {
                            "老车主来做保养,顺便看看新车"
                        };
                        c.push(e.append("notes", note_id, json!({"text": note}))?);
                        Ok(c)
                    },
                )?;
            }
        }
        day += Duration::days(1);
    }

    // A few customers who also went to a second consultant (撞单): same phone, two cards.
    for i in 0..3 {
        let Some(first) = prospects.get(i * 40 + 7) else {
            break;
        };
        let at = first.at + Duration::days(3 + i as i64);
        if at > g.now {
            continue;
        }
        let who = (first.who + 1) % team.len();
        let actor = team[who].clone();
        let id = g.create(&A_CARD, at);
        let (n, p, m) = (first.name.clone(), first.phone.clone(), first.model);
        g.op(&actor, &A_CARD, id, at, |e, _| {
            sets(
                e,
                &[
                    ("name", json!(n)),
                    ("phone", json!(p)),
                    ("intended_model", json!(m)),
                    ("grade", json!("B")),
                    ("source", json!("phone_inquiry")),
                    ("consultant_id", json!(actor.user)),
                    ("first_contact_at", json!(ts(at))),
                ],
            )
        })?;
    }

    // Each prospect's story.
    for p in &prospects {
        story(g, p, team, manager, &fleet_ids)?;
    }
    Ok(())
}

fn story(
    g: &mut Gen,
    p: &Prospect,
    team: &[Actor],
    manager: &Actor,
    fleet: &[(&str, String)],
) -> Result<(), Error> {
    let actor = team[p.who].clone();
    let horizon = match p.grade {
        "H" => 7,
        "A" => 15,
        "B" => 30,
        _ => 60,
    };
    let cadence = match p.grade {
        "H" => 1,
        "A" => 3,
        "B" => 7,
        _ => 14,
    };
    let buys = g.rng.chance(match p.grade {
        "H" => 0.7,
        "A" => 0.4,
        "B" => 0.18,
        _ => 0.05,
    });
    let loses = !buys
        && g.rng.chance(match p.grade {
            "H" => 0.1,
            "A" => 0.2,
            "B" => 0.3,
            _ => 0.4,
        });

    // Follow-ups at the cadence.
    let mut t = p.at;
    let follow_ups = g.rng.range(1, 4);
    let mut last_contact = p.at;
    for _ in 0..follow_ups {
        let next = t + Duration::days(cadence + g.rng.range(0, 2));
        let at = next.date().and_hms_opt(0, 0, 0).unwrap_or_default()
            + Duration::minutes(g.rng.range(9 * 60 + 30, 20 * 60));
        if at > g.now {
            break;
        }
        let entry = g.entry(at);
        let channel = *g
            .rng
            .weighted(&[("phone", 55), ("wechat", 35), ("sms", 5), ("visit", 5)]);
        let content = *g.rng.pick(&FOLLOW_UPS);
        let next_date = ds((at + Duration::days(cadence)).date());
        g.op(&actor, &A_CARD, p.id, at, |e, _| {
            Ok(vec![
                e.append(
                    "follow_ups",
                    entry,
                    json!({"channel": channel, "content": content, "next_date": next_date}),
                )?,
                e.set("next_follow_up", json!(next_date))?,
            ])
        })?;
        t = at;
        last_contact = at;
    }
    if follow_ups == 0 || last_contact == p.at {
        let next_date = ds((p.at + Duration::days(cadence)).date());
        g.op(
            &actor,
            &A_CARD,
            p.id,
            p.at + Duration::minutes(1),
            |e, _| Ok(vec![e.set("next_follow_up", json!(next_date))?]),
        )?;
    }

    // Test drive: on the first visit or on a return visit.
    let drives = g.rng.chance(match p.grade {
        "H" => 0.8,
        "A" => 0.6,
        "B" => 0.35,
        _ => 0.1,
    }) || buys && g.rng.chance(0.7);
    let mut drive_at = None;
    if drives {
        let on_return = g.rng.chance(0.45);
        let at = if on_return {
            let day = p.at.date() + Duration::days(g.rng.range(2, horizon.min(10)));
            let arrive = day.and_hms_opt(0, 0, 0).unwrap_or_default()
                + Duration::minutes(g.rng.range(9 * 60 + 30, 17 * 60));
            if arrive <= g.now {
                return_visit(g, &actor, p, arrive, true)?;
            }
            arrive + Duration::minutes(10)
        } else {
            p.at + Duration::minutes(5)
        };
        if at + Duration::minutes(40) <= g.now {
            drive(g, &actor, p, at, fleet)?;
            drive_at = Some(at);
        }
    }

    if buys {
        let signed = (drive_at.unwrap_or(p.at) + Duration::days(g.rng.range(0, horizon)))
            .max(p.at + Duration::hours(1));
        let signed = signed.date().and_hms_opt(0, 0, 0).unwrap_or_default()
            + Duration::minutes(g.rng.range(10 * 60, 19 * 60));
        if signed <= g.now {
            order(g, &actor, manager, p, signed)?;
            return Ok(());
        }
    }
    if loses {
        let proposed = last_contact + Duration::days(g.rng.range(3, 20));
        if proposed > g.now {
            return Ok(());
        }
        let (reason, note) = *g.rng.pick(&LOSS_NOTES);
        g.op(&actor, &A_CARD, p.id, proposed, |e, _| {
            Ok(vec![
                e.transition("status", "loss_proposed")?,
                e.set("loss_reason", json!(reason.as_str()))?,
                e.set("loss_note", json!(note))?,
            ])
        })?;
        // The manager calls the customer again before the loss is confirmed.
        let called = proposed + Duration::hours(g.rng.range(4, 60));
        if called > g.now {
            return Ok(());
        }
        let reconsiders = g.rng.chance(0.15);
        let entry = g.entry(called);
        let (outcome, text) = if reconsiders {
            ("will_reconsider", "客户表示还在考虑,愿意再来店看看")
        } else if reason == LossReason::BadContactData {
            ("unreachable", "三次不同时段致电均未接通,已发短信")
        } else {
            ("confirmed_lost", "经理回访确认客户不在本店购买")
        };
        g.op(manager, &A_CARD, p.id, called, |e, _| {
            Ok(vec![
                e.transition("status", "re_contacted")?,
                e.append(
                    "re_contacts",
                    entry,
                    json!({"outcome": outcome, "note": text}),
                )?,
            ])
        })?;
        let decided = called + Duration::hours(g.rng.range(1, 30));
        if decided > g.now {
            return Ok(());
        }
        if reconsiders {
            let next_date = ds((decided + Duration::days(cadence)).date());
            g.op(manager, &A_CARD, p.id, decided, |e, _| {
                Ok(vec![
                    e.transition("status", "following")?,
                    e.set("next_follow_up", json!(next_date))?,
                ])
            })?;
        } else {
            g.op(manager, &A_CARD, p.id, decided, |e, _| {
                Ok(vec![e.transition("status", "lost")?])
            })?;
        }
    }
    Ok(())
}

fn return_visit(
    g: &mut Gen,
    actor: &Actor,
    p: &Prospect,
    at: NaiveDateTime,
    for_drive: bool,
) -> Result<(), Error> {
    let visit = g.create(&VISIT, at);
    let dwell = g.rng.range(25, 90);
    let size = g.rng.range(1, 3);
    let note_id = g.entry(at);
    g.op(
        actor,
        &VISIT,
        visit,
        at + Duration::minutes(dwell),
        |e, _| {
            let mut c = sets(
                e,
                &[
                    ("time_in", json!(ts(at))),
                    ("time_out", json!(ts(at + Duration::minutes(dwell)))),
                    ("source", json!("walk_in")),
                    ("visitor_kind", json!("prospect")),
                    ("group_size", json!(size)),
                    ("consultant_id", json!(actor.user)),
                    ("intended_model", json!(p.model)),
                    ("a_card_id", json!(p.id.to_string())),
                    ("had_card_or_order", json!(true)),
                ],
            )?;
            let text = if for_drive {
                "预约再次来店试驾"
            } else {
                "再次来店谈价格"
            };
            c.push(e.append("notes", note_id, json!({"text": text}))?);
            Ok(c)
        },
    )
}

fn drive(
    g: &mut Gen,
    actor: &Actor,
    p: &Prospect,
    at: NaiveDateTime,
    fleet: &[(&str, String)],
) -> Result<(), Error> {
    let vehicle = fleet
        .iter()
        .find(|(m, _)| *m == p.model)
        .or_else(|| fleet.first())
        .map(|(_, id)| id.clone())
        .unwrap_or_default();
    let route = *g.rng.pick(&["r1", "r2", "r3"]);
    let id = g.create(&TEST_DRIVE, at);
    let odo = g.rng.range(1_200, 18_000);
    let licence = format!(
        "4401{:02}{}{:02}{:02}{:04}",
        g.rng.range(1, 18),
        g.rng.range(1965, 2002),
        g.rng.range(1, 12),
        g.rng.range(1, 28),
        g.rng.below(10_000)
    );
    let expiry = ds(at.date() + Duration::days(g.rng.range(200, 3_000)));
    g.op(actor, &TEST_DRIVE, id, at, |e, _| {
        sets(
            e,
            &[
                ("a_card_id", json!(p.id.to_string())),
                ("consultant_id", json!(actor.user)),
                ("vehicle_id", json!(vehicle)),
                ("route_id", json!(route)),
                ("licence_no", json!(licence)),
                ("licence_expiry", json!(expiry)),
                ("started_at", json!(ts(at))),
                ("start_odometer", json!(odo)),
            ],
        )
    })?;
    if g.rng.chance(0.04) {
        // Rain: the drive was called off in the car park.
        return g.op(actor, &TEST_DRIVE, id, at + Duration::minutes(5), |e, _| {
            Ok(vec![
                e.transition("status", "cancelled")?,
                e.set("feedback", json!("暴雨,客户改约下次"))?,
            ])
        });
    }
    let minutes = g.rng.range(15, 40);
    let km = match route {
        "r1" => 8,
        "r2" => 15,
        _ => 5,
    } + g.rng.range(0, 3);
    let end = at + Duration::minutes(minutes);
    let feedback = *g.rng.pick(&FEEDBACK);
    let follow = ds(end.date() + Duration::days(1));
    g.op(actor, &TEST_DRIVE, id, end, |e, _| {
        let mut c = sets(
            e,
            &[
                ("ended_at", json!(ts(end))),
                ("end_odometer", json!(odo + km)),
                ("feedback", json!(feedback)),
                ("follow_up_date", json!(follow)),
            ],
        )?;
        c.push(e.transition("status", "ended")?);
        Ok(c)
    })
}

fn order(
    g: &mut Gen,
    actor: &Actor,
    manager: &Actor,
    p: &Prospect,
    signed: NaiveDateTime,
) -> Result<(), Error> {
    let _ = manager;
    if g.rng.chance(0.5) && signed.date() > p.at.date() {
        return_visit(g, actor, p, signed - Duration::minutes(40), false)?;
    }
    let id = g.create(&ORDER, signed);
    let wait = g.rng.range(5, 30);
    let mut promised = signed.date() + Duration::days(wait);
    let discount = g.rng.range(3, 15) as u32 * 1_000;
    let price = p.price.saturating_sub(discount);
    let deposit = *g.rng.pick(&[5_000u32, 10_000, 20_000]);
    let configuration = *g.rng.pick(&[
        "豪华版 珍珠白",
        "精英版 曜石黑",
        "先锋版 铂金银",
        "尊贵版 星光蓝",
    ]);
    let promises: Vec<&str> = [
        "全车贴膜",
        "脚垫",
        "行车记录仪",
        "首保免费",
        "加油卡 500 元",
    ]
    .into_iter()
    .filter(|_| g.rng.chance(0.5))
    .collect();
    let finance = g.rng.chance(0.4);
    let trade_in = g.rng.chance(0.2);
    g.op(actor, &ORDER, id, signed, |e, _| {
        let c = sets(
            e,
            &[
                ("a_card_id", json!(p.id.to_string())),
                ("consultant_id", json!(actor.user)),
                ("model", json!(p.model)),
                ("configuration", json!(configuration)),
                ("price", json!(price)),
                ("deposit", json!(deposit)),
                ("trade_in", json!(trade_in)),
                (
                    "finance_campaign",
                    json!(if finance { "两年零利率" } else { "" }),
                ),
                ("insurance", json!("本店代办")),
                ("signed_at", json!(ts(signed))),
                ("promised_date", json!(ds(promised))),
            ],
        )?;
        Ok(c)
    })?;
    for pr in &promises {
        g.op(actor, &ORDER, id, signed, |e, _| {
            Ok(vec![e.set_add("promises", pr)?])
        })?;
    }
    g.op(
        actor,
        &A_CARD,
        p.id,
        signed + Duration::minutes(1),
        |e, _| Ok(vec![e.transition("status", "ordered")?]),
    )?;

    // The last change to the deal: a cancellation comes after it (a closed order's deal is fixed,
    // `domain::sales::policy`).
    let mut last_change = signed;
    // The promised date slips for some orders: the customer is told at once.
    if g.rng.chance(0.18) {
        let moved_at = signed + Duration::days(g.rng.range(2, wait.max(3)));
        if moved_at <= g.now {
            let to = promised + Duration::days(g.rng.range(3, 12));
            let entry = g.entry(moved_at);
            let reason = *g
                .rng
                .pick(&["厂家排产延迟", "所选颜色需从外地调车", "物流运输延误"]);
            let from = promised;
            g.op(actor, &ORDER, id, moved_at, |e, _| {
                Ok(vec![
                    e.set("promised_date", json!(ds(to)))?,
                    e.append(
                        "date_changes",
                        entry,
                        json!({"from": ds(from), "to": ds(to), "reason": reason, "told_customer_at": ts(moved_at)}),
                    )?,
                ])
            })?;
            promised = to;
            last_change = moved_at;
        }
    }

    // Some orders are cancelled (退单).
    if g.rng.chance(0.1) {
        let at = last_change + Duration::days(g.rng.range(1, wait.max(2)));
        if at <= g.now {
            let reason = *g.rng.weighted(&[
                (CancellationReason::LongWait, 3),
                (CancellationReason::CompetitorNewModel, 2),
                (CancellationReason::CompetitorPriceCut, 2),
                (CancellationReason::Other, 1),
            ]);
            let note = match reason {
                CancellationReason::LongWait => "等车时间太长,客户不愿再等",
                CancellationReason::CompetitorNewModel => "竞品新车上市,客户转订",
                CancellationReason::CompetitorPriceCut => "竞品大幅降价",
                CancellationReason::Other => "客户家庭原因,退还订金",
            };
            g.op(actor, &ORDER, id, at, |e, _| {
                Ok(vec![
                    e.transition("status", "cancelled")?,
                    e.set("cancel_reason", json!(reason.as_str()))?,
                    e.set("cancel_note", json!(note))?,
                ])
            })?;
            g.op(actor, &A_CARD, p.id, at + Duration::minutes(1), |e, _| {
                Ok(vec![e.transition("status", "following")?])
            })?;
            return Ok(());
        }
    }

    // Delivery (交车) on the promised day, or a day late now and then.
    let late = if g.rng.chance(0.1) { 1 } else { 0 };
    let delivered = (promised + Duration::days(late))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        + Duration::minutes(g.rng.range(10 * 60, 17 * 60));
    if delivered > g.now {
        return Ok(());
    }
    let v = vin(&mut g.rng, p.model, delivered.year());
    let pl = plate(&mut g.rng);
    for item in promises.iter().copied().chain(["随车文件", "车辆功能讲解"]) {
        g.op(
            actor,
            &ORDER,
            id,
            delivered - Duration::minutes(20),
            |e, _| Ok(vec![e.set_add("checklist_done", item)?]),
        )?;
    }
    g.op(actor, &ORDER, id, delivered, |e, _| {
        let mut c = sets(
            e,
            &[
                ("vin", json!(v)),
                ("plate", json!(pl)),
                ("delivered_at", json!(ts(delivered))),
            ],
        )?;
        c.push(e.transition("status", "delivered")?);
        Ok(c)
    })?;
    g.op(
        actor,
        &A_CARD,
        p.id,
        delivered + Duration::minutes(1),
        |e, _| Ok(vec![e.transition("status", "delivered")?]),
    )?;
    let c_card = g.create(&C_CARD, delivered);
    let birthday = NaiveDate::from_ymd_opt(
        g.rng.range(1965, 2000) as i32,
        g.rng.range(1, 12) as u32,
        g.rng.range(1, 28) as u32,
    )
    .map(ds);
    let local = g.rng.chance(0.85);
    g.op(
        actor,
        &C_CARD,
        c_card,
        delivered + Duration::minutes(2),
        |e, _| {
            let mut pairs = vec![
                ("name", json!(p.name)),
                ("phone", json!(p.phone)),
                ("a_card_id", json!(p.id.to_string())),
                ("order_id", json!(id.to_string())),
                ("consultant_id", json!(actor.user)),
                ("vin", json!(v)),
                ("plate", json!(pl)),
                ("model", json!(p.model)),
                ("delivery_date", json!(ds(delivered.date()))),
                (
                    "warranty_end",
                    json!(ds(delivered.date() + Duration::days(3 * 365))),
                ),
                (
                    "insurance_expiry",
                    json!(ds(delivered.date() + Duration::days(365))),
                ),
                (
                    "inspection_date",
                    json!(ds(delivered.date() + Duration::days(6 * 365))),
                ),
                ("local", json!(local)),
            ];
            if let Some(b) = &birthday {
                pairs.push(("birthday", json!(b)));
            }
            sets(e, &pairs)
        },
    )?;
    // The consultant's +24 h and +72 h calls.
    for (kind, hours) in [("delivery_call_24h", 24), ("delivery_call_72h", 72)] {
        let due = delivered + Duration::hours(hours);
        let task = g.create(&CARE_TASK, delivered + Duration::minutes(3));
        g.op(
            actor,
            &CARE_TASK,
            task,
            delivered + Duration::minutes(3),
            |e, _| {
                sets(
                    e,
                    &[
                        ("kind", json!(kind)),
                        ("customer_name", json!(p.name)),
                        ("phone", json!(p.phone)),
                        ("a_card_id", json!(p.id.to_string())),
                        ("c_card_id", json!(c_card.to_string())),
                        ("order_id", json!(id.to_string())),
                        ("due_at", json!(ts(due))),
                        ("role", json!("sales_consultant")),
                        ("assignee_id", json!(actor.user)),
                    ],
                )
            },
        )?;
        let called = due + Duration::minutes(g.rng.range(-60, 120));
        if called > g.now {
            continue;
        }
        let reached = g.rng.chance(0.9);
        let entry = g.entry(called);
        g.op(actor, &CARE_TASK, task, called, |e, _| {
            let mut c = vec![e.append(
                "attempts",
                entry,
                json!({"at": ts(called), "channel": "phone", "reached": reached,
                       "note": if reached { "客户对新车满意,提醒了首保时间" } else { "未接通" }}),
            )?];
            if reached {
                c.push(e.transition("status", "done")?);
                c.push(e.set("note", json!("客户满意"))?);
            }
            Ok(c)
        })?;
    }
    Ok(())
}
