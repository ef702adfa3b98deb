//! Licence reporting on top of what the licence sync stores: the names products are shown under,
//! and the seats overview of every tenant (bought, assigned, unused, and what the waste costs).

pub mod catalog;
pub mod overview;

pub use catalog::{Catalog, CatalogError};
pub use overview::{overview, TenantOverview};
