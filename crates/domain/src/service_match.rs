//! Suggesting which existing PSA service bills a Microsoft offer.
//!
//! MSPs set up their services by hand, years before SeatSync, each in its own words: "Microsoft
//! 365 Business Basic - annual, paid monthly", "M365 Business Basic (P1Y, billed monthly)",
//! "Business Basic month to month". An account manager mapping offers reads the product, the
//! commitment and the billing frequency off the name (and the billing period off the service).
//! This does the same, and only proposes a service when exactly one fits best: a wrong service
//! bills the customer the wrong price, so an unclear case is left to a person.

use serde::{Deserialize, Serialize};

use crate::{ids::ServiceId, seats::PricePeriod, term::Term};

/// A PSA service as matching needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceForMatching {
    pub id: ServiceId,
    pub name: String,
    /// How often the service's price is charged.
    pub period: PricePeriod,
    pub is_active: bool,
}

/// A Microsoft offer as matching needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OfferForMatching<'a> {
    /// The product's name, e.g. "Microsoft 365 Business Basic".
    pub product: &'a str,
    pub term: Option<Term>,
    /// Partner Center's `billingCycle`, lower case ("monthly", "annual", "triennial"), or "".
    pub billing: &'a str,
}

/// How sure a proposal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum MatchStrength {
    /// The name names the product but not the term, and nothing contradicts the offer.
    ProductOnly,
    /// Product, term and billing frequency all agree.
    Exact,
}

/// A proposed service for an offer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceMatch {
    pub service_id: ServiceId,
    pub strength: MatchStrength,
    /// Why, in words: "name names the product, 1 year, billed monthly".
    pub reason: String,
}

/// What a service's name says, once the product is found in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct NameSays {
    term: Option<Term>,
    billing: Option<Billing>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Billing {
    Monthly,
    Yearly,
}

/// Words that may follow a product in a service's name without naming a different product.
const FILLER: &[&str] = &[
    "licence",
    "licences",
    "license",
    "licenses",
    "seat",
    "seats",
    "user",
    "users",
    "per",
    "nce",
    "new",
    "commerce",
    "subscription",
    "commitment",
    "term",
    "plan",
    "microsoft",
    "billed",
    "paid",
    "billing",
    "payment",
    "a",
    "an",
    "the",
    "with",
    "and",
    "no",
    "upfront",
    "up",
    "front",
    "in",
    "advance",
    "to",
    "each",
    "every",
    "charged",
    "renewal",
    "auto",
    "renewing",
    "contract",
];

/// Words and phrases naming a term, longest first so "3 year" wins over "year".
const TERM_WORDS: &[(&str, Term)] = &[
    ("month to month", Term::P1M),
    ("no commitment", Term::P1M),
    ("36 months", Term::P3Y),
    ("36 month", Term::P3Y),
    ("three years", Term::P3Y),
    ("three year", Term::P3Y),
    ("3 years", Term::P3Y),
    ("3 year", Term::P3Y),
    ("3 yr", Term::P3Y),
    ("12 months", Term::P1Y),
    ("12 month", Term::P1Y),
    ("one year", Term::P1Y),
    ("1 year", Term::P1Y),
    ("1 yr", Term::P1Y),
    ("1 month", Term::P1M),
    ("triennial", Term::P3Y),
    ("p3y", Term::P3Y),
    ("p1y", Term::P1Y),
    ("p1m", Term::P1M),
    ("annual", Term::P1Y),
    ("yearly", Term::P1Y),
    ("monthly", Term::P1M),
];

/// Phrases naming how often the customer pays.
const BILLING_WORDS: &[(&str, Billing)] = &[
    ("billed monthly", Billing::Monthly),
    ("paid monthly", Billing::Monthly),
    ("monthly billing", Billing::Monthly),
    ("monthly payment", Billing::Monthly),
    ("billed annually", Billing::Yearly),
    ("billed yearly", Billing::Yearly),
    ("paid annually", Billing::Yearly),
    ("paid yearly", Billing::Yearly),
    ("annual billing", Billing::Yearly),
    ("annual payment", Billing::Yearly),
    ("paid upfront", Billing::Yearly),
    ("paid up front", Billing::Yearly),
];

/// Lower case, every run of characters other than letters and digits one space.
fn words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out.trim().to_string()
}

/// Removes every whole-word occurrence of `phrase` from `text`, reporting whether one was found.
fn take_phrase(text: &mut String, phrase: &str) -> bool {
    let padded = format!(" {text} ");
    let needle = format!(" {phrase} ");
    if !padded.contains(&needle) {
        return false;
    }
    *text = padded.replace(&needle, " ").split_whitespace().collect::<Vec<_>>().join(" ");
    true
}

