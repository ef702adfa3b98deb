//! Reducible seats: which subscriptions of a tenant hold seats nobody uses, how many of them can
//! be given back, when the reduction can take effect, and whether that is worth an alert now.
//!
//! The rule is one pure function, [`assess`], used by the daily alert run and again by the
//! confirmation page with the live numbers, so a click can never reduce more than the run would.
//!
//! What it guarantees, whatever the input (see the property tests):
//! - per SKU, the seats left after every reduction are at least the assigned seats plus the
//!   spare allowance, and the seats of subscriptions that do not renew are not counted on;
//! - a quantity already scheduled for a subscription's next term counts for its renewal: a
//!   reduction already scheduled is not asked for again, only what remains beyond it;
//! - no subscription is reduced below one seat (dropping the last seat is a cancellation, which
//!   SeatSync never does from a link) or listed twice;
//! - an excluded tenant, an ignored SKU, a device SKU, a SKU whose assigned seats are unknown and
//!   a subscription with nowhere to change it are never alerted; each is passed over with its
//!   reason, so the page can say why.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::{seats::monthly_cost, Pax8SubscriptionId, SkuId, SubscriptionId, Term};

/// Days before an annual or 3-year term renews from which its reducible seats are alerted,
/// unless an Admin sets another number.
pub const DEFAULT_RENEWAL_NOTICE_DAYS: i64 = 30;

/// Why a SKU is on the shipped ignore list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IgnoreCategory {
    /// Costs nothing (Microsoft gives it away or bundles it).
    Free,
    /// A trial or a "viral" sign-up licence users take themselves.
    Trial,
    /// Licensed per device, room or resource, never assigned to a person: always looks unused.
    Device,
    /// Paid by use (credits), not per seat.
    Consumption,
}

impl IgnoreCategory {
    pub fn label(self) -> &'static str {
        match self {
            IgnoreCategory::Free => "free",
            IgnoreCategory::Trial => "trial or self sign-up",
            IgnoreCategory::Device => "device or resource licence",
            IgnoreCategory::Consumption => "pay-as-you-go credits",
        }
    }
}

/// SKU part numbers (Graph's `skuPartNumber`, Microsoft's "String ID") ignored on a new
/// installation. The Admin edits the list in SeatSync; this is only where it starts.
pub const DEFAULT_IGNORED_SKUS: &[(&str, IgnoreCategory)] = &[
    ("POWER_BI_STANDARD", IgnoreCategory::Free),
    ("FLOW_FREE", IgnoreCategory::Free),
    ("TEAMS_FREE", IgnoreCategory::Free),
    ("STREAM", IgnoreCategory::Free),
    ("WINDOWS_STORE", IgnoreCategory::Free),
    ("MICROSOFT_BUSINESS_CENTER", IgnoreCategory::Free),
    ("RIGHTSMANAGEMENT_ADHOC", IgnoreCategory::Free),
    ("DEVELOPERPACK_E5", IgnoreCategory::Free),
    ("TEAMS_EXPLORATORY", IgnoreCategory::Trial),
    ("POWERAPPS_VIRAL", IgnoreCategory::Trial),
    ("POWERAPPS_DEV", IgnoreCategory::Trial),
    ("CCIBOTS_PRIVPREV_VIRAL", IgnoreCategory::Trial),
    ("POWER_BI_PRO_TRIAL", IgnoreCategory::Trial),
    ("FORMS_PRO", IgnoreCategory::Trial),
    ("MCOCAP", IgnoreCategory::Device),
    ("PHONESYSTEM_VIRTUALUSER", IgnoreCategory::Device),
    ("MEETING_ROOM", IgnoreCategory::Device),
    ("Microsoft_Teams_Rooms_Pro", IgnoreCategory::Device),
    ("Microsoft_Teams_Rooms_Basic", IgnoreCategory::Device),
    ("INTUNE_A_D", IgnoreCategory::Device),
    ("MDATP_Server", IgnoreCategory::Device),
    ("DEFENDER_ENDPOINT_SERVER", IgnoreCategory::Device),
    ("MCOPSTNC", IgnoreCategory::Consumption),
];

/// Where a subscription's quantity can be changed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Channel {
    /// Bought through Pax8: the quantity changes there (Pax8 passes it on to Microsoft).
    Pax8(Pax8SubscriptionId),
    /// Bought directly in the MSP's Partner Center.
    PartnerCenter,
    /// SeatSync knows no place to change it (the tenant's Pax8 company is not mapped yet, or the
    /// distributor is one SeatSync does not reach).
    Nowhere,
}

