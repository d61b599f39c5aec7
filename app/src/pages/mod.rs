//! Pages that belong to no area.

pub mod login;
pub mod password;
pub mod setup;
