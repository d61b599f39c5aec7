//! The download budgets, in one place: what the server may send (brotli, as it sends it) for
//! the app's start and for the first visit of each area's pages. `cargo xtask size` measures
//! and checks them; `cargo xtask test` runs that check, so that the download cannot grow
//! unnoticed as pages land.
//!
//! `limit` is what is checked: the figure measured when it was set and a small margin (~3 %,
//! rounded up to 5 KB), so that growth fails the check (raise a limit only knowingly, in the
//! commit that needs it, and say why). `goal` is where issue 13 wants the figure to be; the
//! trimming towards it lowers the limits.
//!
//! Set 2026-12-06 from `cargo xtask size` at 9f6dd96 (initial 352.7 KB, sales_day 161.5 KB,
//! sales_cards 216.4, sales_drives 127.4, sales_orders 162.3, sales_accounts 103.1,
//! sales_manager 264.7, admin 136.4). Reset 2026-12-06 on branch wt-trim, when the sync
//! engine left the main wasm for the `sync` group, which the app loads at start (BENCHMARKS.md,
//! "The sync engine out of the main wasm"); a page group no longer counts the chunks it shares
//! with `sync` (`size::START_GROUP`): initial 294.1 KB, sync 86.6, sales_day 161.3, sales_cards
//! 247.2, sales_drives 157.3, sales_orders 192.2, sales_accounts 136.9, sales_manager 268.9,
//! admin 160.6 (the base at 0245175 already broke five of the limits set at 9f6dd96).
//! Initial raised knowingly to 345 KB at the merge of the header search (IndexedDB v4 index
//! fields, `components::search`), the first-sync rework and the service record types: measured
//! 334.2 KB on the merged tree (the trim's 294.1 KB plus ~40 KB that came back into the main
//! module). Then the header search went into the `sync` module (it loads at start): initial
//! 309.8 KB, sync 110.6 KB (a consultant's first visit unchanged, 575 KB).
//! Reset 2026-12-06 on branch wt-size, when the pages before the shell (login, setup, the password
//! form) left the main wasm for the group `account`: initial 267.7 KB (−42 KB), account 69.6.
//! The page groups grew (sales_day 154.9 → 178.6 KB, the others by 5–20 KB) although no page
//! changed: the form parts (fields, `use_edit`, alerts, buttons) that the login and setup pages
//! kept in the main wasm are now in shared chunks that each group's first visit counts, while a
//! consultant's first visit in all fell from 575 to 560 KB. Then the sync status's time without
//! chrono's strftime: initial 258.7 KB; sync 114.0 → 121.4 KB (the strftime code is now in a chunk
//! that the sync engine and the pages share, no longer in the main wasm). Limits: these figures
//! plus ~3 %.
//! Raised knowingly on branch wt-blob (issue 15, photos and signatures), measured 2026-12-06 at
//! its last commit: sales_drives 178.0 KB on main's base (the test drive's 驾驶证照片 and 试驾协议签名
//! bring `PhotoInput`, `SignaturePad`, `BlobImage` and the device's blob store; the service pages
//! will share them), sync +3.7 KB (the blob count; the upload itself is the new group
//! `blob_upload`, 8.7 KB, fetched only when blobs wait).
//! Raised knowingly at the merge of session 7 (stage, 2026-12-06): the sync scope and phone index
//! (issue 14), the bounded cache and the index reads (issue 14), the blob store with its photo and
//! signature parts and the service desk and workshop pages (issue 15) came together; measured on
//! the merged tree: initial 279.0 KB (wt-size alone had 258.7: ~20 KB of the merged code landed in the main
//! module; not yet broken down — candidates are the ~15 new service routes' matching and the
//! reading API the shell calls), sync 147.0, sales_day 192.6, sales_cards 298.6, sales_drives 217.0, sales_orders
//! 228.4, sales_accounts 148.7, sales_manager 307.4, admin 200.1, service_desk 321.2,
//! service_shop 146.7. Limits: these figures plus ~3 %. The goals (initial 250, Today 150) are
//! not met: issue 13 stays open.
//! Raised knowingly in wt-svc2 (2026-12-06): the technician's finding takes photos (issue 15's
//! "findings with photos"), so 我的作业 now carries `ui::PhotoInput`, `BlobImage` and the device's
//! blob store: service_shop 146.7 → 171.2 KB (limit 177); service_desk 321.2 → 331.7 (the
//! findings with their photos on the RO page and 调整配件单价; still under its limit of 335).
//! Reset 2026-12-06 on branch wt-size (session 8), when each group's modules became one pack
//! file (`crate::pack`): a group's figure is now its pack as sent, which brotli compresses better
//! than the modules one by one (every group 20–25 % smaller; a module several page groups need
//! is in each of their packs). Measured at d98a40f: initial 276.9 KB (the loader 5.8 → 2.3 KB),
//! sync 134.8, account 56.7, blob_upload 7.8, sales_day 146.4, sales_cards 222.3, sales_drives
//! 166.3, sales_orders 174.7, sales_accounts 112.9, sales_manager 245.0, service_desk 269.0,
//! service_shop 140.3, admin 156.4. Limits: these figures plus ~3 % (BENCHMARKS.md, "one pack per
//! group"). Then every lazy route's view one type (`lazy_pages::PageView`, 4d83396): initial
//! 272.7 KB (limit 285), the groups unchanged within 0.6 KB.
//! Raised knowingly in wt-import (2026-12-06, issue 18): the import page imports three kinds of
//! sheet (header row to pick, people to map, progress, the report's notes): sales_manager
//! measured 327.0 KB on the branch (limit 320 → 335).
//! Merged 2026-12-06 (session 8: parts, the GM's KPIs, care, import, the sync snapshot in the
//! device's form): every group grew 5–8 KB as sent, the shared code each pack carries (the
//! record-kind registry with the parts and care kinds, the policy's refusals of parts, care,
//! costs and past services, the new record types); sales_cards +14 KB (a C-card's 维修记录),
//! service_desk +19 KB (the board's missing parts and 等待配件), sales_manager +29 KB (the
//! import of three sheets). Measured: initial 279.1, sync 142.5, sales_day 152.9 (over its
//! 150 KB goal), sales_cards 236.4, sales_drives 176.2, sales_orders 184.3, sales_accounts 124.1,
//! sales_manager 273.8, service_shop 148.2, service_desk 288.5, parts 140.4, gm_kpi 149.3,
//! care 157.5, admin 166.4; limits these plus ~3 %. Then parts 148.6 with 导入零件目录 (limit
//! 145 → 153).
//! Session 9, branch wt-size (issue 13), measured 2026-12-06 22:17 at 609dc9f: the pages of an area
//! are one route (`lazy_pages::AreaPages`) and each page group one wasm-split entry: initial
//! 279.1 → 275.6 KB (limit 285 → 284; the 250 KB goal is not met). `account` raised knowingly
//! 60 → 67 KB (measured 64.6): a logged-out device no longer fetches the `sync` pack (142 KB) to
//! draw `/login`, so the account pack now holds the modules it shares with `sync`
//! (`pack::BEFORE_START`): a new visitor's `/login` is initial + account = 340 KB, was 279 + 57 +
//! 142 = 478 KB. The other groups unchanged within 0.5 KB.

