//! The Customers and Services mapping pages: every tenant and offer with its mapping, the
//! pickers' data, saving (versioned), suggestions, history, and the Autotask cache refresh.

use std::collections::HashMap;

use seatsync_api_types::{
    links,
    mapping::{
        AcceptItem, AcceptOutcome, AcceptServiceItem, AcceptServiceOutcome, CompanyDraftInfo, CompanyOption,
        CustomerMappingList, HistoryEntry, MappingAction, MappingState, NewCompanyForm, OfferMappingList,
        OfferMappingRow, OwnerOption, RefreshInfo, ServiceDraftInfo, ServiceOption, ServiceSuggestionInfo,
        SuggestionInfo, TemplateServiceDraft, TemplateServiceItem, TenantMappingRow, UndoServiceAccept,
        UndoTenantAccept,
    },
};
use seatsync_db::{autotask_cache, mappings};
use seatsync_domain::{CompanyId, MatchStrength, ServiceId, TenantId};
use seatsync_mapping::{CompanyRequest, OfferAction, TenantAction};

use crate::{products::amount, ServiceError, Services, Staff};

fn tenant_row(r: mappings::TenantRow, web: Option<&str>) -> TenantMappingRow {
    let state = r.target().state();
    TenantMappingRow {
        company_url: match (web, r.company_id) {
            (Some(w), Some(id)) if state == MappingState::Mapped => Some(links::autotask_company(w, id)),
            _ => None,
        },
        partner_center_url: links::partner_center_tenant(&r.tenant_id),
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

fn offer_row(r: mappings::OfferRow) -> OfferMappingRow {
    let state = r.target().state();
    let key = seatsync_domain::OfferKey::parse_key_string(&r.offer_key).ok();
    OfferMappingRow {
        nce: key.as_ref().is_none_or(seatsync_domain::OfferKey::is_nce),
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
        suggestion: None,
    }
}

/// An audit snapshot in words.
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

/// A bulk change is refused past this many items: it is saved row by row.
fn at_most_at_once(n: usize) -> Result<(), ServiceError> {
    if n > 5_000 {
        return Err(ServiceError::Invalid("At most 5,000 mappings can be changed at once.".into()));
    }
    Ok(())
}

impl Services {
    async fn refresh_info(&self) -> Result<Option<RefreshInfo>, ServiceError> {
        let autotask_cache::LatestRefreshes { latest, good } = autotask_cache::latest_refreshes(&self.pool).await?;
        Ok(latest.map(|l| RefreshInfo {
            finished_at: l.finished_at,
            companies: good.as_ref().and_then(|g| g.companies),
            services: good.as_ref().and_then(|g| g.services),
            error: l.error,
            last_good_at: good.and_then(|g| g.finished_at),
        }))
    }

    /// Every tenant with its mapping and, for unmapped ones, a suggested company.
    pub async fn customer_mappings(&self) -> Result<CustomerMappingList, ServiceError> {
        let (rows, companies) =
            tokio::try_join!(mappings::tenant_rows(&self.pool), autotask_cache::companies(&self.pool))?;
        let suggestions = self.mapping.suggestions().await?;
        let companies: HashMap<CompanyId, String> = companies.into_iter().map(|c| (c.id, c.name)).collect();
        let web = self.autotask_web_url().await;
        let refresh = self.refresh_info().await?;
        let mut by_tenant: HashMap<TenantId, SuggestionInfo> = suggestions
            .into_iter()
            .filter_map(|s| {
                let company_name = companies.get(&s.company_id)?.clone();
                Some((
                    s.tenant_id,
                    SuggestionInfo {
                        company_id: s.company_id,
                        company_name,
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
        Ok(CustomerMappingList { rows, autotask_configured: self.mapping.autotask_configured(), refresh })
    }

    /// Every Autotask company, for the picker (which filters in the browser).
    pub async fn autotask_companies(&self) -> Result<Vec<CompanyOption>, ServiceError> {
        Ok(autotask_cache::companies(&self.pool)
            .await?
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
    pub async fn save_tenant_mapping(
        &self,
        by: &Staff,
        tenant_id: &TenantId,
        action: MappingAction,
        company_id: Option<CompanyId>,
        version: i32,
    ) -> Result<TenantMappingRow, ServiceError> {
        let need_company = || company_id.ok_or_else(|| ServiceError::Invalid("Pick a company first.".into()));
        let action = match action {
            MappingAction::Map => TenantAction::Map { company_id: need_company()? },
            MappingAction::AcceptSuggestion => TenantAction::AcceptSuggestion { company_id: need_company()? },
            MappingAction::Ignore => TenantAction::Ignore,
            MappingAction::UndoIgnore => TenantAction::UndoIgnore,
            MappingAction::Reset => TenantAction::Reset,
        };
        let row = self.mapping.apply_tenant(tenant_id, action, version, Some(by.id)).await?;
        tracing::info!(by = %by.email, %tenant_id, ?action, "tenant mapping changed");
        Ok(tenant_row(row, self.autotask_web_url().await.as_deref()))
    }

    /// The form for creating a tenant's company in Autotask: its name and web address from the
    /// tenant, the people who can own it (the signed-in person preselected when Autotask knows
    /// them), and whether a phone number is required.
    pub async fn company_draft(&self, by: &Staff, tenant_id: &TenantId) -> Result<CompanyDraftInfo, ServiceError> {
        let d = self.mapping.company_draft(tenant_id, &by.email).await?;
        Ok(CompanyDraftInfo {
            tenant_name: d.tenant_name,
            name: d.name,
            web_address: d.web_address,
            owners: d
                .owners
                .into_iter()
                .map(|r| OwnerOption { name: r.display_name(), id: r.id, title: r.title })
                .collect(),
            default_owner: d.default_owner,
            phone_required: d.phone_required,
            version: d.version,
        })
    }

    /// Creates the tenant's company in Autotask and maps the tenant to it.
    pub async fn create_company(&self, by: &Staff, form: NewCompanyForm) -> Result<TenantMappingRow, ServiceError> {
        let owner_resource_id =
            form.owner_id.ok_or_else(|| ServiceError::Invalid("Choose who owns the company in Autotask.".into()))?;
        let request = CompanyRequest {
            name: form.name,
            owner_resource_id,
            phone: Some(form.phone),
            web_address: Some(form.web_address),
        };
        let row = self.mapping.create_company_and_map(&form.tenant_id, &request, form.version, by.id).await?;
        tracing::info!(by = %by.email, tenant_id = %form.tenant_id, company = ?row.company_id, "company created and mapped");
        Ok(tenant_row(row, self.autotask_web_url().await.as_deref()))
    }

    /// Accepts several suggestions; each is saved on its own, so one conflict does not stop the
    /// others.
    pub async fn accept_suggestions(
        &self,
        by: &Staff,
        items: Vec<AcceptItem>,
    ) -> Result<Vec<AcceptOutcome>, ServiceError> {
        let actions = items
            .into_iter()
            .map(|i| (i.tenant_id, TenantAction::AcceptSuggestion { company_id: i.company_id }, i.version))
            .collect();
        let out = self.apply_tenants(by, actions).await?;
        tracing::info!(by = %by.email, accepted = out.iter().filter(|o| o.row.is_some()).count(), "suggestions accepted");
        Ok(out)
    }

    /// Takes a bulk accept back: each tenant is unmapped again unless someone changed it since.
    pub async fn undo_accepted_suggestions(
        &self,
        by: &Staff,
        items: Vec<UndoTenantAccept>,
    ) -> Result<Vec<AcceptOutcome>, ServiceError> {
        let actions = items.into_iter().map(|i| (i.tenant_id, TenantAction::UndoAccept, i.version)).collect();
        let out = self.apply_tenants(by, actions).await?;
        tracing::info!(by = %by.email, undone = out.iter().filter(|o| o.row.is_some()).count(), "accepted suggestions undone");
        Ok(out)
    }

    /// Applies each tenant's action on its own, so one conflict does not stop the others.
    async fn apply_tenants(
        &self,
        by: &Staff,
        actions: Vec<(TenantId, TenantAction, i32)>,
    ) -> Result<Vec<AcceptOutcome>, ServiceError> {
        at_most_at_once(actions.len())?;
        let web = self.autotask_web_url().await;
        let mut out = Vec::with_capacity(actions.len());
        for (tenant_id, action, version) in actions {
            let result = self.mapping.apply_tenant(&tenant_id, action, version, Some(by.id)).await;
            out.push(match result {
                Ok(row) => AcceptOutcome { tenant_id, row: Some(tenant_row(row, web.as_deref())), error: None },
                Err(e) => AcceptOutcome { tenant_id, row: None, error: Some(ServiceError::from(e).to_string()) },
            });
        }
        Ok(out)
    }

    /// Maps several offers to their suggested services; each is saved on its own, so one conflict
    /// does not stop the others.
    pub async fn accept_service_suggestions(
        &self,
        by: &Staff,
        items: Vec<AcceptServiceItem>,
    ) -> Result<Vec<AcceptServiceOutcome>, ServiceError> {
        let actions = items
            .into_iter()
            .map(|i| (i.offer_key, OfferAction::Map { service_id: i.service_id }, i.version))
            .collect();
        let out = self.apply_offers(by, actions).await?;
        let accepted = out.iter().filter(|o| o.row.is_some()).count();
        tracing::info!(by = %by.email, accepted, "service suggestions accepted");
        Ok(out)
    }

    /// Takes a bulk accept of services back: each offer is unmapped again unless someone changed
    /// it since.
    pub async fn undo_accepted_services(
        &self,
        by: &Staff,
        items: Vec<UndoServiceAccept>,
    ) -> Result<Vec<AcceptServiceOutcome>, ServiceError> {
        let actions = items.into_iter().map(|i| (i.offer_key, OfferAction::UndoAccept, i.version)).collect();
        let out = self.apply_offers(by, actions).await?;
        tracing::info!(by = %by.email, undone = out.iter().filter(|o| o.row.is_some()).count(), "accepted services undone");
        Ok(out)
    }

    /// Applies each offer's action on its own, so one conflict does not stop the others.
    async fn apply_offers(
        &self,
        by: &Staff,
        actions: Vec<(String, OfferAction, i32)>,
    ) -> Result<Vec<AcceptServiceOutcome>, ServiceError> {
        at_most_at_once(actions.len())?;
        let mut out = Vec::with_capacity(actions.len());
        for (offer_key, action, version) in actions {
            let result = self.mapping.apply_offer(&offer_key, action, version, Some(by.id)).await;
            out.push(match result {
                Ok(row) => AcceptServiceOutcome { offer_key, row: Some(offer_row(row)), error: None },
                Err(e) => AcceptServiceOutcome { offer_key, row: None, error: Some(ServiceError::from(e).to_string()) },
            });
        }
        Ok(out)
    }

    /// Turns a suggestion down: that company is never suggested for that tenant again.
    pub async fn dismiss_suggestion(
        &self,
        by: &Staff,
        tenant_id: &TenantId,
        company_id: CompanyId,
    ) -> Result<(), ServiceError> {
        Ok(self.mapping.dismiss_suggestion(tenant_id, company_id, by.id).await?)
    }

    /// The history of a tenant's (`kind` = "tenant") or an offer's (`kind` = "offer") mapping.
    pub async fn mapping_history(&self, kind: &str, key: &str) -> Result<Vec<HistoryEntry>, ServiceError> {
        let kind = match kind {
            "tenant" => mappings::Kind::Tenant,
            "offer" => mappings::Kind::Offer,
            other => {
                return Err(ServiceError::Invalid(format!(
                    "'{other}' is not a kind of mapping; expected tenant or offer."
                )))
            }
        };
        Ok(mappings::history(&self.pool, kind, key)
            .await?
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

    /// Re-reads companies and services from Autotask now.
    pub async fn refresh_autotask(&self, by: &Staff) -> Result<RefreshInfo, ServiceError> {
        let kind = seatsync_domain::kinds::JobKind::AutotaskRefresh;
        let wait = std::time::Duration::from_secs(120);
        // A refresh already under way (the one at start, a colleague's click) is waited for,
        // then this one reads again: the caller wants what Autotask holds now.
        if let Some(active) = self.jobs.active_run(kind).await? {
            self.jobs.wait_finished(active, wait).await?;
        }
        let run = self.run_by_hand(kind, by, seatsync_jobs::RunRequest::default()).await?;
        let ended = self.jobs.wait_finished(run, wait).await?;
        if let Some(error) = ended.error.filter(|_| ended.status == seatsync_domain::kinds::JobStatus::Failed) {
            return Err(ServiceError::Upstream(error));
        }
        self.refresh_info().await?.ok_or_else(|| ServiceError::unexpected("the Autotask refresh", "it left no record"))
    }

    /// Every Microsoft offer seen in the subscriptions (offer + term + billing cycle) with its
    /// service.
    pub async fn offer_mappings(&self) -> Result<OfferMappingList, ServiceError> {
        let rows = mappings::offer_rows(&self.pool).await?;
        let suggestions = self.mapping.service_suggestions_for(&rows).await?;
        let mut suggested: HashMap<String, ServiceSuggestionInfo> = suggestions
            .into_iter()
            .map(|s| {
                let info = ServiceSuggestionInfo {
                    service_id: s.service_id,
                    service_name: s.service_name,
                    exact: s.strength == MatchStrength::Exact,
                    reason: s.reason,
                };
                (s.offer_key, info)
            })
            .collect();
        let mut rows: Vec<OfferMappingRow> = rows
            .into_iter()
            .map(|r| {
                let suggestion = suggested.remove(&r.offer_key);
                OfferMappingRow { suggestion, ..offer_row(r) }
            })
            .collect();
        // A product's offers side by side, legacy after NCE, then by term and billing: an MSP
        // moving customers to NCE maps both, each to its own service.
        let term_order = |t: &str| seatsync_domain::Term::parse(t).map_or(u32::MAX, seatsync_domain::Term::months);
        rows.sort_by_cached_key(|r| (r.offer_name.to_lowercase(), !r.nce, term_order(&r.term), r.billing.clone()));
        Ok(OfferMappingList {
            rows,
            autotask_configured: self.mapping.autotask_configured(),
            refresh: self.refresh_info().await?,
        })
    }

    /// Every Autotask service, for the picker.
    pub async fn autotask_services(&self) -> Result<Vec<ServiceOption>, ServiceError> {
        Ok(autotask_cache::services(&self.pool)
            .await?
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

    pub async fn save_offer_mapping(
        &self,
        by: &Staff,
        offer_key: &str,
        action: MappingAction,
        service_id: Option<ServiceId>,
        version: i32,
    ) -> Result<OfferMappingRow, ServiceError> {
        let action = match action {
            MappingAction::Map | MappingAction::AcceptSuggestion => OfferAction::Map {
                service_id: service_id.ok_or_else(|| ServiceError::Invalid("Pick a service first.".into()))?,
            },
            MappingAction::Ignore => OfferAction::Ignore,
            MappingAction::UndoIgnore => OfferAction::UndoIgnore,
            MappingAction::Reset => OfferAction::Reset,
        };
        let row = self.mapping.apply_offer(offer_key, action, version, Some(by.id)).await?;
        tracing::info!(by = %by.email, offer_key, ?action, "offer mapping changed");
        Ok(offer_row(row))
    }

    /// The service the naming template proposes for an offer, with price and cost where known.
    pub async fn service_draft(&self, offer_key: &str) -> Result<ServiceDraftInfo, ServiceError> {
        let d = self.mapping.service_draft(offer_key).await?;
        Ok(ServiceDraftInfo {
            name: d.name,
            existing_service_id: d.existing_service_id,
            unit_price: d.unit_price,
            unit_cost: d.unit_cost,
            period: d.period.autotask_label().into(),
        })
    }

    /// Creates the service in Autotask (or finds it by name) and maps the offer to it; the
    /// price and cost as the person typed them.
    pub async fn create_service(
        &self,
        by: &Staff,
        offer_key: &str,
        name: &str,
        unit_price: &str,
        unit_cost: &str,
        version: i32,
    ) -> Result<OfferMappingRow, ServiceError> {
        let price = amount("price", unit_price)?.ok_or_else(|| {
            ServiceError::Invalid("The service needs a price (what the customer pays per unit).".into())
        })?;
        let cost = amount("cost", unit_cost)?;
        let row = self.mapping.create_service_and_map(offer_key, name, price, cost, version, by.id).await?;
        tracing::info!(by = %by.email, offer_key, service = %name, "service created and mapped");
        Ok(offer_row(row))
    }

    /// The service the template names for every unmapped offer, with its cost where known and
    /// the MSP's own service where SeatSync suggests one: the preview of creating them all.
    pub async fn template_service_drafts(&self) -> Result<Vec<TemplateServiceDraft>, ServiceError> {
        let drafts = self.mapping.unmapped_service_drafts().await?;
        let rows: Vec<mappings::OfferRow> = drafts.iter().map(|(r, _)| r.clone()).collect();
        let suggested: HashMap<String, String> = self
            .mapping
            .service_suggestions_for(&rows)
            .await?
            .into_iter()
            .map(|s| (s.offer_key, s.service_name))
            .collect();
        Ok(drafts
            .into_iter()
            .map(|(r, d)| {
                let row = offer_row(r);
                TemplateServiceDraft {
                    suggested_service: suggested.get(&row.offer_key).cloned(),
                    offer_key: row.offer_key,
                    version: row.version,
                    offer_name: row.offer_name,
                    term: row.term,
                    billing: row.billing,
                    nce: row.nce,
                    name: d.name,
                    existing_service_id: d.existing_service_id,
                    unit_cost: d.unit_cost,
                    period: d.period.autotask_label().into(),
                }
            })
            .collect())
    }

    /// Creates (or finds by name) each confirmed service in Autotask and maps its offer; each on
    /// its own, so one refusal does not stop the others. The page sends a few at a time and shows
    /// how far it has come.
    pub async fn create_services_from_template(
        &self,
        by: &Staff,
        items: Vec<TemplateServiceItem>,
    ) -> Result<Vec<AcceptServiceOutcome>, ServiceError> {
        if items.len() > 50 {
            return Err(ServiceError::Invalid("At most 50 services can be created in one request.".into()));
        }
        let mut out = Vec::with_capacity(items.len());
        let existing: HashMap<String, ServiceId> =
            autotask_cache::services(&self.pool).await?.into_iter().map(|s| (s.name.to_lowercase(), s.id)).collect();
        for i in items {
            // Without a price, only a service that exists by that name can be mapped to.
            let result = match existing.get(&i.name.trim().to_lowercase()) {
                Some(&service_id) if i.unit_price.trim().is_empty() => self
                    .mapping
                    .apply_offer(&i.offer_key, OfferAction::Map { service_id }, i.version, Some(by.id))
                    .await
                    .map(offer_row)
                    .map_err(ServiceError::from),
                _ => self.create_service(by, &i.offer_key, &i.name, &i.unit_price, &i.unit_cost, i.version).await,
            };
            out.push(match result {
                Ok(row) => AcceptServiceOutcome { offer_key: i.offer_key, row: Some(row), error: None },
                Err(e) => AcceptServiceOutcome { offer_key: i.offer_key, row: None, error: Some(e.to_string()) },
            });
        }
        Ok(out)
    }
}
