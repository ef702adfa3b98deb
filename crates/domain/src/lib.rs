//! SeatSync's domain: the types and rules every layer shares.
//!
//! Nothing in this crate performs I/O or knows about Leptos, axum or sqlx, so it compiles for the
//! browser (WASM) as well as the server, and its rules are tested as plain functions.

pub mod role;

pub use role::{Role, RoleMap, RoleMapError};
