//! Pages that belong to no area.

pub mod login;
