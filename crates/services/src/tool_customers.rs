//! A billing tool's customers page: which PSA (Autotask) company each Datto RMM site or Huntress
//! organization is, placed by the tool's own link or the customer's tenant, or chosen by an
//! Editor from suggestions by name and domain, one at a time or all at once, or left out (the
//! MSP's own site). Decisions apply from the next report run, and each is kept in the history.

use std::collections::{HashMap, HashSet};

use seatsync_api_types::billing::{
    CompanySuggestion, PsaCompany, ToolCustomerDecision, ToolCustomerLine, ToolCustomersView,
};
use seatsync_db::{autotask_cache, mappings, tool_customers};
use seatsync_domain::{
    kinds::BillingTool,
    suggest::{suggest, CompanyForMatching, Suggestion, TenantForMatching},
    tool_customers::{place, Decision, Placement},
    Mapping, TenantId,
};

use crate::{ServiceError, Services, Staff};

/// Suggestions below this are not shown: a wrong company is billed for another's devices.
const MIN_CONFIDENCE: f64 = 0.6;
/// Decisions shown in the history.
const HISTORY_LINES: i64 = 50;

impl Services {
    /// The tool's customers as the last report read them, each with its company or a suggestion.
    pub async fn tool_customers(&self, tool: BillingTool) -> Result<ToolCustomersView, ServiceError> {
        let (rows, companies, tenants, history) = tokio::try_join!(
            tool_customers::of_tool(&self.pool, tool),
            autotask_cache::companies(&self.pool),
            mappings::tenant_rows(&self.pool),
            tool_customers::history(&self.pool, tool, HISTORY_LINES),
        )?;
        let active: Vec<PsaCompany> = companies
            .iter()
            .filter(|c| c.is_active)
            .map(|c| PsaCompany { id: c.id.get(), name: c.name.clone() })
            .collect();
        let active_ids: HashSet<i64> = active.iter().map(|c| c.id).collect();
        let name_of: HashMap<i64, &str> = companies.iter().map(|c| (c.id.get(), c.name.as_str())).collect();
        let tenant_company: HashMap<TenantId, i64> = tenants
            .iter()
            .filter_map(|t| match t.target() {
                Mapping::Mapped { id } => Some((t.tenant_id.to_ascii_lowercase(), id.get())),
                _ => None,
            })
            .collect();
        let last_read = rows.iter().map(|r| r.last_seen).max();
        let placements: Vec<Placement> =
            rows.iter().map(|r| place(&r.customer(), r.decision(), &active_ids, &tenant_company)).collect();
        let open: Vec<TenantForMatching<String>> = rows
            .iter()
            .zip(&placements)
            .filter(|(r, p)| **p == Placement::Unplaced && Some(r.last_seen) == last_read)
            .map(|(r, _)| TenantForMatching {
                tenant_id: r.customer_key.clone(),
                name: r.name.clone(),
                domains: r.domains.clone(),
            })
            .collect();
        let matching: Vec<CompanyForMatching<i64>> = companies
            .iter()
            .filter(|c| c.is_active)
            .map(|c| CompanyForMatching {
                id: c.id.get(),
                name: c.name.clone(),
                web_address: c.web_address.clone(),
                is_active: true,
            })
            .collect();
        let suggestions: HashMap<String, Suggestion<i64, String>> =
            suggestions(open, matching).await?.into_iter().map(|s| (s.tenant_id.clone(), s)).collect();
        let company =
            |id: i64| PsaCompany { id, name: name_of.get(&id).copied().unwrap_or("(no longer in Autotask)").into() };
        let customers = rows
            .iter()
            .zip(&placements)
            .map(|(r, p)| {
                let (placed_company, placed_by) = match p {
                    Placement::Company { id, by } => (Some(company(*id)), Some(by.words(tool.name()))),
                    _ => (None, None),
                };
                ToolCustomerLine {
                    key: r.customer_key.clone(),
                    name: r.name.clone(),
                    company: placed_company,
                    placed_by,
                    ignored: *p == Placement::Ignored,
                    decided: r.decision().is_some(),
                    decided_by: r.decided_by.clone(),
                    decided_at: r.decided_at,
                    suggestion: suggestions.get(&r.customer_key).map(|s| CompanySuggestion {
                        company: company(s.company_id),
                        confidence: s.confidence,
                        reason: s.reason.clone(),
                    }),
                    gone: Some(r.last_seen) != last_read,
                }
            })
            .collect();
        let history = history
            .into_iter()
            .map(|h| ToolCustomerDecision {
                what: match (h.action.as_str(), h.company_id) {
                    ("mapped", Some(id)) => format!("placed in {}", company(id).name),
                    ("ignored", _) => "left out as not billed".into(),
                    _ => "decision withdrawn".into(),
                },
                customer_name: h.customer_name,
                by: h.decided_by,
                at: h.decided_at,
            })
            .collect();
        Ok(ToolCustomersView {
            tool,
            tool_name: tool.name().into(),
            customer_word: tool.customer_word().into(),
            customers_word: tool.customers_word().into(),
            configured: self.tool_configured(tool),
            last_read,
            customers,
            companies: active,
            history,
        })
    }

