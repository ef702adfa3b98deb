//! Reduction links: made on the Alerts page (or by the alert run for its ticket), opened on
//! their confirmation page with the live numbers, and confirmed once.

use seatsync_api_types::alerts::{
    ChangeLine, Confirmation, LinkPlan, LinkPlanItem, LinkState, LinkStep, TicketNoteLine,
};
use seatsync_db::{
    kinds::{DeliveryStatus, QuantityChange},
    licence_alerts,
};
use seatsync_domain::{SubscriptionId, TenantId};
use seatsync_remediation::{ChangeOutcome, LinkError, LinkItem, RemediationError, Step};

use crate::{ServiceError, Services, Staff};

impl Services {
    /// A link for the tenant's alerted findings (one subscription's, or all of them), made by an
    /// Editor on the Alerts page; its token.
    pub async fn make_link(
        &self,
        by: &Staff,
        tenant: TenantId,
        subscription: Option<SubscriptionId>,
    ) -> Result<String, ServiceError> {
        let findings = licence_alerts::findings(&self.pool).await?;
        let items: Vec<LinkItem> = findings
            .into_iter()
            .filter(|f| f.tenant_id == tenant && f.alert)
            .filter(|f| subscription.as_ref().is_none_or(|s| &f.subscription_id == s))
            .map(|f| LinkItem { subscription_id: f.subscription_id, target: f.target })
            .collect();
        if items.is_empty() {
            return Err(ServiceError::Conflict(
                "The newest run found nothing to give back there any more; run the alerts again to see why.".into(),
            ));
        }
        let link = self.remediation.issue(&tenant, &items, None, Some(by.id)).await?;
        Ok(link.token)
    }

    /// What the link would do now, or why it cannot be used.
    pub async fn link_state(&self, token: &str) -> Result<LinkState, ServiceError> {
        match self.remediation.inspect(token).await {
            Ok(plan) => Ok(LinkState::Ready(LinkPlan {
                actionable: plan.actionable(),
                tenant_id: plan.tenant_id,
                tenant_name: plan.tenant_name,
                expires_at: plan.expires_at,
                from_ticket: plan.delivery_key.is_some(),
                items: plan
                    .items
                    .into_iter()
                    .map(|i| LinkPlanItem {
                        subscription_id: i.subscription_id,
                        product: i.product,
                        channel: i.channel,
                        quantity: i.quantity,
                        assigned: i.assigned,
                        licence_bought: i.licence_bought,
                        allowance: i.allowance,
                        link_target: i.link_target,
                        step: match i.step {
                            Step::Reduce { target, kind, raised_from } => {
                                LinkStep::Reduce { target, next_term: kind == QuantityChange::NextTerm, raised_from }
                            }
                            Step::WaitForWindow { opens } => LinkStep::WaitForWindow { opens },
                            Step::Nothing { why } => LinkStep::Nothing { why },
                        },
                    })
                    .collect(),
            })),
            Err(RemediationError::Link(e)) => {
                let done = match &e {
                    LinkError::Used { link_id, .. } => {
                        self.remediation.outcomes_of(*link_id).await?.into_iter().map(change_line_of).collect()
                    }
                    _ => Vec::new(),
                };
                Ok(LinkState::Unusable { message: e.to_string(), done })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Carries the link out, once, then notes what it did on the ticket it came from.
    pub async fn confirm_link(&self, by: &Staff, token: &str) -> Result<Confirmation, ServiceError> {
        let confirmed = self.remediation.confirm(token, by.id).await?;
        // The changes are made and recorded whatever happens to the note; a note that fails is
        // said here and tried again with the next alert run.
        let ticket_note = match self.alert_tickets.note_confirmed(&confirmed, by.id, &by.name).await {
            Ok(None) => None,
            Ok(Some(note)) if note.status == DeliveryStatus::Delivered => Some(TicketNoteLine {
                added: true,
                words: "A note with these changes was added to the ticket this link came from.".into(),
            }),
            Ok(Some(note)) => Some(TicketNoteLine {
                added: false,
                words: format!(
                    "The note on the ticket could not be added yet ({}); SeatSync tries again with the next alert run.",
                    note.error.unwrap_or_else(|| note.status.to_string())
                ),
            }),
            Err(e) => {
                Some(TicketNoteLine { added: false, words: format!("The note on the ticket could not be added: {e}") })
            }
        };
        Ok(Confirmation {
            changes: confirmed.changes.into_iter().map(|o| change_line(o, &by.name)).collect(),
            ticket_note,
        })
    }
}

/// A recorded change as the pages show it.
pub(crate) fn change_line_of(a: seatsync_db::remediation::Action) -> ChangeLine {
    ChangeLine {
        product: a.product,
        channel: a.channel,
        next_term: a.kind == QuantityChange::NextTerm,
        before: a.quantity_before,
        target: a.target,
        status: a.status,
        after: a.quantity_after,
        detail: a.detail,
        by: a.requested_by_name,
        at: a.finished_at.or(Some(a.created_at)),
    }
}

fn change_line(o: ChangeOutcome, by: &str) -> ChangeLine {
    ChangeLine {
        product: o.product,
        channel: o.channel,
        next_term: o.kind == QuantityChange::NextTerm,
        before: o.before,
        target: o.target,
        status: o.status,
        after: o.after,
        detail: o.detail,
        by: Some(by.to_string()),
        at: Some(chrono::Utc::now()),
    }
}

impl From<RemediationError> for ServiceError {
    fn from(e: RemediationError) -> Self {
        match e {
            RemediationError::Link(e) => ServiceError::Conflict(e.to_string()),
            RemediationError::Invalid(m) => ServiceError::Conflict(m),
            e @ RemediationError::NotConfigured(_) => ServiceError::Invalid(e.to_string()),
            e @ RemediationError::LiveRead { .. } => ServiceError::Upstream(e.to_string()),
            RemediationError::Alerts(e) => ServiceError::unexpected("licence alerts", e),
            RemediationError::Db(e) => e.into(),
        }
    }
}
