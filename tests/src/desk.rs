//! A desk device without a browser, for the service tests (see [`Desk`]).

use std::collections::HashMap;

use domain::plan::Plan;
use domain::records::service::RoLine;
use domain::sync::{Clock, Op, RecordState, apply};
use domain::time::StoreClock;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{DEMO_PASSWORD, Server};

/// An advisor's desk device driven through the sync API, bare: it runs step plans against the
/// records as it holds them (it never pulls) and pushes their ops — the service tests' second
/// device and the way they set up a repair order without clicking through every step.
pub struct Desk {
    http: reqwest::Client,
    base: String,
    token: String,
    device: Uuid,
    /// The advisor's user id.
    pub user_id: String,
    store_id: String,
    clock: Clock,
    /// The records as this desk holds them (a test may forget one to make a stale write).
    pub records: HashMap<Uuid, RecordState>,
}

impl Desk {
    /// Logs the demo advisor in on a new device named `device_name`.
    pub async fn login(server: &Server, device_name: &str) -> Desk {
        let base = server.url("").trim_end_matches('/').to_string();
        let http = reqwest::Client::new();
        let device = Uuid::now_v7();
        let login = testkit::login(&http, &base, "advisor", DEMO_PASSWORD, device, device_name)
            .await
            .expect("the advisor logs in");
        Desk {
            token: login["token"].as_str().expect("token").to_string(),
            user_id: login["user"]["id"].as_str().expect("user id").to_string(),
            store_id: login["user"]["store_id"]
                .as_str()
                .expect("store")
                .to_string(),
            http,
            base,
            device,
            clock: Clock::default(),
            records: HashMap::new(),
        }
    }

    /// Pushes `plan` (one op per write, each against the record as this desk holds it); the
    /// server's answer: its status and body. The desk keeps the ops only when they are taken.
    pub async fn push(&mut self, plan: &Plan) -> (u16, String) {
        let mut ops = Vec::new();
        let mut states = self.records.clone();
        for w in &plan.writes {
            let state = states.entry(w.record_id).or_insert_with(|| {
                RecordState::new(w.record_id, w.record_type.name, &self.store_id)
            });
            let op = Op {
                op_id: Uuid::now_v7(),
                device_id: self.device,
                user_id: self.user_id.clone(),
                store_id: self.store_id.clone(),
                record_id: w.record_id,
                record_type: w.record_type.name.to_string(),
                hlc: self.clock.now(testkit::now_ms()),
                changes: w.changes(state).expect("the plan's changes"),
            };
            apply(state, &op, w.record_type).expect("apply");
            ops.push(op);
        }
        let pushed = self
            .http
            .post(format!("{}/api/sync/push", self.base))
            .bearer_auth(&self.token)
            .json(&json!({ "ops": ops }))
            .send()
            .await
            .expect("push");
        let status = pushed.status();
        if status.is_success() {
            self.records = states;
        }
        (status.as_u16(), pushed.text().await.unwrap_or_default())
    }

    /// Pushes `plan`; the server must take it.
    pub async fn run(&mut self, plan: &Plan) {
        let (status, body) = self.push(plan).await;
        assert!((200..300).contains(&status), "push: {status} {body}");
    }

    /// The line as this desk holds it.
    pub fn line(&self, id: Uuid) -> RoLine {
        RoLine::of(&self.records[&id], StoreClock::default())
    }

    /// The customer's status page behind the progress link `token` (no login).
    pub async fn public(&self, token: &str) -> Value {
        self.http
            .get(format!("{}/api/public/ro/{token}", self.base))
            .send()
            .await
            .expect("status page")
            .json()
            .await
            .expect("status JSON")
    }
}
