//! Seat arithmetic: which seats count, unused and wasted licences, and what they cost.

use serde::{Deserialize, Serialize};

/// Whether a Graph SKU's seats are assigned to users (`appliesTo` "User", or not said). Only
/// those have a meaningful per-user count: a company-wide SKU is never "assigned".
pub fn is_user_sku(applies_to: Option<&str>) -> bool {
    applies_to.is_none_or(|a| a.trim().eq_ignore_ascii_case("user"))
}

/// One SKU's units as Graph's `subscribedSkus` reports them (`prepaidUnits` and
/// `consumedUnits`), and the one rule for what they mean.
///
/// Microsoft documents `warning` as the units of an expired subscription in its grace period
/// before suspension: nobody pays for them, so they are not bought seats. They are shown apart
/// as *expiring*; users holding them lose the licence when the grace period ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SkuUnits {
    pub enabled: i64,
    pub warning: i64,
    pub suspended: i64,
    pub locked_out: i64,
    /// Users the SKU is assigned to.
    pub consumed: i64,
}

impl SkuUnits {
    /// Seats bought and paid for: the enabled units only.
    pub fn purchased(&self) -> i64 {
        self.enabled.max(0)
    }

    pub fn assigned(&self) -> i64 {
        self.consumed.max(0)
    }

    /// Units in their grace period after the subscription expired.
    pub fn expiring(&self) -> i64 {
        self.warning.max(0)
    }

    /// Bought seats nobody is assigned to.
    pub fn unused(&self) -> i64 {
        unused(self.purchased(), self.assigned())
    }

    /// Unused beyond the spare seats the tenant may keep.
    pub fn wasted(&self, spare_allowance: i64) -> i64 {
        wasted(self.purchased(), self.assigned(), spare_allowance)
    }

    /// Users assigned beyond the seats paid for. With units in warning these are the users who
    /// lose the licence when the grace period ends.
    pub fn over_assigned(&self) -> i64 {
        self.assigned().saturating_sub(self.purchased()).max(0)
    }

    /// Whether the SKU has anything worth listing: seats bought or seats about to expire.
    pub fn is_held(&self) -> bool {
        self.purchased() > 0 || self.expiring() > 0
    }
}

/// Purchased seats nobody is assigned to; never negative (Graph can briefly report more
/// assigned than purchased while a reduction settles).
pub fn unused(purchased: i64, assigned: i64) -> i64 {
    purchased.saturating_sub(assigned).max(0)
}

/// Unused seats beyond the spares the tenant is allowed to keep for new starters. A negative
/// allowance counts as none.
pub fn wasted(purchased: i64, assigned: i64, spare_allowance: i64) -> i64 {
    unused(purchased, assigned).saturating_sub(spare_allowance.max(0)).max(0)
}

/// What `seats` cost a month, rounded to cents; `None` when the price is unknown (or not a
/// number).
pub fn monthly_cost(seats: i64, monthly_price: Option<f64>) -> Option<f64> {
    monthly_price.filter(|price| price.is_finite()).map(|price| round_cents(seats as f64 * price))
}

/// How often a PSA service's price is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PricePeriod {
    Monthly,
    Quarterly,
    SemiAnnual,
    Yearly,
    OneTime,
}

impl PricePeriod {
    /// Months one charge covers; `None` for a one-time charge.
    pub fn months(self) -> Option<u32> {
        match self {
            PricePeriod::Monthly => Some(1),
            PricePeriod::Quarterly => Some(3),
            PricePeriod::SemiAnnual => Some(6),
            PricePeriod::Yearly => Some(12),
            PricePeriod::OneTime => None,
        }
    }

    /// Reads an Autotask `periodType` label ("Monthly", "Semi-Annual", "Yearly", ...). An absent
    /// or unknown label counts as monthly, the period per-seat services are almost always on.
    pub fn from_autotask_label(label: Option<&str>) -> PricePeriod {
        let l = label.unwrap_or("monthly").to_ascii_lowercase();
        if l.contains("quarter") {
            PricePeriod::Quarterly
        } else if l.contains("semi") || l.contains("half") {
            PricePeriod::SemiAnnual
        } else if l.contains("year") || l.contains("annual") {
            PricePeriod::Yearly
        } else if l.contains("one") {
            PricePeriod::OneTime
        } else {
            PricePeriod::Monthly
        }
    }

    /// The Autotask `periodType` label to look up in the Services picklist.
    pub fn autotask_label(self) -> &'static str {
        match self {
            PricePeriod::Monthly => "Monthly",
            PricePeriod::Quarterly => "Quarterly",
            PricePeriod::SemiAnnual => "Semi-Annual",
            PricePeriod::Yearly => "Yearly",
            PricePeriod::OneTime => "One-Time",
        }
    }

    /// The period a Microsoft offer's billing cycle (`monthly`, `annual`, `triennial`) charges
    /// per. A triennial offer is paid a year at a time in Autotask: its contract runs a year.
    pub fn of_billing_cycle(billing: &str) -> PricePeriod {
        match billing {
            "annual" | "triennial" => PricePeriod::Yearly,
            _ => PricePeriod::Monthly,
        }
    }

    /// A monthly amount expressed per this period, to the cent (a one-time charge is left as is).
    pub fn amount_per_period(self, monthly: f64) -> f64 {
        let months = self.months().unwrap_or(1);
        (monthly * f64::from(months) * 100.0).round() / 100.0
    }
}

/// A unit price spread over a month, so services charged on different periods compare. A
/// one-time charge is no monthly cost.
pub fn monthly_price(unit_price: f64, period: PricePeriod) -> f64 {
    period.months().map_or(0.0, |months| unit_price / f64::from(months))
}