/// What the name says beyond the product, or `None` when it does not name this product (or
/// names more than it: "Microsoft 365 E3 Extra Features" is not "Microsoft 365 E3").
fn read_name(service_name: &str, product: &str) -> Option<NameSays> {
    let product = words(product);
    if product.is_empty() {
        return None;
    }
    let mut rest = words(service_name);
    if !take_phrase(&mut rest, &product) {
        return None;
    }
    let mut says = NameSays::default();
    for (phrase, billing) in BILLING_WORDS {
        if take_phrase(&mut rest, phrase) {
            match says.billing {
                Some(b) if b != *billing => return None,
                _ => says.billing = Some(*billing),
            }
        }
    }
    for (phrase, term) in TERM_WORDS {
        while take_phrase(&mut rest, phrase) {
            match says.term {
                Some(t) if t != *term => return None,
                _ => says.term = Some(*term),
            }
        }
    }
    rest.split_whitespace().all(|w| FILLER.contains(&w)).then_some(says)
}

/// The billing frequency an offer's billing cycle asks of its service: monthly, or once a year
/// for annual cycles and for 3-year terms paid upfront (PSAs have no 3-year period).
fn billing_of_offer(billing: &str) -> Option<Billing> {
    match billing {
        "monthly" => Some(Billing::Monthly),
        "annual" | "triennial" => Some(Billing::Yearly),
        _ => None,
    }
}

fn billing_of_period(period: PricePeriod) -> Option<Billing> {
    match period {
        PricePeriod::Monthly => Some(Billing::Monthly),
        PricePeriod::Yearly => Some(Billing::Yearly),
        PricePeriod::Quarterly | PricePeriod::SemiAnnual | PricePeriod::OneTime => None,
    }
}

/// How well `service` fits `offer`, or `None` when it does not.
pub fn judge(offer: &OfferForMatching<'_>, service: &ServiceForMatching) -> Option<MatchStrength> {
    if !service.is_active {
        return None;
    }
    let says = read_name(&service.name, offer.product)?;
    let wanted = billing_of_offer(offer.billing);
    // What the customer pays per: the name's words if it has any, else the service's period.
    let billed = says.billing.or(billing_of_period(service.period));
    // "Monthly" alone, with no billing words, reads as the billing frequency on an annual term
    // ("Business Basic annual monthly") or as the term; a monthly term is billed monthly anyway.
    if wanted.is_some() && billed.is_some() && wanted != billed {
        return None;
    }
    match (says.term, offer.term) {
        (Some(named), Some(term)) if named == term => Some(MatchStrength::Exact),
        (Some(_), _) => None,
        (None, _) => Some(MatchStrength::ProductOnly),
    }
}

