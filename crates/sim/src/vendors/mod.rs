//! The vendor APIs, one module per vendor, each in its documented wire format.

pub mod autotask;
pub mod connectwise;
mod graph;
pub mod halo;
mod partner_center;
mod pax8;
mod psa;

use std::sync::Arc;

use axum::{
    http::{header, HeaderMap},
    Router,
};

use crate::{state::AccessGrant, Sim};

pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .merge(partner_center::router())
        .merge(graph::router())
        .merge(autotask::router())
        .merge(pax8::router())
        .merge(psa::router())
        .merge(connectwise::router())
        .merge(halo::router())
}

/// The steering endpoints of the vendors (`/_sim/autotask/…`, `/_sim/partner-center/…`).
pub fn control_router() -> Router<Arc<Sim>> {
    Router::new()
        .merge(autotask::control_router())
        .merge(partner_center::control_router())
        .route("/_sim/connectwise/{what}", axum::routing::get(connectwise::received))
        .route("/_sim/halo/{what}", axum::routing::get(halo::received))
        .route("/_sim/graph/{tenant}/assigned", axum::routing::post(graph::set_assigned))
}

/// The grant behind the request's `Authorization: Bearer` token, when it is for `audience`.
fn bearer(sim: &Sim, headers: &HeaderMap, audience: &str) -> Option<AccessGrant> {
    let token = headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ")?;
    sim.grant(token).filter(|g| g.audience == audience)
}

/// RFC 3339 with seven fractional digits, as Partner Center writes NCE timestamps.
fn ms_time(t: chrono::DateTime<chrono::Utc>) -> String {
    format!("{}{:07}Z", t.format("%Y-%m-%dT%H:%M:%S."), t.timestamp_subsec_nanos() / 100)
}
