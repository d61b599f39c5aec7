//! 管理: what managers (销售经理, 客服经理, 总经理) do for the store. One file per page.

pub mod devices;
