//! Reusable components, grouped by area.

pub mod alert_allowances;
pub mod alert_lists;
pub mod alert_settings;
pub mod alert_tickets;
pub mod api_tokens;
pub mod billing_settings;
pub mod changes;
pub mod closing_windows;
pub mod common;
pub mod contract_differences;
pub mod integrations;
pub mod layout;
pub mod mapping;
pub mod modal;
pub mod pax8_products;
pub mod picker;
pub mod progress;
pub mod seat_chart;
pub mod tenant_picker;
pub mod ticket_psa;
