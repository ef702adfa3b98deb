//! Integration tests: the real server over HTTP, a fresh PostgreSQL database per test, and the
//! vendor simulator as identity provider, all in-process on ephemeral ports.

mod helpers;

mod alerts;
mod billing;
mod config_errors;
mod dashboard;
mod demo_setup;
mod health;
mod integrations;
mod licences;
mod mapping;
mod overview;
mod page_cache;
mod products;
mod role_matrix;
mod security;
mod sign_in;
mod users;
