//! The vendor APIs, one module per vendor, each in its documented wire format.

pub mod automate;
pub mod autotask;
pub mod auvik;
pub mod connectwise;
pub mod datto_rmm;
pub mod duo;
mod graph;
pub mod halo;
pub mod huntress;
pub mod ninjaone;
mod partner_center;
mod pax8;
mod psa;
pub mod sentinelone;

use std::sync::Arc;

use axum::{
    http::{header, HeaderMap},
    Router,
};

use serde_json::json;

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
        .merge(datto_rmm::router())
        .merge(huntress::router())
        .merge(ninjaone::router())
        .merge(sentinelone::router())
        .merge(automate::router())
        .merge(duo::router())
        .merge(auvik::router())
}

/// The steering endpoints of the vendors (`/_sim/autotask/…`, `/_sim/partner-center/…`).
pub fn control_router() -> Router<Arc<Sim>> {
    Router::new()
        .merge(autotask::control_router())
        .merge(partner_center::control_router())
        .route("/_sim/connectwise/{what}", axum::routing::get(connectwise::received))
        .route("/_sim/halo/{what}", axum::routing::get(halo::received))
        .route("/_sim/graph/{tenant}/assigned", axum::routing::post(graph::set_assigned))
        .route("/_sim/huntress/organizations/{id}", axum::routing::post(huntress::change_organization))
        .route("/_sim/billing-tools", axum::routing::get(billing_tools))
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

/// `GET /_sim/billing-tools`: each tool's customers with the tenant each truly is, and their
/// counts, for tests to check a report against.
async fn billing_tools(axum::extract::State(sim): axum::extract::State<Arc<Sim>>) -> axum::Json<serde_json::Value> {
    let msp = sim.msp();
    let tools = &msp.billing_tools;
    let mut categories = std::collections::HashMap::<&str, std::collections::BTreeMap<&str, i64>>::new();
    let mut suspended = categories.clone();
    for d in tools.datto_devices.iter().filter(|d| !d.deleted) {
        *categories.entry(d.site_uid.as_str()).or_default().entry(d.category).or_default() += 1;
        if d.suspended {
            *suspended.entry(d.site_uid.as_str()).or_default().entry(d.category).or_default() += 1;
        }
    }
    let sites: Vec<serde_json::Value> = tools
        .datto_sites
        .iter()
        .map(|s| {
            let counts = categories.remove(s.uid.as_str()).unwrap_or_default();
            let suspended = suspended.remove(s.uid.as_str()).unwrap_or_default();
            json!({"uid": s.uid, "name": s.name, "tenantId": s.tenant_id, "system": s.on_demand || ["Managed", "OnDemand", "Deleted Devices"].contains(&s.name.as_str()),
                   "autotaskCompanyId": s.autotask_company.as_ref().map(|(id, _)| id), "categories": counts, "suspended": suspended})
        })
        .collect();
    let orgs: Vec<serde_json::Value> = tools
        .huntress
        .iter()
        .map(|o| {
            json!({"id": o.id, "name": o.name, "tenantId": o.tenant_id, "agents": o.agents_count, "billableAgents": o.billable_agents(),
                        "identities": o.billable_identity_count, "identityTenantId": o.identity_provider_tenant_id})
        })
        .collect();
    axum::Json(json!({
        "dattoRmm": sites,
        "huntress": orgs,
        "ninjaone": ninjaone::truth(&tools.ninjaone),
        "sentinelone": sentinelone::truth(&tools.sentinelone),
        "automate": automate::truth(&tools.automate),
        "duo": duo::truth(&tools.duo),
        "auvik": auvik::truth(&tools.auvik),
    }))
}
