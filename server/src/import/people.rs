//! The people named in a sheet (销售顾问, …) matched to the store's users: by display name or
//! username. A name that is nobody's, or the name of someone who has left, goes where the
//! manager said in the preview (a colleague, e.g. the one who took over the leaver's customers),
//! or stays unassigned with the name kept as written.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One user of the store, as the matching needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: String,
    pub display_name: String,
    pub username: String,
    /// False once the person has left (deactivated).
    pub active: bool,
}

/// A name of the sheet in the preview: how often it appears and whom it matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NameInSheet {
    /// As written in the sheet.
    pub name: String,
    /// Rows naming them.
    pub rows: usize,
    /// The active user of that name or username, if any.
    pub user_id: Option<String>,
    /// The name is that of a user who has left.
    pub left: bool,
}

/// Where a name's rows go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assigned {
    /// This user (matched, or the manager's choice).
    User(String),
    /// Nobody; the name is kept as written. `left`: the name is a leaver's.
    Kept { name: String, left: bool },
}

/// The store's users and the manager's choices for names (`name → user id`; `""` =
/// unassigned, kept as written).
#[derive(Debug, Clone, Default)]
pub struct People {
    users: Vec<Person>,
    choices: HashMap<String, String>,
}

impl People {
    pub fn new(users: Vec<Person>, choices: HashMap<String, String>) -> People {
        People { users, choices }
    }

    /// The user a name is (display name exactly, or username in any case).
    fn user_named(&self, written: &str) -> Option<&Person> {
        let w = written.trim();
        let by = |p: &&Person| p.display_name.trim() == w || p.username.eq_ignore_ascii_case(w);
        self.users
            .iter()
            .filter(|p| p.active)
            .find(by)
            .or_else(|| self.users.iter().find(by))
    }

    fn active_id(&self, id: &str) -> Option<&Person> {
        self.users.iter().find(|p| p.active && p.id == id)
    }

    /// Where the rows naming `written` go: the manager's choice first (when it names an active
    /// user, or is blank = kept), else the active user of that name, else kept.
    pub fn assign(&self, written: &str) -> Assigned {
        let w = written.trim();
        let matched = self.user_named(w);
        let left = matched.is_some_and(|p| !p.active);
        if let Some(choice) = self.choices.get(w) {
            if choice.trim().is_empty() {
                return Assigned::Kept {
                    name: w.to_owned(),
                    left,
                };
            }
            if let Some(p) = self.active_id(choice.trim()) {
                return Assigned::User(p.id.clone());
            }
        }
        match matched {
            Some(p) if p.active => Assigned::User(p.id.clone()),
            _ => Assigned::Kept {
                name: w.to_owned(),
                left,
            },
        }
    }

    /// The names of `written` (one per row, blanks ignored) with their counts and matches,
    /// in first-seen order.
    pub fn names<'a>(&self, written: impl IntoIterator<Item = &'a str>) -> Vec<NameInSheet> {
        let mut counted = NameCount::default();
        for w in written {
            counted.add(w);
        }
        self.named(counted)
    }

    /// The names counted as the rows passed, with their matches.
    pub fn named(&self, counted: NameCount) -> Vec<NameInSheet> {
        let NameCount { order, counts } = counted;
        order
            .into_iter()
            .map(|name| {
                let matched = self.user_named(&name);
                NameInSheet {
                    rows: counts.get(&name).copied().unwrap_or(0),
                    user_id: matched.filter(|p| p.active).map(|p| p.id.clone()),
                    left: matched.is_some_and(|p| !p.active),
                    name,
                }
            })
            .collect()
    }
}

/// The names of a person column counted one row at a time (first-seen order kept; what grows is
/// the number of different names, not of rows).
#[derive(Debug, Clone, Default)]
pub struct NameCount {
    order: Vec<String>,
    counts: BTreeMap<String, usize>,
}

impl NameCount {
    /// One row's cell (a blank is not a name).
    pub fn add(&mut self, written: &str) {
        let w = written.trim();
        if w.is_empty() {
            return;
        }
        if let Some(n) = self.counts.get_mut(w) {
            *n += 1;
        } else {
            self.counts.insert(w.to_owned(), 1);
            self.order.push(w.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people(choices: &[(&str, &str)]) -> People {
        let p = |id: &str, name: &str, user: &str, active: bool| Person {
            id: id.into(),
            display_name: name.into(),
            username: user.into(),
            active,
        };
        People::new(
            vec![
                p("u1", "王芳", "wangfang", true),
                p("u2", "张伟", "zhangwei", false),
                p("u3", "刘洋", "liuyang", true),
            ],
            choices
                .iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn names_are_matched_or_go_where_the_manager_said() {
        let p = people(&[]);
        assert_eq!(p.assign("王芳"), Assigned::User("u1".into()));
        assert_eq!(p.assign("WangFang"), Assigned::User("u1".into()));
        assert_eq!(
            p.assign("张伟"),
            Assigned::Kept {
                name: "张伟".into(),
                left: true
            }
        );
        assert_eq!(
            p.assign("赵六"),
            Assigned::Kept {
                name: "赵六".into(),
                left: false
            }
        );
        // The leaver's customers to the colleague who took them over; an unknown name kept.
        let p = people(&[("张伟", "u3"), ("赵六", ""), ("王芳", "u2")]);
        assert_eq!(p.assign("张伟"), Assigned::User("u3".into()));
        assert!(matches!(p.assign("赵六"), Assigned::Kept { .. }));
        // A choice of someone who has left does not count.
        assert_eq!(p.assign("王芳"), Assigned::User("u1".into()));
    }

    #[test]
    fn the_names_of_a_sheet() {
        let p = people(&[]);
        let names = p.names(["王芳", "赵六", "", "王芳", "张伟"]);
        assert_eq!(
            names,
            [
                NameInSheet {
                    name: "王芳".into(),
                    rows: 2,
                    user_id: Some("u1".into()),
                    left: false
                },
                NameInSheet {
                    name: "赵六".into(),
                    rows: 1,
                    user_id: None,
                    left: false
                },
                NameInSheet {
                    name: "张伟".into(),
                    rows: 1,
                    user_id: None,
                    left: true
                },
            ]
        );
    }
}