impl Channel {
    pub fn is_remediable(&self) -> bool {
        !matches!(self, Channel::Nowhere)
    }
}

/// One SKU of the tenant as Graph reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkuSeats {
    pub sku_id: SkuId,
    /// `skuPartNumber`, e.g. `SPB`.
    pub part_number: String,
    /// Assigned to users (`appliesTo` "User"); a company-wide (device) SKU is never assigned.
    pub for_users: bool,
    /// Users the SKU is assigned to (`consumedUnits`).
    pub assigned: i64,
}

/// One subscription of the tenant and what is known about where and when it can change.
#[derive(Debug, Clone, PartialEq)]
pub struct Holding {
    pub subscription_id: SubscriptionId,
    /// The Graph SKU its seats belong to; `None` when Graph does not list the subscription.
    pub sku_id: Option<SkuId>,
    pub product: String,
    pub quantity: i64,
    pub term: Option<Term>,
    /// New commerce: decreases only inside the cancellation window.
    pub is_nce: bool,
    pub is_trial: bool,
    /// Active (not suspended, expired or deleted): only those seats are paid for.
    pub active: bool,
    pub auto_renew: bool,
    pub commitment_end: Option<DateTime<Utc>>,
    pub cancellation_allowed_until: Option<DateTime<Utc>>,
    /// The quantity already scheduled for the next term (Partner Center's
    /// `scheduledNextTermInstructions`), if any.
    pub scheduled_next_term: Option<i64>,
    pub channel: Channel,
    /// The price of one seat a month, when known.
    pub monthly_price: Option<f64>,
}

/// The tenant's settings the rule reads.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Policy {
    /// The whole tenant is left out of alerts.
    pub tenant_excluded: bool,
    /// Spare seats per SKU the tenant keeps for new starters (the Overview's allowance).
    pub spare_default: i64,
    /// A different allowance for some SKUs.
    pub spare_by_sku: BTreeMap<SkuId, i64>,
    /// Part numbers ignored for every tenant, compared without regard to case.
    pub ignored_part_numbers: BTreeSet<String>,
    /// SKUs ignored for this tenant only (a non-profit grant, seats a previous provider left).
    pub tenant_ignored_skus: BTreeSet<SkuId>,
    /// How many days before an annual or 3-year renewal its seats are alerted.
    pub renewal_notice_days: i64,
}

impl Policy {
    pub fn allowance(&self, sku: &SkuId) -> i64 {
        self.spare_by_sku.get(sku).copied().unwrap_or(self.spare_default).max(0)
    }

    fn ignores_part_number(&self, part_number: &str) -> bool {
        self.ignored_part_numbers.iter().any(|p| p.eq_ignore_ascii_case(part_number.trim()))
    }
}

/// When a reduction can take effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Timing {
    /// Now: a legacy subscription (any time, `until` is `None`) or an NCE one inside its
    /// cancellation window, which closes at `until`.
    Now { until: Option<DateTime<Utc>> },
    /// At the next renewal, on `on`: the quantity for the next term.
    AtRenewal { on: DateTime<Utc> },
}

/// Seats of one subscription that can be given back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub subscription_id: SubscriptionId,
    pub sku_id: SkuId,
    pub product: String,
    pub term: Option<Term>,
    pub commitment_end: Option<DateTime<Utc>>,
    pub channel: Channel,
    /// The subscription's quantity.
    pub purchased: i64,
    /// The renewing seats of the SKU across all its subscriptions (what is weighed against the
    /// assigned seats).
    pub sku_purchased: i64,
    /// Users holding the SKU, across all its subscriptions.
    pub assigned: i64,
    /// The SKU's spare allowance.
    pub allowance: i64,
    /// The quantity already scheduled for the next term, which a reduction at renewal starts
    /// from instead of `purchased`.
    pub scheduled: Option<i64>,
    /// Seats to give back.
    pub reducible: i64,
    /// The quantity after the reduction: [`Finding::reduced_from`] minus `reducible`, at least one.
    pub target: i64,
    pub timing: Timing,
    /// Worth a ticket now: monthly terms always, others while their window is open or their
    /// renewal is near. The rest is listed as "reducible at renewal".
    pub alert: bool,
    pub monthly_saving: Option<f64>,
}

impl Finding {
    /// The quantity the reduction is taken from: the one already scheduled for the next term
    /// when the reduction is at renewal and one is, otherwise the quantity bought.
    pub fn reduced_from(&self) -> i64 {
        self.scheduled.unwrap_or(self.purchased)
    }
}

