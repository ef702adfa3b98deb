//! Remediation: links that lower a subscription's quantity to what is used.
//!
//! A link is made for a tenant's findings (by the alert run for its ticket, or by an Editor on
//! the Alerts page): a signed token ([`token`]) naming the subscriptions and their target
//! quantities, recorded in PostgreSQL, expiring (7 days unless set otherwise). Opening it
//! ([`Remediation::inspect`]) reads the live numbers again (Partner Center's subscriptions,
//! Graph's assigned seats, the Pax8 quantity) and weighs the tenant with the same rule as the
//! run: a target below what is used now is raised to it, and a subscription with nothing left to
//! give back is left alone, each said in words. Confirming ([`Remediation::confirm`]) spends the
//! link (once, atomically), records each change before it is sent, sends it once to Pax8 or
//! Partner Center, and when an answer is lost reads the subscription back rather than sending
//! it again.

pub mod token;

use std::{collections::HashMap, sync::Arc};

use chrono::{DateTime, Duration, Utc};
use seatsync_db::{
    licences, remediation as db,
    tenants::{self},
    DbError, PgPool,
};
use seatsync_domain::{
    kinds::{FindingChannel, QuantityChange, QuantityChangeStatus},
    reducible::{Channel, Timing},
    Pax8SubscriptionId, SkuId, SubscriptionId, TenantId,
};
use seatsync_integrations::ClientSlots;
use seatsync_licence_alerts::{
    assess::{Context, TenantSeats},
    settings::AlertSettings,
};
use seatsync_licences::Catalog;
use seatsync_vendors::{partner_center, VendorError};
use uuid::Uuid;

pub use token::{Claims, Signer};

/// How long a link works unless configured otherwise.
pub const DEFAULT_LINK_LIFETIME: Duration = Duration::days(7);

/// A link that cannot be used, in words for its page. Nothing was changed in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("This link was not made by this SeatSync, or it was changed after it was made. Nothing was changed.")]
    NotOurs,
    #[error("This link does not match what SeatSync recorded when it made it (another customer, subscription or ticket). Nothing was changed.")]
    Mismatch,
    #[error("This link expired on {}. Nothing was changed; the Alerts page makes a new one.", .0.format("%Y-%m-%d %H:%M UTC"))]
    Expired(DateTime<Utc>),
    #[error("This link was already used{}{}; a link works once. Nothing more was changed.", .by.as_ref().map(|b| format!(" by {b}")).unwrap_or_default(), .at.map(|t| format!(" on {}", t.format("%Y-%m-%d %H:%M UTC"))).unwrap_or_default())]
    Used { at: Option<DateTime<Utc>>, by: Option<String>, link_id: Uuid },
    #[error("The customer of this link is no longer among Partner Center's customers. Nothing was changed.")]
    TenantGone,
}

