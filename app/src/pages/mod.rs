//! One module per page.

pub mod alerts;
pub mod billing;
pub mod contracts;
pub mod customer_mapping;
pub mod dashboard;
pub mod errors;
pub mod integration;
pub mod jobs;
pub mod overview;
pub mod pax8_companies;
pub mod products;
pub mod reduce;
pub mod service_mapping;
pub mod settings;
pub mod signin;
pub mod subscriptions;
pub mod ticket_companies;
pub mod tool_customers;
pub mod users;