/// Why seats were not counted as reducible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PassReason {
    /// The tenant is on the exclusion list.
    TenantExcluded,
    /// On the global ignore list.
    IgnoredSku,
    /// On this tenant's ignore list.
    IgnoredForTenant,
    /// Licensed per device or for the whole company; never assigned to users.
    DeviceSku,
    /// Graph's numbers for the SKU are unknown (no consent, or the last read failed): without
    /// the assigned seats nothing is safe to reduce.
    AssignedUnknown,
    /// Graph lists no subscription of ours behind this SKU: bought through neither Pax8 nor the
    /// MSP's Partner Center, so SeatSync cannot change it.
    BoughtElsewhere,
    /// Suspended, expired or deleted: not billed.
    NotActive,
    Trial,
    /// Ends at the end of its term without renewing; nothing to reduce for the next one.
    DoesNotRenew {
        ends: Option<DateTime<Utc>>,
    },
    /// No renewal date is known, so when a reduction could take effect is unknown.
    RenewalUnknown,
    /// SeatSync knows nowhere to change the quantity.
    NoChannel,
    /// A lower quantity is already scheduled for the next term, and it leaves nothing more to
    /// give back.
    AlreadyScheduled {
        quantity: i64,
        on: DateTime<Utc>,
    },
}

impl PassReason {
    /// A short stable name, as stored.
    pub fn code(&self) -> &'static str {
        match self {
            PassReason::TenantExcluded => "tenant_excluded",
            PassReason::IgnoredSku => "ignored_sku",
            PassReason::IgnoredForTenant => "ignored_for_tenant",
            PassReason::DeviceSku => "device_sku",
            PassReason::AssignedUnknown => "assigned_unknown",
            PassReason::BoughtElsewhere => "bought_elsewhere",
            PassReason::NotActive => "not_active",
            PassReason::Trial => "trial",
            PassReason::DoesNotRenew { .. } => "does_not_renew",
            PassReason::RenewalUnknown => "renewal_unknown",
            PassReason::NoChannel => "no_channel",
            PassReason::AlreadyScheduled { .. } => "already_scheduled",
        }
    }

    /// The reason in words, for the page and the ticket.
    pub fn words(&self) -> String {
        match self {
            PassReason::TenantExcluded => "the customer is excluded from alerts".into(),
            PassReason::IgnoredSku => "the licence is on the ignore list".into(),
            PassReason::IgnoredForTenant => "the licence is ignored for this customer".into(),
            PassReason::DeviceSku => "a device or company-wide licence, never assigned to users".into(),
            PassReason::AssignedUnknown => {
                "Microsoft Graph's assigned seats are unknown for this customer (no consent, or the last read failed)"
                    .into()
            }
            PassReason::BoughtElsewhere => {
                "bought through neither Pax8 nor your Partner Center, so SeatSync cannot change it".into()
            }
            PassReason::NotActive => "the subscription is not active".into(),
            PassReason::Trial => "a trial".into(),
            PassReason::DoesNotRenew { ends: Some(ends) } => {
                format!("ends on {} without renewing", ends.format("%Y-%m-%d"))
            }
            PassReason::DoesNotRenew { ends: None } => "does not renew".into(),
            PassReason::RenewalUnknown => "Partner Center gives no renewal date".into(),
            PassReason::NoChannel => {
                "no Pax8 subscription matches it and it is not in your Partner Center; map the customer's Pax8 company"
                    .into()
            }
            PassReason::AlreadyScheduled { quantity, on } => {
                format!("already scheduled down to {quantity} for the renewal on {}", on.format("%Y-%m-%d"))
            }
        }
    }
}

/// Something left out, a SKU (`subscription_id` `None`) or one subscription.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassedOver {
    pub sku_id: Option<SkuId>,
    pub part_number: Option<String>,
    pub subscription_id: Option<SubscriptionId>,
    pub unused: i64,
    pub reason: PassReason,
}

/// A tenant's reducible seats and what was left out.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Assessment {
    pub findings: Vec<Finding>,
    pub passed_over: Vec<PassedOver>,
}

impl Assessment {
    /// The findings worth a ticket now.
    pub fn alerts(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.alert)
    }

    pub fn reducible_seats(&self) -> i64 {
        self.alerts().map(|f| f.reducible).sum()
    }

    /// The monthly saving of the alerted findings whose price is known.
    pub fn monthly_saving(&self) -> f64 {
        crate::seats::round_cents(self.alerts().filter_map(|f| f.monthly_saving).sum())
    }
}

/// The seats `h` keeps for its next term as things stand: a quantity already scheduled counts
/// when the reduction can only come at renewal; one changed now starts from today's quantity.
fn renewing(h: &Holding, timing: Timing) -> i64 {
    match (timing, h.scheduled_next_term) {
        (Timing::AtRenewal { .. }, Some(scheduled)) => scheduled.max(0),
        _ => h.quantity.max(0),
    }
}

