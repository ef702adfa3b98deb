//! Customer (tenant → Autotask company) and service (Microsoft offer → Autotask service)
//! mappings: lists, the pickers' data, saving, suggestions and history. Reading is for everyone
//! signed in with a role; changing needs Editor.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use seatsync_domain::Role;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A mapping's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MappingState {
    Mapped,
    Ignored,
    Unmapped,
}

impl MappingState {
    pub fn label(self) -> &'static str {
        match self {
            MappingState::Mapped => "Mapped",
            MappingState::Ignored => "Ignored",
            MappingState::Unmapped => "Not mapped",
        }
    }

    #[cfg(feature = "ssr")]
    fn of(target: seatsync_db::mappings::Target) -> Self {
        match target {
            seatsync_db::mappings::Target::Mapped { .. } => MappingState::Mapped,
            seatsync_db::mappings::Target::Ignored => MappingState::Ignored,
            seatsync_db::mappings::Target::Unmapped => MappingState::Unmapped,
        }
    }
}

/// What an editor does in the mapping modal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MappingAction {
    Map,
    AcceptSuggestion,
    Ignore,
    UndoIgnore,
    Reset,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestionInfo {
    pub company_id: i64,
    pub company_name: String,
    pub confidence: f64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantMappingRow {
    pub tenant_id: String,
    pub name: String,
    pub domain: Option<String>,
    pub state: MappingState,
    pub company_id: Option<i64>,
    pub company_name: Option<String>,
    /// The mapped company is no longer in Autotask (or no longer active there).
    pub company_missing: bool,
    pub company_url: Option<String>,
    pub partner_center_url: String,
    pub version: i32,
    pub changed_by: Option<String>,
    pub changed_at: Option<DateTime<Utc>>,
    pub suggestion: Option<SuggestionInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefreshInfo {
    pub finished_at: Option<DateTime<Utc>>,
    pub companies: Option<i32>,
    pub services: Option<i32>,
    /// Why the latest refresh failed (the cache is then from the last good one).
    pub error: Option<String>,
    pub last_good_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerMappingList {
    pub rows: Vec<TenantMappingRow>,
    pub autotask_configured: bool,
    pub refresh: Option<RefreshInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompanyOption {
    pub id: i64,
    pub name: String,
    pub number: Option<String>,
    pub active: bool,
    pub web_address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub action: String,
    pub before: String,
    pub after: String,
    pub by: Option<String>,
    pub at: DateTime<Utc>,
}

#[cfg(feature = "ssr")]
fn tenant_row(r: seatsync_db::mappings::TenantRow, web: Option<&str>) -> TenantMappingRow {
    let state = MappingState::of(r.target());
    TenantMappingRow {
        company_url: match (web, r.company_id) {
            (Some(w), Some(id)) if state == MappingState::Mapped => Some(crate::api::links::autotask_company(w, id)),
            _ => None,
        },
        partner_center_url: crate::api::links::partner_center_tenant(&r.tenant_id),
        company_missing: state == MappingState::Mapped && r.company_removed,
        tenant_id: r.tenant_id,
        name: r.name,
        domain: r.primary_domain,
        state,
        company_id: r.company_id.filter(|_| state == MappingState::Mapped),
        company_name: r.company_name.filter(|_| state == MappingState::Mapped),
        version: r.version,
        changed_by: r.changed_by_name,
        changed_at: r.changed_at,
        suggestion: None,
    }
}

#[cfg(feature = "ssr")]
async fn refresh_info(pool: &seatsync_db::PgPool) -> Result<Option<RefreshInfo>, seatsync_db::DbError> {
    let (latest, good) = seatsync_db::autotask_cache::latest_refreshes(pool).await?;
    Ok(latest.map(|l| RefreshInfo {
        finished_at: l.finished_at,
        companies: good.as_ref().and_then(|g| g.companies),
        services: good.as_ref().and_then(|g| g.services),
        error: l.error,
        last_good_at: good.and_then(|g| g.finished_at),
    }))
}

/// Every tenant with its mapping and, for unmapped ones, a suggested company.
#[server(prefix = "/api", endpoint = "mapping/customers")]
pub async fn customer_mappings() -> Result<CustomerMappingList, AppError> {
    let caller = crate::server::require(Role::Viewer).await?;
    let ctx = &caller.ctx;
    let rows = seatsync_db::mappings::tenant_rows(&ctx.pool).await.map_err(|e| caller.fail(e))?;
    let suggestions = ctx.mapping.suggestions().await.map_err(|e| caller.fail(e))?;
    let companies: std::collections::HashMap<i64, String> = seatsync_db::autotask_cache::companies(&ctx.pool)
        .await
        .map_err(|e| caller.fail(e))?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let web = crate::server::autotask_web_url(ctx).await;
    let refresh = refresh_info(&ctx.pool).await.map_err(|e| caller.fail(e))?;
    let mut by_tenant: std::collections::HashMap<String, SuggestionInfo> = suggestions
        .into_iter()
        .filter_map(|s| {
            let name = companies.get(&s.company_id)?.clone();
            Some((
                s.tenant_id,
                SuggestionInfo {
                    company_id: s.company_id,
                    company_name: name,
                    confidence: s.confidence,
                    reason: s.reason,
                },
            ))
        })
        .collect();
    let rows = rows
        .into_iter()
        .map(|r| {
            let mut row = tenant_row(r, web.as_deref());
            if row.state == MappingState::Unmapped {
                row.suggestion = by_tenant.remove(&row.tenant_id);
            }
            row
        })
        .collect();
    Ok(CustomerMappingList { rows, autotask_configured: ctx.mapping.autotask_configured(), refresh })
}

/// Every Autotask company, for the picker (which filters in the browser).
#[server(prefix = "/api", endpoint = "mapping/companies")]
pub async fn autotask_companies() -> Result<Vec<CompanyOption>, AppError> {
    let caller = crate::server::require(Role::Editor).await?;
    let companies = seatsync_db::autotask_cache::companies(&caller.ctx.pool).await.map_err(|e| caller.fail(e))?;
    Ok(companies
        .into_iter()
        .map(|c| CompanyOption {
            id: c.id,
            name: c.name,
            number: c.number,
            active: c.is_active,
            web_address: c.web_address,
        })
        .collect())
}

/// Changes a tenant's mapping, if it is still at `version` (what the editor saw).
#[server(prefix = "/api", endpoint = "mapping/save_tenant")]
pub async fn save_tenant_mapping(
    tenant_id: String,
    action: MappingAction,
    company_id: Option<i64>,
    version: i32,
) -> Result<TenantMappingRow, AppError> {
    let caller = crate::server::require(Role::Editor).await?;
    use seatsync_mapping::TenantAction as A;
    let need_company = || company_id.ok_or_else(|| caller.fail(AppError::Invalid("Pick a company first.".into())));
    let action = match action {
        MappingAction::Map => A::Map { company_id: need_company()? },
        MappingAction::AcceptSuggestion => A::AcceptSuggestion { company_id: need_company()? },
        MappingAction::Ignore => A::Ignore,
        MappingAction::UndoIgnore => A::UndoIgnore,
        MappingAction::Reset => A::Reset,
    };
    let row = caller
        .ctx
        .mapping
        .apply_tenant(&tenant_id, action, version, caller.user.id)
        .await
        .map_err(|e| caller.fail(e))?;
    tracing::info!(by = %caller.user.email, tenant_id, ?action, "tenant mapping changed");
    let web = crate::server::autotask_web_url(&caller.ctx).await;
    Ok(tenant_row(row, web.as_deref()))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcceptItem {
    pub tenant_id: String,
    pub company_id: i64,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcceptOutcome {
    pub tenant_id: String,
    pub row: Option<TenantMappingRow>,
    pub error: Option<String>,
}

/// Accepts several suggestions at once; each is saved on its own, so one conflict does not stop
/// the others.
#[server(prefix = "/api", endpoint = "mapping/accept_suggestions", input = server_fn::codec::Json)]
pub async fn accept_suggestions(items: Vec<AcceptItem>) -> Result<Vec<AcceptOutcome>, AppError> {
    let caller = crate::server::require(Role::Editor).await?;
    if items.len() > 5_000 {
        return Err(caller.fail(AppError::Invalid("At most 5,000 suggestions can be accepted at once.".into())));
    }
    let web = crate::server::autotask_web_url(&caller.ctx).await;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let result = caller
            .ctx
            .mapping
            .apply_tenant(
                &item.tenant_id,
                seatsync_mapping::TenantAction::AcceptSuggestion { company_id: item.company_id },
                item.version,
                caller.user.id,
            )
            .await;
        out.push(match result {
            Ok(row) => {
                AcceptOutcome { tenant_id: item.tenant_id, row: Some(tenant_row(row, web.as_deref())), error: None }
            }
            Err(e) => {
                AcceptOutcome { tenant_id: item.tenant_id, row: None, error: Some(AppError::from(e).to_string()) }
            }
        });
    }
    tracing::info!(by = %caller.user.email, accepted = out.iter().filter(|o| o.row.is_some()).count(), "suggestions accepted");
    Ok(out)
}

/// Turns a suggestion down: that company is never suggested for that tenant again.
#[server(prefix = "/api", endpoint = "mapping/dismiss_suggestion")]
pub async fn dismiss_suggestion(tenant_id: String, company_id: i64) -> Result<(), AppError> {
    let caller = crate::server::require(Role::Editor).await?;
    caller.ctx.mapping.dismiss_suggestion(&tenant_id, company_id, caller.user.id).await.map_err(|e| caller.fail(e))
}

/// The history of a tenant's (`kind` = "tenant") or an offer's (`kind` = "offer") mapping.
#[server(prefix = "/api", endpoint = "mapping/history")]
pub async fn mapping_history(kind: String, key: String) -> Result<Vec<HistoryEntry>, AppError> {
    let caller = crate::server::require(Role::Viewer).await?;
    let kind = match kind.as_str() {
        "tenant" => seatsync_db::mappings::Kind::Tenant,
        "offer" => seatsync_db::mappings::Kind::Offer,
        other => {
            return Err(caller
                .fail(AppError::Invalid(format!("'{other}' is not a kind of mapping; expected tenant or offer."))))
        }
    };
    let entries = seatsync_db::mappings::history(&caller.ctx.pool, kind, &key).await.map_err(|e| caller.fail(e))?;
    Ok(entries
        .into_iter()
        .map(|e| HistoryEntry {
            action: e.action,
            before: describe(e.before.as_ref()),
            after: describe(e.after.as_ref()),
            by: e.changed_by_name,
            at: e.changed_at,
        })
        .collect())
}

/// An audit snapshot in words.
#[cfg(feature = "ssr")]
fn describe(v: Option<&serde_json::Value>) -> String {
    let Some(v) = v else { return "—".into() };
    match v["state"].as_str() {
        Some("mapped") => {
            let name = v["company_name"].as_str().or_else(|| v["service_name"].as_str()).unwrap_or("(unnamed)");
            let id = v["company_id"].as_i64().or_else(|| v["service_id"].as_i64()).unwrap_or_default();
            format!("Mapped to {name} ({id})")
        }
        Some("ignored") => "Ignored".into(),
        _ => "Not mapped".into(),
    }
}

/// Re-reads companies and services from Autotask now.
#[server(prefix = "/api", endpoint = "mapping/refresh")]
pub async fn refresh_autotask() -> Result<RefreshInfo, AppError> {
    let caller = crate::server::require(Role::Editor).await?;
    caller.ctx.mapping.refresh_cache("manual", Some(caller.user.id)).await.map_err(|e| caller.fail(e))?;
    let info = refresh_info(&caller.ctx.pool).await.map_err(|e| caller.fail(e))?;
    info.ok_or_else(|| caller.fail(AppError::internal("the refresh left no record", "missing refresh row")))
}

// ---- Microsoft offers to Autotask services ----

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfferMappingRow {
    pub offer_key: String,
    pub offer_name: String,
    pub product: String,
    pub term: String,
    pub billing: String,
    pub subscriptions: i64,
    pub tenants: i64,
    pub quantity: i64,
    pub state: MappingState,
    pub service_id: Option<i64>,
    pub service_name: Option<String>,
    pub service_missing: bool,
    pub version: i32,
    pub changed_by: Option<String>,
    pub changed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfferMappingList {
    pub rows: Vec<OfferMappingRow>,
    pub autotask_configured: bool,
    pub refresh: Option<RefreshInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceOption {
    pub id: i64,
    pub name: String,
    pub unit_price: Option<f64>,
    pub unit_cost: Option<f64>,
    pub period: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceDraftInfo {
    pub name: String,
    pub existing_service_id: Option<i64>,
    pub unit_price: Option<f64>,
    pub unit_cost: Option<f64>,
    pub period: String,
}

#[cfg(feature = "ssr")]
fn offer_row(r: seatsync_db::mappings::OfferRow) -> OfferMappingRow {
    let state = MappingState::of(r.target());
    let key = seatsync_domain::OfferKey::parse_key_string(&r.offer_key).ok();
    OfferMappingRow {
        product: key.as_ref().map(|k| k.product.clone()).unwrap_or_default(),
        term: key.as_ref().map(|k| k.term.clone()).unwrap_or_default(),
        billing: key.map(|k| k.billing).unwrap_or_default(),
        service_missing: state == MappingState::Mapped && r.service_removed,
        service_id: r.service_id.filter(|_| state == MappingState::Mapped),
        service_name: r.service_name.filter(|_| state == MappingState::Mapped),
        offer_key: r.offer_key,
        offer_name: r.offer_name,
        subscriptions: r.subscriptions,
        tenants: r.tenants,
        quantity: r.quantity,
        state,
        version: r.version,
        changed_by: r.changed_by_name,
        changed_at: r.changed_at,
    }
}

/// Every Microsoft offer seen in the subscriptions (offer + term + billing cycle) with its service.
#[server(prefix = "/api", endpoint = "mapping/offers")]
pub async fn offer_mappings() -> Result<OfferMappingList, AppError> {
    let caller = crate::server::require(Role::Viewer).await?;
    let rows = seatsync_db::mappings::offer_rows(&caller.ctx.pool).await.map_err(|e| caller.fail(e))?;
    let refresh = refresh_info(&caller.ctx.pool).await.map_err(|e| caller.fail(e))?;
    Ok(OfferMappingList {
        rows: rows.into_iter().map(offer_row).collect(),
        autotask_configured: caller.ctx.mapping.autotask_configured(),
        refresh,
    })
}

/// Every Autotask service, for the picker.
#[server(prefix = "/api", endpoint = "mapping/services")]
pub async fn autotask_services() -> Result<Vec<ServiceOption>, AppError> {
    let caller = crate::server::require(Role::Editor).await?;
    let services = seatsync_db::autotask_cache::services(&caller.ctx.pool).await.map_err(|e| caller.fail(e))?;
    Ok(services
        .into_iter()
        .map(|s| ServiceOption {
            id: s.id,
            name: s.name,
            unit_price: s.unit_price,
            unit_cost: s.unit_cost,
            period: s.period_label,
            active: s.is_active,
        })
        .collect())
}

#[server(prefix = "/api", endpoint = "mapping/save_offer")]
pub async fn save_offer_mapping(
    offer_key: String,
    action: MappingAction,
    service_id: Option<i64>,
    version: i32,
) -> Result<OfferMappingRow, AppError> {
    let caller = crate::server::require(Role::Editor).await?;
    use seatsync_mapping::OfferAction as A;
    let action = match action {
        MappingAction::Map | MappingAction::AcceptSuggestion => A::Map {
            service_id: service_id.ok_or_else(|| caller.fail(AppError::Invalid("Pick a service first.".into())))?,
        },
        MappingAction::Ignore => A::Ignore,
        MappingAction::UndoIgnore => A::UndoIgnore,
        MappingAction::Reset => A::Reset,
    };
    let row = caller
        .ctx
        .mapping
        .apply_offer(&offer_key, action, version, caller.user.id)
        .await
        .map_err(|e| caller.fail(e))?;
    tracing::info!(by = %caller.user.email, offer_key, ?action, "offer mapping changed");
    Ok(offer_row(row))
}

/// The service the naming template proposes for an offer, with price and cost where known.
#[server(prefix = "/api", endpoint = "mapping/service_draft")]
pub async fn service_draft(offer_key: String) -> Result<ServiceDraftInfo, AppError> {
    let caller = crate::server::require(Role::Editor).await?;
    let d = caller.ctx.mapping.service_draft(&offer_key).await.map_err(|e| caller.fail(e))?;
    Ok(ServiceDraftInfo {
        name: d.name,
        existing_service_id: d.existing_service_id,
        unit_price: d.unit_price,
        unit_cost: d.unit_cost,
        period: d.period.into(),
    })
}

/// Reads an amount as a person writes it ("12,50", "€ 7", "$1,200.00"); empty is `None`. An
/// amount that could be read two ways is sent back as a question.
#[cfg(feature = "ssr")]
pub(crate) fn amount(label: &str, text: &str) -> Result<Option<f64>, AppError> {
    seatsync_domain::parse_amount(text).map_err(|e| AppError::Invalid(format!("The {label}: {e}.")))
}

/// Creates the service in Autotask (or finds it by name) and maps the offer to it.
#[server(prefix = "/api", endpoint = "mapping/create_service")]
pub async fn create_service(
    offer_key: String,
    name: String,
    unit_price: String,
    unit_cost: String,
    version: i32,
) -> Result<OfferMappingRow, AppError> {
    let caller = crate::server::require(Role::Editor).await?;
    let price = amount("price", &unit_price).map_err(|e| caller.fail(e))?.ok_or_else(|| {
        caller.fail(AppError::Invalid("The service needs a price (what the customer pays per unit).".into()))
    })?;
    let cost = amount("cost", &unit_cost).map_err(|e| caller.fail(e))?;
    let row = caller
        .ctx
        .mapping
        .create_service_and_map(&offer_key, &name, price, cost, version, caller.user.id)
        .await
        .map_err(|e| caller.fail(e))?;
    tracing::info!(by = %caller.user.email, offer_key, service = %name, "service created and mapped");
    Ok(offer_row(row))
}