/// 1 KB = 1024 bytes.
pub const KB: usize = 1024;

/// One budget.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// What is measured: `initial`, or the wasm-split group whose chunks are counted.
    pub name: &'static str,
    /// In words, for the report.
    pub what: &'static str,
    /// The most it may be, in bytes as sent (checked).
    pub limit: usize,
    /// Where it should get to, in bytes as sent (reported).
    pub goal: Option<usize>,
}

/// The initial download: `/` (index.html) and what it loads before the first screen (the
/// stylesheet, the app's js and what it imports, the main wasm).
pub const INITIAL: Budget = Budget {
    name: "initial",
    what: "the app's start: index.html, css, js, main wasm",
    limit: 209 * KB,
    goal: Some(250 * KB),
};

/// Each group of lazily loaded pages (app/src/lazy_pages.rs): the group's pack (every module its
/// first visit needs but the start group's, `crate::pack`), as the first visit fetches it. Every group the build
/// makes must have a budget here.
///
/// Session 9's merge (issue 13): every page group's pack grew by 12–18 KB at once (sales_day
/// 152.8 → 171.1 KB): the write every edit makes (`sync::store::commit`: the IndexedDB transaction,
/// `validate_op`, `domain::policy::check_op` with every area's rules and their messages) ran in the
/// pages' code, so each page group's pack held its own copy. Session 10, branch wt-size, measured
/// 2026-12-07 01:28 UTC (`cargo xtask size`, as sent): the write runs in the sync engine
/// (`sync/commit.rs`, `Job::Commit`), so that code and what it shares with every page group is in
/// the `sync` pack only: every page group 25–45 KB smaller (sales_day 171.1 → 127.6 KB, under its
/// goal); and the shell's header, navigation and area frames are drawn from the `sync` module
/// (`app/src/shell.rs`): initial 276.5 → 202.4 KB (under its goal). Raised knowingly: `sync` 142.6 →
/// 280.2 KB (it now holds the write and its checks, +48, and the shell, +89; a logged-in device
/// fetches it at start, and index.html preloads it beside the main wasm on a page behind the login;
/// a consultant's first visit, initial + sync + sales_day, 590.2 → 610.2 KB); `account` 64.5 →
/// 81.9 KB (the login page's share of the form and view code that left the main wasm with the
/// shell; a new visitor's `/login`, initial + account, 341 → 284 KB). Limits: these figures + ~3 %
/// (admin 141.0, care 245.1, gm_kpi 130.5, parts 125.3, sales_accounts 100.1, sales_cards 198.2,
/// sales_drives 151.6, sales_manager 239.7, sales_orders 146.8, service_desk 262.0, service_shop
/// 111.2, blob_upload 8.1). BENCHMARKS.md, "an edit's write in the sync engine" and "the shell in
/// the sync module".
///
/// Session 10's merge (stage, 2026-12-07 01:54 UTC, as sent): `sync` 280.2 → 310.1 KB, the
/// other groups unchanged or smaller. The sync pack holds every rule the device checks before it
/// writes (`domain::policy::check_op`), and the merge brought 17 new ones with their zh/en words
/// (the policy audit: `check_bin`, the times recorded as they happen, a closed order's deal, RO
/// times and line figures, …; docs/policy.md) and the compact stored record form
/// (`domain::sync::compact`). Limit: 320 KB (+~3 %).
///
/// Session 11's merge (wt-bench, 2026-12-07 05:00 UTC, as sent): `gm_kpi` 130.5 → 137.1 KB: 经营指标
/// reads the sales figures' records of its span (`ui::reads::read_sales`, `domain::sales::kpi_reads`)
/// and the customer base from index keys (`domain::service::customer_base`) instead of every
/// A-card, order and C-card, and counts each month's care figures only from that month's records
/// (`care::report::report_from_read`). Limit: 141 KB (+~3 %).
pub const GROUPS: &[Budget] = &[
    Budget {
        name: "sync",
        what: "the sync engine (fetched at start, after the main wasm)",
        limit: 320 * KB,
        goal: None,
    },
    Budget {
        name: "blob_upload",
        what: "the blob upload queue (fetched by a sync that finds photos or signatures waiting)",
        limit: 10 * KB,
        goal: None,
    },
    Budget {
        name: "account",
        what: "login, setup, the password form (the pages before the shell)",
        limit: 85 * KB,
        goal: None,
    },
    Budget {
        name: "sales_day",
        what: "a consultant's Today (first visit)",
        limit: 132 * KB,
        goal: Some(150 * KB),
    },
    Budget {
        name: "sales_cards",
        what: "A-cards and C-card",
        limit: 205 * KB,
        goal: None,
    },
    Budget {
        name: "sales_drives",
        what: "test drives",
        limit: 157 * KB,
        goal: None,
    },
    Budget {
        name: "sales_orders",
        what: "orders",
        limit: 152 * KB,
        goal: None,
    },
    Budget {
        name: "sales_accounts",
        what: "key accounts",
        limit: 104 * KB,
        goal: None,
    },
    Budget {
        name: "sales_manager",
        what: "losses, KPI, settings, import, duplicates",
        limit: 247 * KB,
        goal: None,
    },
    Budget {
        name: "service_shop",
        what: "the workshop: dispatch, my jobs, QC",
        limit: 115 * KB,
        goal: None,
    },
    Budget {
        name: "service_desk",
        what: "the service advisor's board, booking, reception, repair order",
        limit: 270 * KB,
        goal: None,
    },
    Budget {
        name: "parts",
        what: "the parts desk: stock, receive, issue, reserve, emergency orders",
        limit: 130 * KB,
        goal: None,
    },
    Budget {
        name: "gm_kpi",
        what: "the GM's 经营指标 (every KPI, the month's costs)",
        limit: 141 * KB,
        goal: None,
    },
    Budget {
        name: "care",
        what: "客服: my calls, the call screen, the CS manager's page, the outbox and broadcasts, the monthly report, 续保, 流失客户",
        limit: 253 * KB,
        goal: None,
    },
    Budget {
        name: "admin",
        what: "conflicts, devices, bin",
        limit: 146 * KB,
        goal: None,
    },
];

/// The budget of a group, if it has one.
pub fn group(name: &str) -> Option<&'static Budget> {
    GROUPS.iter().find(|b| b.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_are_named_once_and_described() {
        let mut names: Vec<_> = GROUPS.iter().map(|b| b.name).collect();
        names.push(INITIAL.name);
        let count = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), count, "a budget is named twice");
        for b in GROUPS.iter().chain([&INITIAL]) {
            assert!(b.limit > 0, "{}", b.name);
            assert!(!b.what.is_empty(), "{}", b.name);
        }
        assert_eq!(INITIAL.goal, Some(250 * KB), "issue 13's goal");
        assert_eq!(group("sales_day").and_then(|b| b.goal), Some(150 * KB));
        assert!(group("nope").is_none());
    }
}
