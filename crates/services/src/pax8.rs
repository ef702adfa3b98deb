//! The Pax8 companies page: SeatSync's matches and suggestions of Pax8 companies to tenants, and
//! the decisions Editors make on them (each in the history with who and when). A decision
//! applies from the next alert run.

use std::collections::HashMap;

use seatsync_api_types::pax8::{Pax8CompaniesView, Pax8CompanyRow, Pax8Decide, Pax8Decision, TenantChoice};
use seatsync_db::{kinds::Pax8LinkState, pax8, tenants};
use seatsync_domain::{Pax8CompanyId, TenantId};

use crate::{ServiceError, Services, Staff};

impl Services {
    pub async fn pax8_companies(&self) -> Result<Pax8CompaniesView, ServiceError> {
        let (companies, links, history, counts, all_tenants, read_at) = tokio::try_join!(
            pax8::companies(&self.pool),
            pax8::link_rows(&self.pool),
            pax8::link_history(&self.pool),
            pax8::subscription_counts(&self.pool),
            tenants::list(&self.pool),
            pax8::last_read(&self.pool),
        )?;
        let name_of: HashMap<&TenantId, &str> = all_tenants.iter().map(|t| (&t.tenant_id, t.name.as_str())).collect();
        let tenant_name = |t: &TenantId| name_of.get(t).map(|n| n.to_string()).unwrap_or_else(|| t.to_string());
        let link_of: HashMap<&Pax8CompanyId, &pax8::LinkRow> = links.iter().map(|l| (&l.company_id, l)).collect();
        let mut decisions: HashMap<&Pax8CompanyId, Vec<Pax8Decision>> = HashMap::new();
        for h in &history {
            let words = match (h.action.as_str(), &h.tenant_id) {
                ("confirmed", Some(t)) => format!("Confirmed as {}", tenant_name(t)),
                ("ignored", _) => "Ignored".to_string(),
                ("reset", _) => "Given back to SeatSync's matching".to_string(),
                (other, _) => other.to_string(),
            };
            decisions.entry(&h.company_id).or_default().push(Pax8Decision {
                words,
                by: h.decided_by_name.clone(),
                at: h.decided_at,
            });
        }
        let mut rows: Vec<Pax8CompanyRow> = companies
            .iter()
            .map(|c| {
                let link = link_of.get(&c.id);
                Pax8CompanyRow {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    website: c.website.clone(),
                    status: c.status.clone(),
                    subscriptions: counts.get(&c.id).copied().unwrap_or(0),
                    state: link.map(|l| l.state),
                    tenant_id: link.and_then(|l| l.tenant_id.clone()),
                    tenant_name: link.and_then(|l| l.tenant_id.as_ref()).map(&tenant_name),
                    reason: link.map(|l| l.reason.clone()),
                    confidence: link.and_then(|l| l.confidence),
                    decided_by: link.and_then(|l| l.decided_by_name.clone()),
                    decided_at: link.map(|l| l.decided_at),
                    history: decisions.remove(&c.id).unwrap_or_default(),
                }
            })
            .collect();
        // What waits for a person first (suggestions, then companies with no tenant), then by name.
        let rank = |r: &Pax8CompanyRow| match r.state {
            Some(Pax8LinkState::Suggested) => 0,
            None => 1,
            Some(Pax8LinkState::Matched) => 2,
            Some(Pax8LinkState::Confirmed) => 3,
            Some(Pax8LinkState::Ignored) => 4,
        };
        rows.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase())));
        let mut choices: Vec<TenantChoice> =
            all_tenants.into_iter().map(|t| TenantChoice { tenant_id: t.tenant_id, name: t.name }).collect();
        choices.sort_by_key(|c| c.name.to_lowercase());
        Ok(Pax8CompaniesView {
            companies: rows,
            tenants: choices,
            read_at,
            pax8_configured: self.integrations.slots().pax8.is_set(),
        })
    }

    /// An Editor's decision on one company; what the page says about it.
    pub async fn decide_pax8_company(
        &self,
        by: &Staff,
        company: Pax8CompanyId,
        decide: Pax8Decide,
        tenant: Option<TenantId>,
    ) -> Result<String, ServiceError> {
        let companies = pax8::companies(&self.pool).await?;
        let Some(found) = companies.iter().find(|c| c.id == company) else {
            return Err(ServiceError::NotFound(
                "That Pax8 company (it may have left Pax8 since the page was read)".into(),
            ));
        };
        match decide {
            Pax8Decide::Confirm => {
                let tenant = match tenant {
                    Some(t) => t,
                    None => pax8::links(&self.pool)
                        .await?
                        .into_iter()
                        .find(|l| l.company_id == company)
                        .and_then(|l| l.tenant_id)
                        .ok_or_else(|| ServiceError::Invalid("Choose the tenant this company is.".into()))?,
                };
                let t = tenants::find(&self.pool, &tenant).await.map_err(|e| match e {
                    seatsync_db::DbError::NotFound => ServiceError::NotFound("That tenant".into()),
                    other => other.into(),
                })?;
                pax8::decide_link(&self.pool, &company, Some(&tenant), by.id).await?;
                Ok(format!("{} is {}. Its subscriptions count from the next alert run.", found.name, t.name))
            }
            Pax8Decide::Ignore => {
                pax8::decide_link(&self.pool, &company, None, by.id).await?;
                Ok(format!("{} is ignored: its subscriptions are never changed through Pax8.", found.name))
            }
            Pax8Decide::Reset => {
                if !pax8::reset_link(&self.pool, &company, by.id).await? {
                    return Err(ServiceError::Conflict(format!("Nobody decided about {} yet.", found.name)));
                }
                Ok(format!("{} goes back to SeatSync's own matching at the next alert run.", found.name))
            }
        }
    }

    /// Confirms every suggestion at once; how many.
    pub async fn accept_pax8_suggestions(&self, by: &Staff) -> Result<String, ServiceError> {
        let links = pax8::links(&self.pool).await?;
        let mut accepted = 0;
        for l in links.iter().filter(|l| l.state == Pax8LinkState::Suggested) {
            if let Some(tenant) = &l.tenant_id {
                pax8::decide_link(&self.pool, &l.company_id, Some(tenant), by.id).await?;
                accepted += 1;
            }
        }
        Ok(match accepted {
            0 => "There was no suggestion to accept.".into(),
            1 => "1 suggestion accepted. It counts from the next alert run.".into(),
            n => format!("{n} suggestions accepted. They count from the next alert run."),
        })
    }
}