/// When a reduction of `h` can take effect, or why it cannot be planned.
fn timing(h: &Holding, now: DateTime<Utc>) -> Result<Timing, PassReason> {
    if !h.is_nce {
        return Ok(Timing::Now { until: None });
    }
    if let Some(until) = h.cancellation_allowed_until.filter(|until| *until > now) {
        return Ok(Timing::Now { until: Some(until) });
    }
    match h.commitment_end {
        Some(on) => Ok(Timing::AtRenewal { on }),
        None => Err(PassReason::RenewalUnknown),
    }
}

fn worth_alerting(h: &Holding, timing: Timing, now: DateTime<Utc>, notice_days: i64) -> bool {
    match (h.term, timing) {
        (Some(Term::P1M), _) | (_, Timing::Now { .. }) => true,
        (_, Timing::AtRenewal { on }) => on - now <= Duration::days(notice_days.max(0)),
    }
}

/// Which subscription gives seats back first: one SeatSync can change, on a monthly term,
/// changeable now, renewing soonest. Monthly first, so a customer keeps the flexibility of the
/// seats it pays the most for.
fn reduction_order(
    prefer: &[SubscriptionId],
) -> impl Fn(&(Holding, Timing), &(Holding, Timing)) -> std::cmp::Ordering + '_ {
    move |a, b| {
        let key = |(h, t): &(Holding, Timing)| {
            let when = match t {
                Timing::Now { .. } => (0, None),
                Timing::AtRenewal { on } => (1, Some(*on)),
            };
            let preferred = prefer.iter().position(|p| p.as_str().eq_ignore_ascii_case(h.subscription_id.as_str()));
            (
                preferred.unwrap_or(usize::MAX),
                !h.channel.is_remediable(),
                h.term != Some(Term::P1M),
                when,
                h.subscription_id.clone(),
            )
        };
        key(a).cmp(&key(b))
    }
}

/// A tenant's reducible seats at `now`: see the module's documentation for what it guarantees.
pub fn assess(now: DateTime<Utc>, skus: &[SkuSeats], holdings: &[Holding], policy: &Policy) -> Assessment {
    assess_preferring(now, skus, holdings, policy, &[])
}

