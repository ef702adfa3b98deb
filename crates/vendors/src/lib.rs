//! Vendor clients. Each vendor has a trait (what SeatSync needs from it) and one implementation
//! over HTTP that follows the vendor's documented wire format, shares the retry policy of
//! [`http`], and reports failures as a [`VendorError`] a person can read.

pub mod automate;
pub mod autotask;
pub mod auvik;
pub mod connectwise;
pub mod datto_rmm;
pub mod duo;
pub mod error;
pub mod graph;
pub mod halo;
pub mod http;
pub mod huntress;
pub mod ninjaone;
pub mod pace;
pub mod partner_center;
pub mod pax8;
pub mod sentinelone;
mod serde_lenient;
pub mod slot;
pub mod smtp;
mod token;

pub use error::VendorError;
pub use slot::Slot;