/// The service for `offer`: the one best match, or `None` when nothing fits or two services fit
/// equally well (a person must choose).
pub fn match_service(offer: &OfferForMatching<'_>, services: &[ServiceForMatching]) -> Option<ServiceMatch> {
    let mut best: Option<(MatchStrength, &ServiceForMatching)> = None;
    let mut tied = false;
    for service in services {
        let Some(strength) = judge(offer, service) else { continue };
        match best {
            Some((b, _)) if strength < b => {}
            Some((b, _)) if strength == b => tied = true,
            _ => {
                best = Some((strength, service));
                tied = false;
            }
        }
    }
    let (strength, service) = best.filter(|_| !tied)?;
    let reason = match strength {
        MatchStrength::Exact => format!(
            "its name gives the product, {} and billing {}",
            offer.term.map(Term::in_words).unwrap_or("the term"),
            crate::term::billing_cycle_words(offer.billing)
        ),
        MatchStrength::ProductOnly => "its name gives the product and nothing against the term".to_string(),
    };
    Some(ServiceMatch { service_id: service.id, strength, reason })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn service(id: i64, name: &str, period: PricePeriod) -> ServiceForMatching {
        ServiceForMatching { id: ServiceId(id), name: name.into(), period, is_active: true }
    }

    fn offer<'a>(product: &'a str, term: Term, billing: &'a str) -> OfferForMatching<'a> {
        OfferForMatching { product, term: Some(term), billing }
    }

    fn catalogue() -> Vec<ServiceForMatching> {
        vec![
            service(1, "Microsoft 365 Business Basic (P1Y, billed monthly)", PricePeriod::Monthly),
            service(2, "Microsoft 365 Business Basic - month to month", PricePeriod::Monthly),
            service(3, "Microsoft 365 Business Basic - annual, paid yearly", PricePeriod::Yearly),
            service(4, "Microsoft 365 Business Basic - 3 year commitment", PricePeriod::Yearly),
            service(5, "Microsoft 365 E3", PricePeriod::Monthly),
            service(6, "Microsoft 365 E3 Extra Features", PricePeriod::Monthly),
            service(7, "Office 365 E3 (1 year, billed annually)", PricePeriod::Yearly),
        ]
    }

    fn matched(o: OfferForMatching<'_>) -> Option<(i64, MatchStrength)> {
        match_service(&o, &catalogue()).map(|m| (m.service_id.0, m.strength))
    }

    #[test]
    fn reads_term_and_billing_as_people_write_them() {
        let basic = "Microsoft 365 Business Basic";
        assert_eq!(matched(offer(basic, Term::P1Y, "monthly")), Some((1, MatchStrength::Exact)));
        assert_eq!(matched(offer(basic, Term::P1M, "monthly")), Some((2, MatchStrength::Exact)));
        assert_eq!(matched(offer(basic, Term::P1Y, "annual")), Some((3, MatchStrength::Exact)));
        assert_eq!(matched(offer(basic, Term::P3Y, "triennial")), Some((4, MatchStrength::Exact)));
        assert_eq!(matched(offer("Office 365 E3", Term::P1Y, "annual")), Some((7, MatchStrength::Exact)));
        // Office 365 E3 billed monthly: the only service says "billed annually".
        assert_eq!(matched(offer("Office 365 E3", Term::P1Y, "monthly")), None);
    }

    #[test]
    fn a_name_without_a_term_fits_any_term_weakly_and_a_longer_product_never() {
        assert_eq!(matched(offer("Microsoft 365 E3", Term::P1M, "monthly")), Some((5, MatchStrength::ProductOnly)));
        // "Microsoft 365 E3 Extra Features" is another product; "Microsoft 365 E5" has no service.
        assert_eq!(matched(offer("Microsoft 365 E5", Term::P1Y, "monthly")), None);
        assert_eq!(judge(&offer("Microsoft 365 E3", Term::P1Y, "monthly"), &catalogue()[5]), None);
    }

    #[test]
    fn seatsync_own_names_and_inactive_services() {
        let ours = service(9, "Visio Plan 2 (Monthly, billed monthly)", PricePeriod::Monthly);
        assert_eq!(judge(&offer("Visio Plan 2", Term::P1M, "monthly"), &ours), Some(MatchStrength::Exact));
        let words = service(10, "Visio Plan 2 (3 years, billed every 3 years)", PricePeriod::Yearly);
        assert_eq!(judge(&offer("Visio Plan 2", Term::P3Y, "triennial"), &words), Some(MatchStrength::Exact));
        let retired = ServiceForMatching { is_active: false, ..ours };
        assert_eq!(judge(&offer("Visio Plan 2", Term::P1M, "monthly"), &retired), None);
    }

    #[test]
    fn two_equal_fits_are_left_to_a_person() {
        let twins = vec![
            service(1, "Power BI Pro - annual, paid monthly", PricePeriod::Monthly),
            service(2, "POWER BI PRO (P1Y) billed monthly", PricePeriod::Monthly),
        ];
        assert_eq!(match_service(&offer("Power BI Pro", Term::P1Y, "monthly"), &twins), None);
        // A better fit beats a weaker one whatever the order.
        let mixed = vec![
            service(1, "Power BI Pro", PricePeriod::Monthly),
            service(2, "Power BI Pro - annual, paid monthly", PricePeriod::Monthly),
        ];
        let m = match_service(&offer("Power BI Pro", Term::P1Y, "monthly"), &mixed).unwrap();
        assert_eq!((m.service_id, m.strength), (ServiceId(2), MatchStrength::Exact));
        assert!(m.reason.contains("1 year"), "{}", m.reason);
    }

    #[test]
    fn contradicting_words_match_nothing() {
        let confused = service(1, "Power BI Pro monthly 3 year", PricePeriod::Monthly);
        assert_eq!(judge(&offer("Power BI Pro", Term::P3Y, "monthly"), &confused), None);
        let both = service(2, "Power BI Pro billed monthly paid yearly", PricePeriod::Monthly);
        assert_eq!(judge(&offer("Power BI Pro", Term::P1Y, "monthly"), &both), None);
    }

    proptest! {
        /// The order of the PSA's service list never changes the proposal.
        #[test]
        fn order_of_services_does_not_matter(seed in any::<u64>(), pick in 0usize..4) {
            let mut services = catalogue();
            let n = services.len();
            for i in 0..n {
                let j = (seed.rotate_left(i as u32) as usize) % n;
                services.swap(i, j);
            }
            let (term, billing) = [(Term::P1M, "monthly"), (Term::P1Y, "monthly"), (Term::P1Y, "annual"), (Term::P3Y, "triennial")][pick];
            let o = offer("Microsoft 365 Business Basic", term, billing);
            prop_assert_eq!(match_service(&o, &services), match_service(&o, &catalogue()));
        }

        /// A proposal always names the product: random other names never match.
        #[test]
        fn only_names_with_the_product_match(name in "[A-Za-z ,()-]{0,40}") {
            prop_assume!(!words(&name).contains("visio"));
            let s = service(1, &name, PricePeriod::Monthly);
            prop_assert_eq!(judge(&offer("Visio Plan 2", Term::P1Y, "monthly"), &s), None);
        }
    }
}