#[derive(Debug, thiserror::Error)]
pub enum RemediationError {
    #[error(transparent)]
    Link(#[from] LinkError),
    #[error("{0}")]
    Invalid(String),
    #[error("{0} is not configured: set it up on the Integrations page first. Nothing was changed.")]
    NotConfigured(&'static str),
    #[error("{what} could not be read, so nothing was changed: {error}")]
    LiveRead { what: &'static str, error: VendorError },
    #[error(transparent)]
    Alerts(#[from] seatsync_licence_alerts::AlertError),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// One subscription a link asks to lower, and the quantity it goes down to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkItem {
    pub subscription_id: SubscriptionId,
    pub target: i64,
}

/// A link just made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedLink {
    pub id: Uuid,
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// What confirming would do to one subscription.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Lower the quantity to `target`, now or for the next term. `raised_from` is the link's
    /// target when more seats are used now than when the link was made.
    Reduce { target: i64, kind: QuantityChange, raised_from: Option<i64> },
    /// Pax8 cannot schedule a change for the renewal: the quantity can go down once the
    /// cancellation window opens at renewal, on `opens`.
    WaitForWindow { opens: Option<DateTime<Utc>> },
    /// Nothing to give back any more, and why.
    Nothing { why: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlanItem {
    pub subscription_id: SubscriptionId,
    pub product: String,
    pub channel: Option<FindingChannel>,
    pub pax8_subscription_id: Option<Pax8SubscriptionId>,
    /// The quantity now, read live.
    pub quantity: i64,
    /// Users holding the licence now (across its subscriptions), read live.
    pub assigned: Option<i64>,
    /// The licence's renewing seats across its subscriptions, where the rule weighed them.
    pub licence_bought: Option<i64>,
    pub allowance: i64,
    /// What the link asked for.
    pub link_target: i64,
    pub step: Step,
}

/// What a link would do, from the live numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub link_id: Uuid,
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub expires_at: DateTime<Utc>,
    pub delivery_key: Option<String>,
    pub items: Vec<PlanItem>,
}

impl Plan {
    pub fn actionable(&self) -> bool {
        self.items.iter().any(|i| matches!(i.step, Step::Reduce { .. }))
    }
}

/// How one change ended.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeOutcome {
    pub subscription_id: SubscriptionId,
    pub product: String,
    pub channel: FindingChannel,
    pub kind: QuantityChange,
    pub before: i64,
    pub target: i64,
    pub status: QuantityChangeStatus,
    pub after: Option<i64>,
    /// The vendor's words for a refusal or failure.
    pub detail: Option<String>,
}

/// What confirming a link did.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirmed {
    pub link_id: Uuid,
    pub tenant_id: TenantId,
    pub tenant_name: String,
    /// The ticket the link was put in (its delivery's key), if any.
    pub delivery_key: Option<String>,
    pub changes: Vec<ChangeOutcome>,
}

pub struct Remediation {
    pool: PgPool,
    clients: ClientSlots,
    catalog: Arc<Catalog>,
    signer: Signer,
    lifetime: Duration,
}

impl Remediation {
    pub fn new(
        pool: PgPool,
        clients: ClientSlots,
        catalog: Arc<Catalog>,
        signer: Signer,
        lifetime: Duration,
    ) -> Arc<Self> {
        Arc::new(Self { pool, clients, catalog, signer, lifetime })
    }

    /// Makes a link for `items` of `tenant`, to be put in the ticket whose dedup key is
    /// `delivery`, if any.
    pub async fn issue(
        &self,
        tenant: &TenantId,
        items: &[LinkItem],
        delivery: Option<&str>,
        by: Option<Uuid>,
    ) -> Result<IssuedLink, RemediationError> {
        if items.is_empty() || items.iter().any(|i| i.target < 1) {
            return Err(RemediationError::Invalid(
                "A link needs at least one subscription and targets of one seat or more.".into(),
            ));
        }
        let now = Utc::now();
        let id = Uuid::new_v4();
        let expires_at = now + self.lifetime;
        let mut sorted = items.to_vec();
        sorted.sort_by(|a, b| a.subscription_id.cmp(&b.subscription_id));
        let claims = Claims {
            jti: id,
            tid: tenant.to_string(),
            items: sorted.iter().map(|i| (i.subscription_id.to_string(), i.target)).collect(),
            tkt: delivery.map(str::to_string),
            exp: expires_at.timestamp(),
        };
        let link = db::Link {
            id,
            tenant_id: tenant.clone(),
            delivery_key: delivery.map(str::to_string),
            created_by: by,
            created_at: now,
            expires_at: claims.expires_at(),
            used_at: None,
            used_by_name: None,
        };
        let rows: Vec<db::LinkItem> = sorted
            .iter()
            .map(|i| db::LinkItem { subscription_id: i.subscription_id.clone(), target: i.target })
            .collect();
        seatsync_db::in_transaction(&self.pool, async |conn| db::insert_link(conn, &link, &rows).await).await?;
        Ok(IssuedLink { id, token: self.signer.sign(&claims), expires_at: link.expires_at })
    }

    /// The link's record, checked against its signed claims, unexpired and unused at `now`.
    async fn open(&self, token: &str, now: DateTime<Utc>) -> Result<(Claims, db::Link), RemediationError> {
        let claims = self.signer.verify(token).map_err(|_| LinkError::NotOurs)?;
        let link = db::find_link(&self.pool, claims.jti).await?.ok_or(LinkError::Mismatch)?;
        let items = db::link_items(&self.pool, link.id).await?;
        let recorded: Vec<(String, i64)> = items.iter().map(|i| (i.subscription_id.to_string(), i.target)).collect();
        if link.tenant_id.as_str() != claims.tid || link.delivery_key != claims.tkt || recorded != claims.items {
            return Err(LinkError::Mismatch.into());
        }
        if link.used_at.is_some() {
            return Err(LinkError::Used { at: link.used_at, by: link.used_by_name.clone(), link_id: link.id }.into());
        }
        if claims.expires_at() <= now || link.expires_at <= now {
            return Err(LinkError::Expired(claims.expires_at().min(link.expires_at)).into());
        }
        Ok((claims, link))
    }

    /// What confirming the link would do now, from the live numbers.
    pub async fn inspect(&self, token: &str) -> Result<Plan, RemediationError> {
        let now = Utc::now();
        let (claims, link) = self.open(token, now).await?;
        self.plan(&claims, &link, now).await
    }

    async fn plan(&self, claims: &Claims, link: &db::Link, now: DateTime<Utc>) -> Result<Plan, RemediationError> {
        let tenant = tenants::find(&self.pool, &link.tenant_id).await.map_err(|e| match e {
            DbError::NotFound => RemediationError::Link(LinkError::TenantGone),
            other => other.into(),
        })?;
        let live = self.live(&link.tenant_id).await?;
        let notice = AlertSettings::load(&self.pool).await?.renewal_notice_days;
        let context = Context::load(&self.pool, &self.catalog, notice).await?;
        let prices = context.prices();
        let subscriptions: Vec<&licences::Subscription> = live.subscriptions.iter().collect();
        let skus: Vec<&licences::SkuConsumption> = live.skus.iter().collect();
        let seats = TenantSeats {
            tenant_id: &link.tenant_id,
            spare_seats: tenant.spare_seats,
            subscriptions: &subscriptions,
            skus: &skus,
        };
        let prefer: Vec<SubscriptionId> = claims.items.iter().map(|(s, _)| SubscriptionId::new(s.clone())).collect();
        let assessment = context.assess_preferring(now, &prices, &seats, &prefer);
        let mut items = Vec::new();
        for (subscription, link_target) in &claims.items {
            let id = SubscriptionId::new(subscription.clone());
            let live_sub = live.subscriptions.iter().find(|s| s.id.as_str().eq_ignore_ascii_case(subscription));
            let finding =
                assessment.findings.iter().find(|f| f.subscription_id.as_str().eq_ignore_ascii_case(subscription));
            let assigned = live_sub
                .and_then(|s| s.sku_id.as_ref())
                .and_then(|sku| live.skus.iter().find(|k| &k.sku_id == sku))
                .map(|k| k.consumed);
            let Some(live_sub) = live_sub else {
                items.push(PlanItem {
                    subscription_id: id,
                    product: subscription.clone(),
                    channel: None,
                    pax8_subscription_id: None,
                    quantity: 0,
                    assigned: None,
                    licence_bought: None,
                    allowance: 0,
                    link_target: *link_target,
                    step: Step::Nothing { why: "Partner Center no longer lists this subscription.".into() },
                });
                continue;
            };
            let product = finding
                .map(|f| f.product.clone())
                .or_else(|| live_sub.friendly_name.clone())
                .or_else(|| live_sub.offer_name.clone())
                .unwrap_or_else(|| subscription.clone());
            let Some(f) = finding else {
                let why = assessment
                    .passed_over
                    .iter()
                    .find(|p| {
                        p.subscription_id.as_ref().is_some_and(|s| s.as_str().eq_ignore_ascii_case(subscription))
                            || (p.subscription_id.is_none() && p.sku_id.is_some() && p.sku_id == live_sub.sku_id)
                    })
                    .map(|p| format!("Left alone: {}.", p.reason.words()))
                    .unwrap_or_else(|| {
                        "Nothing to give back any more: the seats bought are all assigned or kept spare now.".into()
                    });
                items.push(PlanItem {
                    subscription_id: id,
                    product,
                    channel: None,
                    pax8_subscription_id: None,
                    quantity: live_sub.quantity,
                    assigned,
                    licence_bought: None,
                    allowance: 0,
                    link_target: *link_target,
                    step: Step::Nothing { why },
                });
                continue;
            };
            // Never lower more than the link said; raise the target when more seats are used now.
            let target = f.target.max(*link_target);
            let raised_from = (target > *link_target).then_some(*link_target);
            let (channel, pax8_id) = match &f.channel {
                Channel::Pax8(p) => (FindingChannel::Pax8, Some(p.clone())),
                _ => (FindingChannel::PartnerCenter, None),
            };
            // A reduction at renewal starts from a quantity already scheduled for the next term.
            let step = if target >= f.reduced_from() {
                Step::Nothing { why: "Nothing to give back any more: the seats bought are all needed now.".into() }
            } else {
                match (f.timing, channel) {
                    (Timing::Now { .. }, _) => Step::Reduce { target, kind: QuantityChange::Now, raised_from },
                    (Timing::AtRenewal { .. }, FindingChannel::PartnerCenter) => {
                        Step::Reduce { target, kind: QuantityChange::NextTerm, raised_from }
                    }
                    (Timing::AtRenewal { on }, FindingChannel::Pax8) => Step::WaitForWindow { opens: Some(on) },
                }
            };
            items.push(PlanItem {
                subscription_id: id,
                product,
                channel: Some(channel),
                pax8_subscription_id: pax8_id,
                quantity: live_sub.quantity,
                assigned,
                licence_bought: Some(f.sku_purchased),
                allowance: f.allowance,
                link_target: *link_target,
                step,
            });
        }
        Ok(Plan {
            link_id: link.id,
            tenant_id: link.tenant_id.clone(),
            tenant_name: tenant.name,
            expires_at: link.expires_at,
            delivery_key: link.delivery_key.clone(),
            items,
        })
    }

    /// Carries the link out: spends it, then makes each change once, recording it first.
    pub async fn confirm(&self, token: &str, by: Uuid) -> Result<Confirmed, RemediationError> {
        let now = Utc::now();
        let (claims, link) = self.open(token, now).await?;
        let plan = self.plan(&claims, &link, now).await?;
        if !plan.actionable() {
            return Err(RemediationError::Invalid(
                "Nothing can be changed now (see each subscription's line); the link stays unused.".into(),
            ));
        }
        if !db::claim_link(&self.pool, link.id, by, Utc::now()).await? {
            // Another click, tab or person spent it in between.
            let spent = db::find_link(&self.pool, link.id).await?;
            return Err(LinkError::Used {
                at: spent.as_ref().and_then(|l| l.used_at),
                by: spent.and_then(|l| l.used_by_name),
                link_id: link.id,
            }
            .into());
        }
        let mut outcomes = Vec::new();
        for item in &plan.items {
            let Step::Reduce { target, kind, .. } = item.step else { continue };
            let channel = item.channel.unwrap_or(FindingChannel::PartnerCenter);
            let action = db::NewAction {
                link_id: link.id,
                tenant_id: &link.tenant_id,
                subscription_id: &item.subscription_id,
                product: &item.product,
                channel,
                pax8_subscription_id: item.pax8_subscription_id.as_ref(),
                kind,
                quantity_before: item.quantity,
                target,
                requested_by: by,
            };
            let action_id = db::record_intent(&self.pool, &action).await?;
            let (status, after, detail) = self.change(&link.tenant_id, item, target, kind).await;
            db::finish_action(&self.pool, action_id, status, after, detail.as_deref()).await?;
            if status == QuantityChangeStatus::Done {
                seatsync_db::licence_alerts::forget_finding(&self.pool, &link.tenant_id, &item.subscription_id).await?;
                // Pax8 has no next-term quantity: its change is the quantity itself.
                let stored = if item.pax8_subscription_id.is_some() { QuantityChange::Now } else { kind };
                if let Some(after) = after {
                    licences::record_change(&self.pool, &link.tenant_id, &item.subscription_id, stored, after).await?;
                }
            }
            tracing::info!(tenant = %link.tenant_id, subscription = %item.subscription_id, ?status, target, "quantity change");
            outcomes.push(ChangeOutcome {
                subscription_id: item.subscription_id.clone(),
                product: item.product.clone(),
                channel,
                kind,
                before: item.quantity,
                target,
                status,
                after,
                detail,
            });
        }
        Ok(Confirmed {
            link_id: link.id,
            tenant_id: link.tenant_id,
            tenant_name: plan.tenant_name,
            delivery_key: link.delivery_key,
            changes: outcomes,
        })
    }

    /// Sends one change, once. A lost answer is settled by reading the subscription back.
    async fn change(
        &self,
        tenant: &TenantId,
        item: &PlanItem,
        target: i64,
        kind: QuantityChange,
    ) -> (QuantityChangeStatus, Option<i64>, Option<String>) {
        let sent = match (&item.pax8_subscription_id, kind) {
            (Some(pax8_id), _) => match self.clients.pax8.get() {
                Some(pax8) => pax8.set_quantity(pax8_id, target).await.map(|s| s.quantity),
                None => return (QuantityChangeStatus::Failed, None, Some("Pax8 is no longer configured.".into())),
            },
            (None, QuantityChange::Now) => match self.partner_center() {
                Ok(pc) => pc.set_quantity(tenant, &item.subscription_id, target).await.map(|s| s.quantity),
                Err(e) => return (QuantityChangeStatus::Failed, None, Some(e.to_string())),
            },
            (None, QuantityChange::NextTerm) => match self.partner_center() {
                Ok(pc) => pc
                    .schedule_next_term_quantity(tenant, &item.subscription_id, target)
                    .await
                    .map(|s| s.scheduled_next_term_instructions.and_then(|i| i.quantity).unwrap_or(s.quantity)),
                Err(e) => return (QuantityChangeStatus::Failed, None, Some(e.to_string())),
            },
        };
        match sent {
            Ok(after) => (QuantityChangeStatus::Done, Some(after), None),
            Err(VendorError::Status { status, message, .. }) if (400..500).contains(&status) => {
                (QuantityChangeStatus::Refused, None, Some(message))
            }
            Err(VendorError::Uncertain { detail, .. }) => {
                let now = self.read_back(tenant, item, kind).await;
                match now {
                    Some(q) if q == target => (QuantityChangeStatus::Done, Some(q), None),
                    _ => (
                        QuantityChangeStatus::Uncertain,
                        now,
                        Some(format!("{detail}; reading the subscription back did not show the change, and SeatSync did not send it again")),
                    ),
                }
            }
            Err(e) => (QuantityChangeStatus::Failed, None, Some(e.to_string())),
        }
    }

    /// The quantity (or, for the next term, the scheduled quantity) as the vendor holds it now.
    async fn read_back(&self, tenant: &TenantId, item: &PlanItem, kind: QuantityChange) -> Option<i64> {
        match (&item.pax8_subscription_id, kind) {
            (Some(pax8_id), _) => self.clients.pax8.get()?.subscription(pax8_id).await.ok().map(|s| s.quantity),
            (None, QuantityChange::Now) => {
                self.partner_center().ok()?.subscription(tenant, &item.subscription_id).await.ok().map(|s| s.quantity)
            }
            (None, QuantityChange::NextTerm) => self
                .partner_center()
                .ok()?
                .subscription(tenant, &item.subscription_id)
                .await
                .ok()
                .and_then(|s| s.scheduled_next_term_instructions.and_then(|i| i.quantity)),
        }
    }

    fn partner_center(&self) -> Result<Arc<dyn partner_center::PartnerCenter>, RemediationError> {
        self.clients
            .licence_sync
            .get()
            .map(|sync| sync.partner_center().clone())
            .ok_or(RemediationError::NotConfigured("Partner Center"))
    }

    /// The tenant's subscriptions and seats as Partner Center and Graph hold them now.
    async fn live(&self, tenant: &TenantId) -> Result<Live, RemediationError> {
        let sync = self
            .clients
            .licence_sync
            .get()
            .ok_or(RemediationError::NotConfigured("Partner Center and Microsoft Graph"))?;
        let subscriptions = sync
            .partner_center()
            .subscriptions(tenant)
            .await
            .map_err(|error| RemediationError::LiveRead { what: "Partner Center", error })?;
        let skus = sync
            .graph()
            .subscribed_skus(tenant)
            .await
            .map_err(|error| RemediationError::LiveRead { what: "Microsoft Graph", error })?;
        let sku_of: HashMap<String, SkuId> = skus
            .iter()
            .flat_map(|k| k.subscription_ids.iter().map(|s| (s.as_str().to_ascii_lowercase(), k.sku_id.clone())))
            .collect();
        let subscriptions = subscriptions
            .into_iter()
            .map(|s| licences::Subscription {
                sku_id: sku_of.get(&s.id.as_str().to_ascii_lowercase()).cloned(),
                is_nce: s.is_nce(),
                next_term_quantity: s.scheduled_next_term_instructions.as_ref().and_then(|i| i.quantity),
                id: s.id,
                tenant_id: tenant.clone(),
                offer_id: s.offer_id,
                offer_name: s.offer_name,
                friendly_name: s.friendly_name,
                quantity: s.quantity,
                unit_type: s.unit_type,
                term: s.term_duration,
                billing_cycle: s.billing_cycle,
                effective_start: s.effective_start_date,
                commitment_end: s.commitment_end_date,
                cancellation_allowed_until: s.cancellation_allowed_until_date,
                status: s.status,
                auto_renew: s.auto_renew_enabled,
                is_trial: s.is_trial,
            })
            .collect();
        let skus = skus
            .into_iter()
            .map(|k| licences::SkuConsumption {
                sku_id: k.sku_id,
                sku_part_number: k.sku_part_number,
                applies_to: k.applies_to,
                capability_status: k.capability_status,
                consumed: k.consumed_units,
                enabled: k.prepaid_units.enabled.unwrap_or(0),
                suspended: k.prepaid_units.suspended.unwrap_or(0),
                warning: k.prepaid_units.warning.unwrap_or(0),
                locked_out: k.prepaid_units.locked_out.unwrap_or(0),
            })
            .collect();
        Ok(Live { subscriptions, skus })
    }

    /// The changes a link made (for the page of a link already used).
    pub async fn outcomes_of(&self, link_id: Uuid) -> Result<Vec<db::Action>, RemediationError> {
        Ok(db::actions_of_link(&self.pool, link_id).await?)
    }
}

struct Live {
    subscriptions: Vec<licences::Subscription>,
    skus: Vec<licences::SkuConsumption>,
}
