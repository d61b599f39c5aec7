//! Ops pushed as a real device would: a logged-in tablet (`Dev`) builds ops against the records
//! as the server holds them (`World`) and pushes them; for the tests of what the server refuses
//! (`policy.rs`, `service_policy.rs`).

use std::collections::HashMap;

use axum::http::StatusCode;
use domain::sync::{Change, Clock, Edit, Op, RecordState, RecordType, apply, new_id};
use domain::{Role, plan::Plan};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Resp, TestApp};

pub fn now_ms() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap()
}

pub fn v7() -> Uuid {
    let mut r = [0u8; 10];
    getrandom::fill(&mut r).unwrap();
    new_id(now_ms(), r)
}

/// The records as the server stores them (every accepted op applied here too).
#[derive(Default)]
pub struct World {
    pub records: HashMap<Uuid, RecordState>,
}

impl World {
    pub fn state(&self, id: Uuid, rt: &RecordType) -> RecordState {
        self.records
            .get(&id)
            .cloned()
            .unwrap_or_else(|| RecordState::new(id, rt.name, "demo"))
    }

    pub fn accept(&mut self, ops: &[Op]) {
        let registry = domain::records::registry();
        for op in ops {
            let rt = registry.get(&op.record_type).unwrap();
            let mut s = self.state(op.record_id, rt);
            apply(&mut s, op, rt).unwrap();
            self.records.insert(op.record_id, s);
        }
    }
}

/// A logged-in tablet.
pub struct Dev {
    pub token: String,
    pub device: Uuid,
    pub user_id: String,
    pub roles: Vec<Role>,
    pub clock: Clock,
}

impl Dev {
    pub async fn login(t: &TestApp, username: &str) -> Dev {
        let device = Uuid::now_v7();
        let r = t.login(username, device, "测试平板").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let v = r.json();
        Dev {
            token: v["token"].as_str().unwrap().to_owned(),
            device,
            user_id: v["user"]["id"].as_str().unwrap().to_owned(),
            roles: serde_json::from_value(v["user"]["roles"].clone()).unwrap(),
            clock: Clock::new(),
        }
    }

    /// An op on `id` built against the record as the server has it.
    pub fn op(
        &mut self,
        w: &World,
        id: Uuid,
        rt: &'static RecordType,
        f: impl FnOnce(&Edit<'_>) -> Vec<Change>,
    ) -> Op {
        let state = w.state(id, rt);
        let changes = f(&Edit::new(&state, rt));
        self.raw_op(rt.name, id, changes)
    }

    /// An op of `changes` to the `record_type` record `id`, stamped now by this device.
    pub fn raw_op(&mut self, record_type: &str, id: Uuid, changes: Vec<Change>) -> Op {
        Op {
            op_id: v7(),
            device_id: self.device,
            user_id: self.user_id.clone(),
            store_id: "demo".into(),
            record_id: id,
            record_type: record_type.into(),
            hlc: self.clock.now(now_ms()),
            changes,
        }
    }

    /// The ops of a workflow's plan, each against the state the one before left.
    pub fn plan_ops(&mut self, w: &World, plan: &Plan) -> Vec<Op> {
        let mut scratch = World {
            records: w.records.clone(),
        };
        let mut ops = Vec::new();
        for write in &plan.writes {
            let state = scratch.state(write.record_id, write.record_type);
            let changes = write.changes(&state).unwrap();
            let op = self.op(&scratch, write.record_id, write.record_type, |_| changes);
            scratch.accept(std::slice::from_ref(&op));
            ops.push(op);
        }
        ops
    }

    pub async fn push(&self, t: &TestApp, ops: &[Op], lang: &str) -> Resp {
        t.post_json(
            "/api/sync/push",
            &json!({ "ops": ops }),
            &[
                ("authorization", &format!("Bearer {}", self.token)),
                ("accept-language", lang),
            ],
        )
        .await
    }

    /// Pushes; must be accepted; the world follows.
    pub async fn ok(&self, t: &TestApp, w: &mut World, ops: Vec<Op>) {
        let r = self.push(t, &ops, "zh-CN").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        w.accept(&ops);
    }

    /// Pushes; must be refused at `index` with `status` and `code`; returns the message.
    pub async fn refused(
        &self,
        t: &TestApp,
        ops: &[Op],
        index: usize,
        status: StatusCode,
        code: &str,
    ) -> String {
        let r = self.push(t, ops, "zh-CN").await;
        let msg = r.assert_error(status, code);
        assert_eq!(r.json()["op_index"], json!(index), "{}", r.text());
        msg
    }

    /// A plan's ops pushed by hand: refused at the first op with `status` and `code`, in Chinese
    /// with words containing `words.0` and in English with words containing `words.1`.
    pub async fn refuses(
        &mut self,
        t: &TestApp,
        w: &World,
        plan: &Plan,
        status: StatusCode,
        code: &str,
        words: (&str, &str),
    ) {
        let ops = self.plan_ops(w, plan);
        let zh = self.refused(t, &ops, 0, status, code).await;
        assert!(zh.contains(words.0), "{zh}");
        let en = self.push(t, &ops, "en").await.assert_error(status, code);
        assert!(en.contains(words.1), "{en}");
    }

    /// The ops of `record_type` the server gives this device (its first 1,000).
    pub async fn pulled(&self, t: &TestApp, record_type: &str) -> Vec<Op> {
        let r = t.get_auth("/api/sync/pull?limit=1000", &self.token).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        r.json()["ops"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| serde_json::from_value::<Op>(p["op"].clone()).ok())
                    .filter(|op| op.record_type == record_type)
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub fn set(e: &Edit<'_>, f: &str, v: Value) -> Change {
    e.set(f, v).unwrap()
}
