//! A shared device's outbox: which of the ops waiting on a device a session may push, and how
//! many wait for whom.
//!
//! A tablet in a showroom is used by several people in turn. Every op carries its author
//! (`user_id`), and the server accepts an op only from its author's own session (403
//! `wrong_user`; authorship is never rewritten). So a session pushes only its own user's ops;
//! the ops of the others stay on the device, untouched, until their author logs in on it
//! again. A manager does not push a colleague's ops either (docs/sync.md, "Device sync").

use super::Op;

/// The session that pushes from this device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pusher<'a> {
    pub user_id: &'a str,
    pub store_id: &'a str,
}

/// Whether the logged-in `pusher` may push `op` from the device's outbox: only an op it
/// authored, in its own store. Every other op waits for its author.
pub fn may_push(pusher: Pusher<'_>, op: &Op) -> bool {
    !pusher.user_id.is_empty() && op.user_id == pusher.user_id && op.store_id == pusher.store_id
}

/// How many ops wait on a device for one author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub user_id: String,
    /// The author's name as the device knew it when the op was made ("" when unknown).
    pub name: String,
    pub count: u32,
}

/// The waiting ops counted by author, from the outbox's `(user_id, name)` in outbox order:
/// authors in the order of their oldest waiting op; an author's name is the last non-empty
/// one seen (the newest), so a renamed person shows under their current name.
pub fn waiting_by_author<'a>(
    entries: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Vec<Waiting> {
    let mut out: Vec<Waiting> = Vec::new();
    for (user_id, name) in entries {
        match out.iter_mut().find(|w| w.user_id == user_id) {
            Some(w) => {
                w.count += 1;
                if !name.is_empty() {
                    w.name = name.to_string();
                }
            }
            None => out.push(Waiting {
                user_id: user_id.to_string(),
                name: name.to_string(),
                count: 1,
            }),
        }
    }
    out
}

/// The waiting counts of everyone but `user_id` (what the session is told waits for others).
pub fn waiting_for_others(all: &[Waiting], user_id: &str) -> Vec<Waiting> {
    all.iter()
        .filter(|w| w.user_id != user_id)
        .cloned()
        .collect()
}

/// The number of ops waiting for `user_id` (0 for nobody logged in).
pub fn waiting_for(all: &[Waiting], user_id: &str) -> u32 {
    all.iter()
        .filter(|w| w.user_id == user_id)
        .map(|w| w.count)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::{Hlc, new_id};

    fn op(user: &str, store: &str) -> Op {
        Op {
            op_id: new_id(1_700_000_000_000, [1; 10]),
            device_id: new_id(1_700_000_000_000, [2; 10]),
            user_id: user.into(),
            store_id: store.into(),
            record_id: new_id(1_700_000_000_000, [3; 10]),
            record_type: "customer".into(),
            hlc: Hlc::default(),
            changes: Vec::new(),
        }
    }

    const A: Pusher<'static> = Pusher {
        user_id: "user-a",
        store_id: "store-1",
    };

    #[test]
    fn a_session_pushes_its_own_ops() {
        assert!(may_push(A, &op("user-a", "store-1")));
    }

    #[test]
    fn a_colleagues_ops_wait_for_them() {
        assert!(!may_push(A, &op("user-b", "store-1")));
    }

    #[test]
    fn a_manager_does_not_push_a_colleagues_ops_either() {
        // Roles do not enter the rule: the server accepts an op only from its author.
        let manager = Pusher {
            user_id: "gm",
            store_id: "store-1",
        };
        assert!(!may_push(manager, &op("user-a", "store-1")));
    }

    #[test]
    fn an_op_of_another_store_is_not_pushed() {
        assert!(!may_push(A, &op("user-a", "store-2")));
    }

    #[test]
    fn nobody_pushes_an_op_without_an_author() {
        let nobody = Pusher {
            user_id: "",
            store_id: "store-1",
        };
        assert!(!may_push(nobody, &op("", "store-1")));
    }

    #[test]
    fn waiting_ops_are_counted_by_author_in_outbox_order() {
        let entries = [
            ("b", "张三"),
            ("a", "王芳"),
            ("b", ""),
            ("b", "张三丰"),
            ("c", ""),
        ];
        let all = waiting_by_author(entries);
        assert_eq!(
            all,
            vec![
                Waiting {
                    user_id: "b".into(),
                    name: "张三丰".into(),
                    count: 3
                },
                Waiting {
                    user_id: "a".into(),
                    name: "王芳".into(),
                    count: 1
                },
                Waiting {
                    user_id: "c".into(),
                    name: String::new(),
                    count: 1
                },
            ]
        );
        assert_eq!(waiting_for(&all, "b"), 3);
        assert_eq!(waiting_for(&all, "nobody"), 0);
        let others = waiting_for_others(&all, "b");
        assert_eq!(
            others
                .iter()
                .map(|w| w.user_id.as_str())
                .collect::<Vec<_>>(),
            ["a", "c"]
        );
    }

    #[test]
    fn an_empty_outbox_waits_for_nobody() {
        assert!(waiting_by_author([]).is_empty());
    }
}
