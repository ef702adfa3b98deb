//! Server functions, one module per entity. Each is thin: check the caller's role, delegate to
//! the database or a service, convert the error.

pub mod licences;
pub mod me;
pub mod settings;
pub mod users;