    /// Places a tool customer in a company (`Some`), or withdraws a person's decision (`None`),
    /// after which the tool's link or the tenant places it again, if either does. In words.
    pub async fn place_tool_customer(
        &self,
        by: &Staff,
        tool: BillingTool,
        key: &str,
        company_id: Option<i64>,
    ) -> Result<String, ServiceError> {
        let customer = self.tool_customer(tool, key).await?;
        let decision = match company_id {
            None => None,
            Some(id) => {
                let companies = autotask_cache::companies(&self.pool).await?;
                let Some(company) = companies.into_iter().find(|c| c.id.get() == id && c.is_active) else {
                    return Err(ServiceError::Invalid(format!(
                        "Autotask has no active company #{id}: choose one from the list."
                    )));
                };
                tool_customers::decide(&self.pool, tool, &[(key, Some(Decision::Company(id)))], by.id).await?;
                tracing::info!(by = %by.email, tool = %tool, key, company_id = id, "a tool customer was placed");
                return Ok(format!(
                    "{}'s {} counts go to {} from the next report.",
                    customer,
                    tool.name(),
                    company.name
                ));
            }
        };
        tool_customers::decide(&self.pool, tool, &[(key, decision)], by.id).await?;
        tracing::info!(by = %by.email, tool = %tool, key, "a tool customer's decision was withdrawn");
        Ok(format!("The decision for {customer} was withdrawn."))
    }

    /// Leaves a tool customer out of the report (the MSP's own site, a test organization).
    pub async fn ignore_tool_customer(&self, by: &Staff, tool: BillingTool, key: &str) -> Result<String, ServiceError> {
        let customer = self.tool_customer(tool, key).await?;
        tool_customers::decide(&self.pool, tool, &[(key, Some(Decision::Ignored))], by.id).await?;
        tracing::info!(by = %by.email, tool = %tool, key, "a tool customer was left out");
        Ok(format!("{customer} is left out of the billing report from the next run."))
    }

    /// Takes every suggestion shown (recomputed here, never taken from the page); in words.
    pub async fn accept_tool_customers(&self, by: &Staff, tool: BillingTool) -> Result<String, ServiceError> {
        let view = self.tool_customers(tool).await?;
        let accepted: Vec<(&str, Option<Decision>)> = view
            .customers
            .iter()
            .filter(|c| c.company.is_none() && !c.ignored)
            .filter_map(|c| Some((c.key.as_str(), Some(Decision::Company(c.suggestion.as_ref()?.company.id)))))
            .collect();
        if accepted.is_empty() {
            return Ok("There was no suggestion to accept.".into());
        }
        let done = tool_customers::decide(&self.pool, tool, &accepted, by.id).await?;
        tracing::info!(by = %by.email, tool = %tool, count = done, "tool customer suggestions were accepted");
        Ok(format!("{done} {} {} were placed from the suggestions.", tool.name(), tool.customers_word()))
    }

    fn tool_configured(&self, tool: BillingTool) -> bool {
        let slots = self.integrations.slots();
        match tool {
            BillingTool::Pax8 => slots.pax8.is_set(),
            BillingTool::DattoRmm => slots.datto_rmm.is_set(),
            BillingTool::NinjaOne => slots.ninjaone.is_set(),
            BillingTool::Automate => slots.automate.is_set(),
            BillingTool::Huntress => slots.huntress.is_set(),
            BillingTool::SentinelOne => slots.sentinelone.is_set(),
            BillingTool::Duo => slots.duo.is_set(),
            BillingTool::Auvik => slots.auvik.is_set(),
        }
    }

    /// The name of one of the tool's customers, or NotFound.
    async fn tool_customer(&self, tool: BillingTool, key: &str) -> Result<String, ServiceError> {
        let rows = tool_customers::of_tool(&self.pool, tool).await?;
        rows.into_iter()
            .find(|r| r.customer_key == key)
            .map(|r| r.name)
            .ok_or_else(|| ServiceError::NotFound(format!("That {} {}", tool.name(), tool.customer_word())))
    }
}

/// Suggestions for the customers without a company, among the PSA's active companies.
async fn suggestions(
    open: Vec<TenantForMatching<String>>,
    companies: Vec<CompanyForMatching<i64>>,
) -> Result<Vec<Suggestion<i64, String>>, ServiceError> {
    // Matching thousands of names is CPU work: keep it off the async workers.
    tokio::task::spawn_blocking(move || suggest(&open, &companies, &HashSet::new(), &HashSet::new(), MIN_CONFIDENCE))
        .await
        .map_err(|e| ServiceError::unexpected("matching companies", e))
}