pub(crate) fn round_cents(amount: f64) -> f64 {
    (amount * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn unused_and_wasted() {
        assert_eq!(unused(10, 7), 3);
        assert_eq!(unused(10, 12), 0);
        assert_eq!(wasted(10, 7, 2), 1);
        assert_eq!(wasted(10, 7, 5), 0);
        assert_eq!(wasted(10, 7, -4), 3);
        assert_eq!(wasted(i64::MAX, i64::MIN, 0), i64::MAX);
    }

    #[test]
    fn costs_and_prices() {
        assert_eq!(monthly_cost(3, Some(12.5)), Some(37.5));
        assert_eq!(monthly_cost(3, Some(0.333)), Some(1.0));
        assert_eq!(monthly_cost(7, Some(22.0 / 12.0)), Some(12.83));
        assert_eq!(monthly_cost(3, None), None);
        assert_eq!(monthly_cost(3, Some(f64::NAN)), None);
        assert_eq!(monthly_price(120.0, PricePeriod::Yearly), 10.0);
        assert_eq!(monthly_price(30.0, PricePeriod::Quarterly), 10.0);
        assert_eq!(monthly_price(60.0, PricePeriod::SemiAnnual), 10.0);
        assert_eq!(monthly_price(10.0, PricePeriod::Monthly), 10.0);
        assert_eq!(monthly_price(500.0, PricePeriod::OneTime), 0.0);
    }

    #[test]
    fn autotask_labels_read_back_as_the_period_they_name() {
        for p in [
            PricePeriod::Monthly,
            PricePeriod::Quarterly,
            PricePeriod::SemiAnnual,
            PricePeriod::Yearly,
            PricePeriod::OneTime,
        ] {
            assert_eq!(PricePeriod::from_autotask_label(Some(p.autotask_label())), p);
        }
        assert_eq!(PricePeriod::from_autotask_label(Some("Annual")), PricePeriod::Yearly);
        assert_eq!(PricePeriod::from_autotask_label(None), PricePeriod::Monthly);
        assert_eq!(PricePeriod::from_autotask_label(Some("Per visit")), PricePeriod::Monthly);
    }

    #[test]
    fn billing_cycles_and_monthly_amounts() {
        assert_eq!(PricePeriod::of_billing_cycle("annual"), PricePeriod::Yearly);
        assert_eq!(PricePeriod::of_billing_cycle("triennial"), PricePeriod::Yearly);
        assert_eq!(PricePeriod::of_billing_cycle("monthly"), PricePeriod::Monthly);
        assert_eq!(PricePeriod::Yearly.amount_per_period(22.0), 264.0);
        assert_eq!(PricePeriod::Monthly.amount_per_period(1.0 / 3.0), 0.33);
        assert_eq!(PricePeriod::Quarterly.amount_per_period(10.0), 30.0);
    }

    #[test]
    fn warning_units_are_not_bought() {
        // The independent check's case: 6 enabled, 2 in warning, 5 assigned.
        let k = SkuUnits { enabled: 6, warning: 2, consumed: 5, ..SkuUnits::default() };
        assert_eq!((k.purchased(), k.unused(), k.expiring(), k.over_assigned()), (6, 1, 2, 0));
        assert_eq!(k.wasted(0), 1);
        // More users than paid seats: they hold the expiring units.
        let k = SkuUnits { enabled: 4, warning: 3, consumed: 6, ..SkuUnits::default() };
        assert_eq!((k.purchased(), k.unused(), k.over_assigned()), (4, 0, 2));
        assert!(SkuUnits { warning: 2, ..SkuUnits::default() }.is_held());
        assert!(!SkuUnits { suspended: 2, consumed: 1, ..SkuUnits::default() }.is_held());
    }

    #[test]
    fn only_user_skus_count() {
        assert!(is_user_sku(None));
        assert!(is_user_sku(Some("User")));
        assert!(is_user_sku(Some(" user ")));
        assert!(!is_user_sku(Some("Company")));
    }

    proptest! {
        #[test]
        fn warning_never_adds_bought_or_unused_seats(enabled in 0i64..5_000, warning in 0i64..5_000, consumed in 0i64..10_000) {
            let without = SkuUnits { enabled, consumed, ..SkuUnits::default() };
            let with = SkuUnits { warning, ..without };
            prop_assert_eq!(with.purchased(), without.purchased());
            prop_assert_eq!(with.unused(), without.unused());
            prop_assert!(with.unused() + with.assigned() >= with.purchased());
            prop_assert!(with.over_assigned() == 0 || with.unused() == 0);
        }

        #[test]
        fn wasted_within_unused_within_purchased(purchased in 0i64..10_000, assigned in 0i64..10_000, allowance in -50i64..500) {
            let unused = unused(purchased, assigned);
            let wasted = wasted(purchased, assigned, allowance);
            prop_assert!(0 <= wasted && wasted <= unused && unused <= purchased);
        }

        #[test]
        fn more_allowance_never_adds_waste(purchased in 0i64..10_000, assigned in -10i64..10_000, a in -50i64..500, extra in 0i64..500) {
            prop_assert!(wasted(purchased, assigned, a + extra) <= wasted(purchased, assigned, a));
        }

        #[test]
        fn cost_is_in_cents(seats in 0i64..100_000, price in 0.0f64..1000.0) {
            let cost = monthly_cost(seats, Some(price)).expect("finite price");
            prop_assert!(((cost * 100.0).round() - cost * 100.0).abs() < 1e-6);
            prop_assert!((cost - seats as f64 * price).abs() <= 0.005 + 1e-6 * cost.abs());
        }
    }
}