/// [`assess`], with the surplus of each SKU taken from the subscriptions in `prefer` first (in
/// that order): a link names its subscriptions, and the live re-read must weigh those, not
/// others the rule would pick first. The guarantees are the same.
pub fn assess_preferring(
    now: DateTime<Utc>,
    skus: &[SkuSeats],
    holdings: &[Holding],
    policy: &Policy,
    prefer: &[SubscriptionId],
) -> Assessment {
    let mut out = Assessment::default();
    let by_sku: BTreeMap<&SkuId, &SkuSeats> = skus.iter().map(|s| (&s.sku_id, s)).collect();
    let pass = |out: &mut Assessment, sku: Option<&SkuSeats>, h: Option<&Holding>, unused: i64, reason| {
        out.passed_over.push(PassedOver {
            sku_id: sku.map(|s| s.sku_id.clone()).or_else(|| h.and_then(|h| h.sku_id.clone())),
            part_number: sku.map(|s| s.part_number.clone()),
            subscription_id: h.map(|h| h.subscription_id.clone()),
            unused,
            reason,
        })
    };

    // Subscriptions Graph does not tie to a SKU cannot be weighed against assigned seats.
    for h in holdings.iter().filter(|h| h.sku_id.as_ref().is_none_or(|s| !by_sku.contains_key(s))) {
        if h.active && !h.is_trial {
            pass(&mut out, None, Some(h), 0, PassReason::AssignedUnknown);
        }
    }

    for sku in skus {
        let mine: Vec<&Holding> = holdings.iter().filter(|h| h.sku_id.as_ref() == Some(&sku.sku_id)).collect();
        let billed: i64 = mine.iter().filter(|h| h.active && !h.is_trial).map(|h| h.quantity.max(0)).sum();
        let allowance = policy.allowance(&sku.sku_id);
        let assigned = sku.assigned.max(0);
        let unused = billed.saturating_sub(assigned).max(0);
        let sku_reason = if policy.tenant_excluded {
            Some(PassReason::TenantExcluded)
        } else if policy.ignores_part_number(&sku.part_number) {
            Some(PassReason::IgnoredSku)
        } else if policy.tenant_ignored_skus.contains(&sku.sku_id) {
            Some(PassReason::IgnoredForTenant)
        } else if !sku.for_users {
            Some(PassReason::DeviceSku)
        } else if mine.is_empty() {
            Some(PassReason::BoughtElsewhere)
        } else {
            None
        };
        if let Some(reason) = sku_reason {
            if unused > 0 || reason == PassReason::BoughtElsewhere {
                pass(&mut out, Some(sku), None, unused, reason);
            }
            continue;
        }

        // Seats the SKU keeps after every planned reduction: only subscriptions that are
        // billed and renew count, since the others' seats go away by themselves.
        let mut counted: Vec<(Holding, Timing)> = Vec::new();
        for h in mine {
            let reason = if !h.active {
                Some(PassReason::NotActive)
            } else if h.is_trial {
                Some(PassReason::Trial)
            } else if !h.auto_renew {
                Some(PassReason::DoesNotRenew { ends: h.commitment_end })
            } else {
                None
            };
            if let Some(reason) = reason {
                if h.active && !h.is_trial {
                    pass(&mut out, Some(sku), Some(h), 0, reason);
                }
                continue;
            }
            match timing(h, now) {
                Ok(t) => counted.push((h.clone(), t)),
                Err(reason) => pass(&mut out, Some(sku), Some(h), 0, reason),
            }
        }
        let kept: i64 = counted.iter().map(|(h, t)| renewing(h, *t)).sum();
        let mut surplus = kept.saturating_sub(assigned.saturating_add(allowance)).max(0);
        counted.sort_by(reduction_order(prefer));
        for (h, timing) in counted {
            let from = renewing(&h, timing);
            let cut = surplus.min(from.saturating_sub(1)).max(0);
            if cut == 0 {
                if let (Timing::AtRenewal { on }, Some(quantity)) = (timing, h.scheduled_next_term) {
                    if quantity < h.quantity {
                        let reason = PassReason::AlreadyScheduled { quantity, on };
                        pass(&mut out, Some(sku), Some(&h), h.quantity - quantity.max(0), reason);
                    }
                }
                continue;
            }
            surplus -= cut;
            if !h.channel.is_remediable() {
                pass(&mut out, Some(sku), Some(&h), cut, PassReason::NoChannel);
                continue;
            }
            out.findings.push(Finding {
                subscription_id: h.subscription_id.clone(),
                sku_id: sku.sku_id.clone(),
                product: h.product.clone(),
                term: h.term,
                commitment_end: h.commitment_end,
                purchased: h.quantity,
                scheduled: matches!(timing, Timing::AtRenewal { .. }).then_some(h.scheduled_next_term).flatten(),
                sku_purchased: kept,
                assigned,
                allowance,
                reducible: cut,
                target: from - cut,
                timing,
                alert: worth_alerting(&h, timing, now, policy.renewal_notice_days),
                monthly_saving: monthly_cost(cut, h.monthly_price),
                channel: h.channel,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap()
    }

    fn sku(id: &str, assigned: i64) -> SkuSeats {
        SkuSeats { sku_id: SkuId::new(id), part_number: format!("PART_{id}"), for_users: true, assigned }
    }

    fn holding(id: &str, sku: &str, quantity: i64, term: Term) -> Holding {
        Holding {
            subscription_id: SubscriptionId::new(id),
            sku_id: Some(SkuId::new(sku)),
            product: format!("Product {sku}"),
            quantity,
            term: Some(term),
            is_nce: true,
            is_trial: false,
            active: true,
            auto_renew: true,
            commitment_end: Some(now() + Duration::days(200)),
            cancellation_allowed_until: None,
            scheduled_next_term: None,
            channel: Channel::Pax8(Pax8SubscriptionId::new(format!("pax8-{id}"))),
            monthly_price: Some(10.0),
        }
    }

    fn policy() -> Policy {
        Policy { renewal_notice_days: DEFAULT_RENEWAL_NOTICE_DAYS, ..Policy::default() }
    }

    #[test]
    fn monthly_subscription_over_purchased_is_alerted_at_renewal() {
        let mut h = holding("a", "s", 10, Term::P1M);
        h.commitment_end = Some(now() + Duration::days(12));
        let out = assess(now(), &[sku("s", 7)], &[h], &policy());
        let f = &out.findings[0];
        assert_eq!((f.reducible, f.target, f.alert), (3, 7, true));
        assert_eq!(f.timing, Timing::AtRenewal { on: now() + Duration::days(12) });
        assert_eq!(f.monthly_saving, Some(30.0));
        assert_eq!(out.monthly_saving(), 30.0);
    }

    #[test]
    fn open_window_means_now_on_every_term() {
        let mut h = holding("a", "s", 10, Term::P3Y);
        h.cancellation_allowed_until = Some(now() + Duration::days(3));
        let out = assess(now(), &[sku("s", 4)], &[h], &policy());
        assert_eq!(out.findings[0].timing, Timing::Now { until: Some(now() + Duration::days(3)) });
        assert!(out.findings[0].alert);
    }

    #[test]
    fn legacy_subscriptions_can_be_reduced_any_time() {
        let mut h = holding("a", "s", 10, Term::P1Y);
        h.is_nce = false;
        let out = assess(now(), &[sku("s", 4)], &[h], &policy());
        assert_eq!(out.findings[0].timing, Timing::Now { until: None });
    }

    #[test]
    fn annual_term_far_from_renewal_is_listed_but_not_alerted_until_the_notice_period() {
        let far = holding("a", "s", 10, Term::P1Y);
        let out = assess(now(), &[sku("s", 4)], std::slice::from_ref(&far), &policy());
        assert!(!out.findings[0].alert);
        assert_eq!(out.reducible_seats(), 0);
        let mut near = far;
        near.commitment_end = Some(now() + Duration::days(20));
        let out = assess(now(), &[sku("s", 4)], &[near], &policy());
        assert!(out.findings[0].alert);
    }

    #[test]
    fn allowance_is_kept_per_sku_over_the_tenant_default() {
        let mut p = policy();
        p.spare_default = 2;
        p.spare_by_sku.insert(SkuId::new("s"), 0);
        let out = assess(
            now(),
            &[sku("s", 7), sku("t", 7)],
            &[holding("a", "s", 10, Term::P1M), holding("b", "t", 10, Term::P1M)],
            &p,
        );
        let by: BTreeMap<_, _> = out.findings.iter().map(|f| (f.sku_id.as_str().to_string(), f.target)).collect();
        assert_eq!(by["s"], 7);
        assert_eq!(by["t"], 9);
    }

    #[test]
    fn shared_sku_is_spread_monthly_first_and_never_counted_twice() {
        let annual = holding("annual", "s", 10, Term::P1Y);
        let monthly = holding("monthly", "s", 4, Term::P1M);
        // 14 bought, 6 used: 8 to give back; the monthly one keeps 1 seat (3 back), the annual 5.
        let out = assess(now(), &[sku("s", 6)], &[annual, monthly], &policy());
        assert_eq!(out.findings.len(), 2);
        assert_eq!(out.findings[0].subscription_id, "monthly");
        assert_eq!((out.findings[0].reducible, out.findings[0].target), (3, 1));
        assert_eq!((out.findings[1].reducible, out.findings[1].target), (5, 5));
    }

    #[test]
    fn ignored_excluded_device_and_unknown_skus_are_passed_over_with_their_reason() {
        let h = holding("a", "s", 10, Term::P1M);
        let mut p = policy();
        p.ignored_part_numbers.insert("part_s".into());
        let out = assess(now(), &[sku("s", 1)], std::slice::from_ref(&h), &p);
        assert!(out.findings.is_empty());
        assert_eq!(out.passed_over[0].reason, PassReason::IgnoredSku);
        assert_eq!(out.passed_over[0].unused, 9);

        let mut p = policy();
        p.tenant_ignored_skus.insert(SkuId::new("s"));
        assert_eq!(
            assess(now(), &[sku("s", 1)], std::slice::from_ref(&h), &p).passed_over[0].reason,
            PassReason::IgnoredForTenant
        );

        let p = Policy { tenant_excluded: true, ..policy() };
        assert_eq!(
            assess(now(), &[sku("s", 1)], std::slice::from_ref(&h), &p).passed_over[0].reason,
            PassReason::TenantExcluded
        );

        let device = SkuSeats { for_users: false, ..sku("s", 0) };
        assert_eq!(
            assess(now(), &[device], std::slice::from_ref(&h), &policy()).passed_over[0].reason,
            PassReason::DeviceSku
        );

        let out = assess(now(), &[], std::slice::from_ref(&h), &policy());
        assert!(out.findings.is_empty());
        assert_eq!(out.passed_over[0].reason, PassReason::AssignedUnknown);

        let out = assess(now(), &[sku("elsewhere", 0)], &[], &policy());
        assert_eq!(out.passed_over[0].reason, PassReason::BoughtElsewhere);
    }

    #[test]
    fn a_subscription_with_nowhere_to_change_it_is_never_alerted() {
        let mut h = holding("a", "s", 10, Term::P1M);
        h.channel = Channel::Nowhere;
        let out = assess(now(), &[sku("s", 2)], &[h], &policy());
        assert!(out.findings.is_empty());
        assert_eq!(out.passed_over[0].reason, PassReason::NoChannel);
        assert_eq!(out.passed_over[0].unused, 8);
    }

    #[test]
    fn seats_that_do_not_renew_are_not_counted_on() {
        // 10 monthly + 5 annual that ends without renewing, 12 used: after the annual ends only
        // 10 remain, fewer than used, so nothing is reducible.
        let monthly = holding("m", "s", 10, Term::P1M);
        let mut ending = holding("e", "s", 5, Term::P1Y);
        ending.auto_renew = false;
        let out = assess(now(), &[sku("s", 12)], &[monthly, ending], &policy());
        assert!(out.findings.is_empty());
        assert!(matches!(out.passed_over[0].reason, PassReason::DoesNotRenew { .. }));
    }

    #[test]
    fn a_preferred_subscription_gives_its_seats_first() {
        let annual = holding("annual", "s", 10, Term::P1Y);
        let monthly = holding("monthly", "s", 4, Term::P1M);
        let out =
            assess_preferring(now(), &[sku("s", 6)], &[annual, monthly], &policy(), &[SubscriptionId::new("annual")]);
        assert_eq!(out.findings[0].subscription_id, "annual");
        assert_eq!((out.findings[0].reducible, out.findings[0].target), (8, 2));
        assert_eq!(out.findings.len(), 1, "the surplus is not counted twice");
    }

    #[test]
    fn a_reduction_already_scheduled_for_the_renewal_is_not_asked_for_again() {
        // 10 bought, 6 used, 8 already scheduled for the annual renewal: 2 more can go.
        let mut annual = holding("a", "s", 10, Term::P1Y);
        annual.channel = Channel::PartnerCenter;
        annual.commitment_end = Some(now() + Duration::days(20));
        annual.scheduled_next_term = Some(8);
        let out = assess(now(), &[sku("s", 6)], std::slice::from_ref(&annual), &policy());
        let f = &out.findings[0];
        assert_eq!((f.purchased, f.scheduled, f.reducible, f.target), (10, Some(8), 2, 6));
        assert_eq!(f.monthly_saving, Some(20.0));
        // Scheduled down to what is used: nothing left, and the page can say why.
        annual.scheduled_next_term = Some(6);
        let out = assess(now(), &[sku("s", 6)], std::slice::from_ref(&annual), &policy());
        assert!(out.findings.is_empty());
        assert_eq!(
            out.passed_over[0].reason,
            PassReason::AlreadyScheduled { quantity: 6, on: now() + Duration::days(20) }
        );
        assert_eq!(out.passed_over[0].unused, 4);
        // Inside the window the reduction is made now, from today's quantity.
        annual.cancellation_allowed_until = Some(now() + Duration::days(2));
        let out = assess(now(), &[sku("s", 6)], &[annual], &policy());
        assert_eq!((out.findings[0].scheduled, out.findings[0].target), (None, 6));
    }

    #[test]
    fn never_reduced_to_zero() {
        let out = assess(now(), &[sku("s", 0)], &[holding("a", "s", 3, Term::P1M)], &policy());
        assert_eq!((out.findings[0].target, out.findings[0].reducible), (1, 2));
    }

    #[test]
    fn shipped_ignore_list_names_device_licences() {
        let device: Vec<_> =
            DEFAULT_IGNORED_SKUS.iter().filter(|(_, c)| *c == IgnoreCategory::Device).map(|(p, _)| *p).collect();
        assert!(device.contains(&"INTUNE_A_D") && device.contains(&"MCOCAP"));
    }

    fn arb_holding() -> impl Strategy<Value = Holding> {
        (
            0usize..3,
            0i64..40,
            0usize..3,
            any::<bool>(),
            prop::bool::weighted(0.1),
            prop::bool::weighted(0.9),
            prop::bool::weighted(0.9),
            -40i64..400,
            prop::option::of(-10i64..10),
            0usize..3,
            prop::option::weighted(0.2, 0i64..40),
        )
            .prop_map(
                |(sku, quantity, term, nce, trial, active, renew, end_days, window_days, channel, scheduled)| Holding {
                    subscription_id: SubscriptionId::new(format!("sub-{sku}-{quantity}-{end_days}")),
                    sku_id: Some(SkuId::new(format!("s{sku}"))),
                    product: "p".into(),
                    quantity,
                    term: Some(Term::ALL[term]),
                    is_nce: nce,
                    is_trial: trial,
                    active,
                    auto_renew: renew,
                    commitment_end: Some(now() + Duration::days(end_days)),
                    cancellation_allowed_until: window_days.map(|d| now() + Duration::days(d)),
                    scheduled_next_term: scheduled,
                    channel: [Channel::Pax8(Pax8SubscriptionId::new("x")), Channel::PartnerCenter, Channel::Nowhere]
                        [channel]
                        .clone(),
                    monthly_price: None,
                },
            )
    }

    fn arb_case() -> impl Strategy<Value = (Vec<SkuSeats>, Vec<Holding>, Policy)> {
        (
            prop::collection::vec(
                (0i64..80, prop::bool::weighted(0.9), prop::bool::weighted(0.15), prop::bool::weighted(0.15)),
                3,
            ),
            prop::collection::vec(arb_holding(), 0..8),
            0i64..5,
            prop::bool::weighted(0.1),
        )
            .prop_map(|(skus, mut holdings, spare, excluded)| {
                holdings.sort_by(|a, b| a.subscription_id.cmp(&b.subscription_id));
                holdings.dedup_by(|a, b| a.subscription_id == b.subscription_id);
                let mut policy = Policy { spare_default: spare, tenant_excluded: excluded, ..policy() };
                let skus = skus
                    .into_iter()
                    .enumerate()
                    .map(|(i, (assigned, for_users, ignored, tenant_ignored))| {
                        let s = SkuSeats { for_users, ..sku(&format!("s{i}"), assigned) };
                        if ignored {
                            policy.ignored_part_numbers.insert(s.part_number.to_lowercase());
                        }
                        if tenant_ignored {
                            policy.tenant_ignored_skus.insert(s.sku_id.clone());
                        }
                        s
                    })
                    .collect();
                (skus, holdings, policy)
            })
    }

    proptest! {
        #[test]
        fn never_alerts_what_is_ignored_excluded_unmatched_or_unchangeable((skus, holdings, policy) in arb_case()) {
            let out = assess(now(), &skus, &holdings, &policy);
            if policy.tenant_excluded {
                prop_assert!(out.findings.is_empty());
            }
            for f in &out.findings {
                let s = skus.iter().find(|s| s.sku_id == f.sku_id).unwrap();
                prop_assert!(s.for_users);
                prop_assert!(!policy.ignores_part_number(&s.part_number));
                prop_assert!(!policy.tenant_ignored_skus.contains(&s.sku_id));
                prop_assert!(f.channel.is_remediable());
                let h = holdings.iter().find(|h| h.subscription_id == f.subscription_id).unwrap();
                prop_assert!(h.active && !h.is_trial && h.auto_renew);
            }
        }

        #[test]
        fn never_below_assigned_plus_allowance_and_never_twice((skus, holdings, policy) in arb_case(), reversed in any::<bool>()) {
            // Whichever subscriptions a link prefers, the same floor holds.
            let mut prefer: Vec<SubscriptionId> = holdings.iter().map(|h| h.subscription_id.clone()).collect();
            if reversed {
                prefer.reverse();
            }
            let out = assess_preferring(now(), &skus, &holdings, &policy, &prefer);
            let mut seen = BTreeSet::new();
            for f in &out.findings {
                prop_assert!(seen.insert(f.subscription_id.clone()), "listed twice");
                prop_assert!(f.target >= 1 && f.reducible >= 1 && f.target + f.reducible == f.reduced_from());
            }
            for s in &skus {
                // What each renewing subscription keeps as things stand: a scheduled next-term
                // quantity where the reduction can only come at renewal.
                let kept: i64 = holdings
                    .iter()
                    .filter(|h| h.sku_id.as_ref() == Some(&s.sku_id) && h.active && !h.is_trial && h.auto_renew)
                    .filter_map(|h| timing(h, now()).ok().map(|t| renewing(h, t)))
                    .sum();
                let cut: i64 = out.findings.iter().filter(|f| f.sku_id == s.sku_id).map(|f| f.reducible).sum();
                let passed: i64 = out
                    .passed_over
                    .iter()
                    .filter(|p| p.sku_id.as_ref() == Some(&s.sku_id) && p.reason == PassReason::NoChannel)
                    .map(|p| p.unused)
                    .sum();
                if cut + passed > 0 {
                    prop_assert!(kept - cut - passed >= s.assigned + policy.allowance(&s.sku_id));
                }
            }
        }

        #[test]
        fn monthly_findings_are_always_alerted((skus, holdings, policy) in arb_case()) {
            let out = assess(now(), &skus, &holdings, &policy);
            for f in out.findings.iter().filter(|f| f.term == Some(Term::P1M) || matches!(f.timing, Timing::Now { .. })) {
                prop_assert!(f.alert);
            }
        }
    }
}
