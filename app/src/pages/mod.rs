//! One module per page.

pub mod dashboard;
pub mod errors;
pub mod settings;
pub mod signin;
pub mod subscriptions;
pub mod users;
