//! The nine roles of a 4S store (shared/domain.md, "People") and the four areas of the app
//! each role may use.

use serde::{Deserialize, Serialize};

/// A job a person does in the store. A user has one or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 销售顾问
    SalesConsultant,
    /// 销售经理
    SalesManager,
    /// 服务顾问
    ServiceAdvisor,
    /// 维修技师
    Technician,
    /// 质检员
    QcInspector,
    /// 零件专员
    PartsClerk,
    /// 客服专员
    CustomerService,
    /// 客服经理
    CustomerServiceManager,
    /// 总经理
    GeneralManager,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::SalesConsultant,
        Role::SalesManager,
        Role::ServiceAdvisor,
        Role::Technician,
        Role::QcInspector,
        Role::PartsClerk,
        Role::CustomerService,
        Role::CustomerServiceManager,
        Role::GeneralManager,
    ];

    /// The stable identifier used on the wire and in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::SalesConsultant => "sales_consultant",
            Role::SalesManager => "sales_manager",
            Role::ServiceAdvisor => "service_advisor",
            Role::Technician => "technician",
            Role::QcInspector => "qc_inspector",
            Role::PartsClerk => "parts_clerk",
            Role::CustomerService => "customer_service",
            Role::CustomerServiceManager => "customer_service_manager",
            Role::GeneralManager => "general_manager",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Managers see the store's devices and may revoke one.
    pub fn is_manager(self) -> bool {
        matches!(
            self,
            Role::SalesManager | Role::CustomerServiceManager | Role::GeneralManager
        )
    }

    /// Whether this role manages `area`: reviews and confirms what others did there, changes
    /// its settings, imports lists (e.g. sales: confirms losses, merges duplicates, edits the
    /// catalogue). The general manager manages every area; the sales manager sales; the
    /// customer-service manager care. No role manages service or management alone.
    pub fn manages(self, area: Area) -> bool {
        match self {
            Role::GeneralManager => true,
            Role::SalesManager => area == Area::Sales,
            Role::CustomerServiceManager => area == Area::Care,
            _ => false,
        }
    }

    /// Whether this role works in `area` (one of [`Role::areas`]).
    pub fn works_in(self, area: Area) -> bool {
        self.areas().contains(&area)
    }

    /// Whether any of `roles` manages `area`.
    pub fn any_manages(roles: &[Role], area: Area) -> bool {
        roles.iter().any(|r| r.manages(area))
    }

    /// Whether any of `roles` works in `area`.
    pub fn any_works_in(roles: &[Role], area: Area) -> bool {
        roles.iter().any(|r| r.works_in(area))
    }

    /// The roles that manage `area`, in [`Role::ALL`] order.
    pub fn managers_of(area: Area) -> Vec<Role> {
        Role::ALL.into_iter().filter(|r| r.manages(area)).collect()
    }

    /// The areas of the app this role works in.
    pub fn areas(self) -> &'static [Area] {
        match self {
            Role::SalesConsultant => &[Area::Sales],
            Role::SalesManager => &[Area::Sales, Area::Management],
            Role::ServiceAdvisor | Role::Technician | Role::QcInspector | Role::PartsClerk => {
                &[Area::Service]
            }
            Role::CustomerService => &[Area::Care],
            Role::CustomerServiceManager => &[Area::Care, Area::Management],
            Role::GeneralManager => &[Area::Sales, Area::Service, Area::Care, Area::Management],
        }
    }
}

/// Who makes a change: the user's id (a uuid string, as ops carry it in `user_id` and records in
/// `consultant_id`) and their roles. The rules of `crate::policy` decide by it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user_id: String,
    pub roles: Vec<Role>,
}

impl Actor {
    pub fn new(user_id: impl Into<String>, roles: &[Role]) -> Actor {
        Actor {
            user_id: user_id.into(),
            roles: roles.to_vec(),
        }
    }

    /// Whether the actor manages `area` ([`Role::manages`] for one of their roles).
    pub fn manages(&self, area: Area) -> bool {
        Role::any_manages(&self.roles, area)
    }

    /// Whether `id` (a user id as a record stores it) is this actor: equal as uuids when both
    /// parse, else as trimmed text.
    pub fn is(&self, id: &str) -> bool {
        let (a, b) = (id.trim(), self.user_id.trim());
        match (uuid::Uuid::parse_str(a), uuid::Uuid::parse_str(b)) {
            (Ok(x), Ok(y)) => x == y,
            _ => a == b,
        }
    }
}

/// The four areas of the app: 销售, 售后, 客服, 管理.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    Sales,
    Service,
    Care,
    Management,
}

impl Area {
    pub const ALL: [Area; 4] = [Area::Sales, Area::Service, Area::Care, Area::Management];

    /// The URL path of the area in the app.
    pub fn path(self) -> &'static str {
        match self {
            Area::Sales => "/sales",
            Area::Service => "/service",
            Area::Care => "/care",
            Area::Management => "/manage",
        }
    }

    /// The areas a user with these roles may use, in navigation order, without repeats.
    pub fn for_roles(roles: &[Role]) -> Vec<Area> {
        Area::ALL
            .into_iter()
            .filter(|a| roles.iter().any(|r| r.areas().contains(a)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_ids_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.as_str()));
        }
        assert_eq!(Role::parse("boss"), None);
    }

    #[test]
    fn consultant_sees_only_sales() {
        assert_eq!(Area::for_roles(&[Role::SalesConsultant]), vec![Area::Sales]);
    }

    #[test]
    fn general_manager_sees_everything_once() {
        assert_eq!(
            Area::for_roles(&[Role::GeneralManager, Role::SalesManager]),
            Area::ALL.to_vec()
        );
    }

    #[test]
    fn who_manages_each_area() {
        assert_eq!(
            Role::managers_of(Area::Sales),
            vec![Role::SalesManager, Role::GeneralManager]
        );
        assert_eq!(
            Role::managers_of(Area::Care),
            vec![Role::CustomerServiceManager, Role::GeneralManager]
        );
        assert_eq!(Role::managers_of(Area::Service), vec![Role::GeneralManager]);
        assert!(!Role::SalesConsultant.manages(Area::Sales));
        assert!(!Role::SalesManager.manages(Area::Care));
        assert!(Role::any_manages(
            &[Role::SalesConsultant, Role::SalesManager],
            Area::Sales
        ));
        assert!(!Role::any_manages(&[], Area::Sales));
        // A manager of an area works in it.
        for r in Role::ALL {
            for a in Area::ALL {
                assert!(!r.manages(a) || r.works_in(a), "{r:?} {a:?}");
            }
        }
    }

    #[test]
    fn who_works_in_sales() {
        let sales: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.works_in(Area::Sales))
            .collect();
        assert_eq!(
            sales,
            vec![
                Role::SalesConsultant,
                Role::SalesManager,
                Role::GeneralManager
            ]
        );
        assert!(Role::any_works_in(
            &[Role::Technician, Role::GeneralManager],
            Area::Service
        ));
        assert!(!Role::any_works_in(&[Role::Technician], Area::Sales));
    }

    #[test]
    fn every_role_has_an_area() {
        for r in Role::ALL {
            assert!(!Area::for_roles(&[r]).is_empty(), "{r:?}");
        }
    }
}
