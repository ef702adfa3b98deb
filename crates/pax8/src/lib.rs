//! Pax8 as SeatSync keeps it. Two users read it: the unused-licence alert run (which Pax8
//! subscription each Partner Center subscription is) and the billing count report (the quantity
//! of each product per customer). Each reads Pax8 afresh through `read_and_store` and then brings
//! the company-to-tenant links up to date through `match_companies`; both are safe to run from
//! two jobs at once.

mod links;
mod read;

pub use links::match_companies;
pub use read::{read_and_store, ReadError};
