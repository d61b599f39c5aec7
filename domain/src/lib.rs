//! The dealership domain of forecourt, shared by the app (wasm) and the server.
//!
//! Pure code only: no browser, no server, no I/O. Everything here is tested natively
//! with `cargo test -p domain`.

pub mod audit;
pub mod blob;
pub mod care;
#[cfg(test)]
mod dice;
pub mod history;
pub mod label;
pub mod parts;
pub mod plan;
pub mod policy;
pub mod records;
pub mod roles;
pub mod sales;
pub mod service;
pub mod staff;
pub mod sync;
pub mod time;

pub use roles::{Actor, Area, Role};
