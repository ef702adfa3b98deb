//! Reusable components, grouped by area.

pub mod layout;
pub mod seat_chart;
pub mod modal;
pub mod picker;
pub mod progress;
pub mod tenant_picker;
pub mod mapping;
