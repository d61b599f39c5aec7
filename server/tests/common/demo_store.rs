//! The demo store's records as the server holds them, read through the snapshot (the tests of
//! the demo history: `demo_*.rs`, `care_report_months.rs`).

use domain::records::registry;
use domain::sync::RecordState;
use forecourt_server::store::{Reader, Store};

/// Every record of `types` in the demo store.
pub async fn records_of(store: &dyn Store, types: &[&str]) -> Vec<RecordState> {
    let types: Vec<String> = types.iter().map(|t| (*t).to_owned()).collect();
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .snapshot("demo".into(), after, 1000, Reader::types(types.clone()))
            .await
            .unwrap();
        for r in page.records {
            out.push(serde_json::from_str::<RecordState>(r.get()).unwrap());
        }
        match page.next {
            Some(n) => after = Some(n),
            None => return out,
        }
    }
}

/// Every record of the demo store, of every declared type.
pub async fn all_records(store: &dyn Store) -> Vec<RecordState> {
    let types: Vec<&str> = registry().types().map(|t| t.name).collect();
    records_of(store, &types).await
}
