//! Reusable components, grouped by area.

pub mod layout;
pub mod seat_chart;
