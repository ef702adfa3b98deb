//! Which Microsoft offer a subscription is, as SeatSync maps offers to PSA services.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::term::Term;

/// A Microsoft offer as SeatSync maps it to a PSA service: the offer, its term and its billing
/// cycle. The same product billed monthly or annually is two services in the PSA, because the
/// price differs.
///
/// Build it with [`OfferKey::from_subscription`], which normalises Partner Center's values so
/// that two purchases of the same offer give equal keys.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OfferKey {
    /// NCE: `productId:skuId` upper-cased (e.g. `CFQ7TTC0LH18:0001`); legacy: the offer GUID
    /// lower-cased.
    pub product: String,
    /// ISO-8601 term upper-cased (`P1M`, `P1Y`, `P3Y`), or `""` when unknown.
    pub term: String,
    /// Billing cycle lower-cased (`monthly`, `annual`, `triennial`), or `""` when unknown.
    pub billing: String,
}

/// A stored offer key could not be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum OfferKeyError {
    #[error("offer key '{key}' has {parts} part(s); expected PRODUCT|TERM|BILLING")]
    WrongParts { key: String, parts: usize },
    #[error("offer key '{key}' names no product before the first '|'")]
    NoProduct { key: String },
}

/// Separates the fields in [`OfferKey::to_key_string`]. Offer ids, terms and billing cycles
/// never contain it; [`OfferKey::from_subscription`] drops it should one ever appear, so the
/// text form stays unambiguous.
const SEPARATOR: char = '|';

impl OfferKey {
    /// The key of a Partner Center subscription from its `offerId`, `termDuration` and
    /// `billingCycle`.
    ///
    /// An NCE offer id is `productId:skuId:availabilityId`. The availability id changes from one
    /// purchase of the same product to the next (it encodes the catalogue availability, not the
    /// product), so only the first two segments identify what the customer bought.
    pub fn from_subscription(offer_id: &str, term: Option<&str>, billing: Option<&str>) -> OfferKey {
        let offer_id = clean(offer_id);
        let product = if is_guid(&offer_id) {
            offer_id.to_ascii_lowercase()
        } else {
            offer_id.split(':').take(2).map(str::trim).collect::<Vec<_>>().join(":").to_uppercase()
        };
        let term = clean(term.unwrap_or_default()).to_uppercase();
        let billing = clean(billing.unwrap_or_default()).to_lowercase();
        // Partner Center says "none" or "unknown" when it has no billing cycle; both mean the same
        // as a missing value and must not make a second key for the same offer.
        let billing = match billing.as_str() {
            "none" | "unknown" => String::new(),
            _ => billing,
        };
        OfferKey { product, term, billing }
    }

    /// A New Commerce offer (`productId:skuId`); a legacy offer is named by a GUID. The two are
    /// priced and renewed differently, so each needs its own PSA service.
    pub fn is_nce(&self) -> bool {
        !is_guid(&self.product)
    }

    /// The term, when it is one SeatSync knows.
    pub fn term(&self) -> Option<Term> {
        Term::parse(&self.term)
    }

    /// One string for storage and URLs: `CFQ7TTC0LH18:0001|P1Y|monthly`.
    pub fn to_key_string(&self) -> String {
        format!("{}{SEPARATOR}{}{SEPARATOR}{}", self.product, self.term, self.billing)
    }

    /// Reads what [`OfferKey::to_key_string`] wrote. The fields are normalised as
    /// [`OfferKey::from_subscription`] does, so a hand-typed `cfq7ttc0lh18:0001|p1y|Monthly` reads
    /// as the canonical key.
    pub fn parse_key_string(text: &str) -> Result<OfferKey, OfferKeyError> {
        let parts: Vec<&str> = text.split(SEPARATOR).collect();
        let [product, term, billing] = parts[..] else {
            return Err(OfferKeyError::WrongParts { key: text.to_string(), parts: parts.len() });
        };
        if product.trim().is_empty() {
            return Err(OfferKeyError::NoProduct { key: text.to_string() });
        }
        Ok(OfferKey::from_subscription(product, Some(term), Some(billing)))
    }
}

impl fmt::Display for OfferKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_key_string())
    }
}

fn clean(text: &str) -> String {
    text.trim().chars().filter(|c| *c != SEPARATOR).collect()
}

