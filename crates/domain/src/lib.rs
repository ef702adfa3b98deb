//! SeatSync's domain: the types and rules every layer shares.
//!
//! Nothing in this crate performs I/O or knows about Leptos, axum or sqlx, so it compiles for the
//! browser (WASM) as well as the server, and its rules are tested as plain functions. Nothing
//! reads the clock either: rules that depend on the date take `today` as an argument.

pub mod amount;
pub mod billing;
pub mod billing_delivery;
pub mod contract_plan;
pub mod contract_view;
pub mod email;
pub mod grouping;
pub mod ids;
pub mod integration;
pub mod kinds;
pub mod mapping;
pub mod naming;
pub mod offer;
pub mod pax8_match;
pub mod product_names;
pub mod reducible;
pub mod role;
pub mod seats;
pub mod service_match;
pub mod spreadsheet;
pub mod suggest;
pub mod term;
pub mod tool_customers;

pub use amount::{parse_amount, AmountError};
pub use contract_plan::{plan_contract, row_state, Change, ContractServiceState, PlannedSubscription, RowState};
pub use grouping::{
    contract_dates, contracts_for_group, group_subscriptions, match_contract, ContractGroup, ContractGrouping,
    ContractMatch, ContractSpan, Excluded, GroupInput, GroupKey, GroupKeyError, Grouping, TermSpan,
};
pub use ids::{CompanyId, ContractId, Pax8CompanyId, Pax8SubscriptionId, ServiceId, SkuId, SubscriptionId, TenantId};
pub use mapping::{Mapping, MappingState, ServiceMapping, TenantMapping};
pub use naming::{
    fit_name, Template, TemplateError, CONTRACT_PLACEHOLDERS, DEFAULT_CONTRACT_TEMPLATE, DEFAULT_SERVICE_TEMPLATE,
    SERVICE_PLACEHOLDERS,
};
pub use offer::{OfferKey, OfferKeyError};
pub use product_names::{bundled, display_name, parse_licensing_csv, CsvError, ProductName, ProductNames};
pub use role::{AccessChange, OverrideSource, Role, RoleMap, RoleMapError, RoleOrigin};
pub use seats::{is_user_sku, monthly_cost, monthly_price, unused, wasted, PricePeriod, SkuUnits};
pub use service_match::{match_service, MatchStrength, OfferForMatching, ServiceForMatching, ServiceMatch};
pub use suggest::{
    domain_stem, name_similarity, normalize_company_name, suggest, CompanyForMatching, Suggestion, TenantForMatching,
};
pub use term::{billing_cycle_words, Term};
