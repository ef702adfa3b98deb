//! Server functions, one module per entity. Each is thin: check the caller's role, delegate to
//! the database or a service, convert the error.

pub mod alerts;
pub mod api_tokens;
pub mod billing;
pub mod contracts;
pub mod dashboard;
pub mod jobs;
pub mod licences;
pub mod mapping;
pub mod me;
pub mod overview;
pub mod pax8;
pub mod products;
pub mod settings;
pub mod tickets;
pub mod users;

/// Server functions that take a file (multipart form data). server_fn panics on a body that is
/// not multipart with a boundary, so the server refuses such requests before they reach it.
pub const UPLOAD_PATHS: &[&str] = &["/api/products/upload"];