/// `8-4-4-4-12` hexadecimal digits, the form of legacy offer ids.
pub(crate) fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn nce_and_legacy_offers_are_told_apart() {
        let nce = OfferKey::from_subscription("CFQ7TTC0LH18:0001:ABC", Some("P1Y"), Some("monthly"));
        let legacy = OfferKey::from_subscription("91FD106F-4B2C-4938-95AC-F54F74E9A239", Some("P1M"), Some("monthly"));
        assert!(nce.is_nce());
        assert!(!legacy.is_nce());
    }

    #[test]
    fn nce_key_drops_the_availability() {
        let key = OfferKey::from_subscription("cfq7ttc0lh18:0001:CFQ7TTC0K971", Some("p1y"), Some("Monthly"));
        assert_eq!(
            key,
            OfferKey { product: "CFQ7TTC0LH18:0001".into(), term: "P1Y".into(), billing: "monthly".into() }
        );
        assert_eq!(key.to_key_string(), "CFQ7TTC0LH18:0001|P1Y|monthly");
        assert_eq!(key.term(), Some(Term::P1Y));
    }

    #[test]
    fn legacy_guid_is_lower_cased() {
        let key = OfferKey::from_subscription(" 031C9E47-4802-4248-838E-778FB1D2CC05 ", Some("P1M"), Some("monthly"));
        assert_eq!(key.product, "031c9e47-4802-4248-838e-778fb1d2cc05");
    }

    #[test]
    fn unknown_term_and_billing_are_empty() {
        let key = OfferKey::from_subscription("CFQ7TTC0LH18:0001:X", None, Some("unknown"));
        assert_eq!(key.to_key_string(), "CFQ7TTC0LH18:0001||");
        assert_eq!(OfferKey::from_subscription("A:1", Some(" "), Some("none")).to_key_string(), "A:1||");
        assert_eq!(key.term(), None);
    }

    #[test]
    fn parse_reports_what_is_wrong() {
        assert_eq!(
            OfferKey::parse_key_string("CFQ7TTC0LH18:0001|P1Y"),
            Err(OfferKeyError::WrongParts { key: "CFQ7TTC0LH18:0001|P1Y".into(), parts: 2 })
        );
        assert_eq!(
            OfferKey::parse_key_string("a|b|c|d").unwrap_err().to_string(),
            "offer key 'a|b|c|d' has 4 part(s); expected PRODUCT|TERM|BILLING"
        );
        assert_eq!(
            OfferKey::parse_key_string(" |P1Y|monthly").unwrap_err().to_string(),
            "offer key ' |P1Y|monthly' names no product before the first '|'"
        );
    }

    #[test]
    fn parse_normalises_hand_typed_keys() {
        let key = OfferKey::parse_key_string("cfq7ttc0lh18:0001|p1y|Monthly").unwrap();
        assert_eq!(key.to_key_string(), "CFQ7TTC0LH18:0001|P1Y|monthly");
    }

    fn offer_id() -> impl Strategy<Value = String> {
        prop_oneof![
            "[A-Za-z0-9]{12}:[0-9]{4}:[A-Za-z0-9]{12}",
            "[A-Za-z0-9]{12}:[0-9]{4}",
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
            // Whatever else might turn up, including the separator.
            "[ -~]{0,20}",
        ]
    }

    proptest! {
        #[test]
        fn key_string_round_trips(
            offer in offer_id(),
            term in proptest::option::of(prop_oneof![Just("P1M"), Just("p1y"), Just("P3Y"), Just(""), Just("P|1Y")]),
            billing in proptest::option::of(prop_oneof![Just("monthly"), Just("Annual"), Just("triennial"), Just("none"), Just("oneTime")]),
        ) {
            let key = OfferKey::from_subscription(&offer, term, billing);
            prop_assume!(!key.product.is_empty());
            prop_assert_eq!(OfferKey::parse_key_string(&key.to_key_string()), Ok(key.clone()));
            // Normalising is idempotent.
            prop_assert_eq!(OfferKey::from_subscription(&key.product, Some(&key.term), Some(&key.billing)), key);
        }

        #[test]
        fn availability_does_not_matter(
            product in "[A-Z0-9]{12}", sku in "[0-9]{4}", a in "[A-Z0-9]{12}", b in "[A-Z0-9]{12}",
        ) {
            let first = OfferKey::from_subscription(&format!("{product}:{sku}:{a}"), Some("P1Y"), Some("annual"));
            let second = OfferKey::from_subscription(&format!("{}:{sku}:{b}", product.to_lowercase()), Some("P1Y"), Some("annual"));
            prop_assert_eq!(&first, &second);
            prop_assert_eq!(first.product, format!("{product}:{sku}"));
        }
    }
}
