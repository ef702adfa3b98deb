//! What the server sends the browser and the browser sends back, one module per area of the UI.
//!
//! The services (`seatsync-services`) build these and the pages read them, so each shape exists
//! once. Nothing here does I/O or knows the database: the crate compiles for the browser too.

pub mod alerts;
pub mod api_tokens;
pub mod billing;
pub mod contracts;
pub mod dashboard;
pub mod jobs;
pub mod licences;
pub mod links;
pub mod mapping;
pub mod me;
pub mod overview;
pub mod pax8;
pub mod products;
pub mod settings;
pub mod tickets;
pub mod users;
