//! Commitment terms of Microsoft subscriptions.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How long a subscription commits the customer, as Partner Center's `termDuration` states it
/// (an ISO-8601 duration).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Term {
    /// One month, renewing every month.
    P1M,
    /// One year.
    P1Y,
    /// Three years.
    P3Y,
}

impl Term {
    pub const ALL: [Term; 3] = [Term::P1M, Term::P1Y, Term::P3Y];

    /// Reads `termDuration`; surrounding whitespace and letter case are ignored. `None` for
    /// anything else, including the empty `renewalTermDuration` Partner Center sometimes sends.
    pub fn parse(text: &str) -> Option<Term> {
        let text = text.trim();
        Term::ALL.into_iter().find(|term| term.as_str().eq_ignore_ascii_case(text))
    }

    /// The ISO-8601 duration, e.g. `"P1M"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Term::P1M => "P1M",
            Term::P1Y => "P1Y",
            Term::P3Y => "P3Y",
        }
    }

    /// Plain words for names and screens: `"monthly"`, `"annual"`, `"3-year"`.
    pub fn label(self) -> &'static str {
        match self {
            Term::P1M => "monthly",
            Term::P1Y => "annual",
            Term::P3Y => "3-year",
        }
    }

    /// Length of one term in months.
    pub fn months(self) -> u32 {
        match self {
            Term::P1M => 1,
            Term::P1Y => 12,
            Term::P3Y => 36,
        }
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_partner_center_values_leniently() {
        assert_eq!(Term::parse("P1M"), Some(Term::P1M));
        assert_eq!(Term::parse(" p1y\t"), Some(Term::P1Y));
        assert_eq!(Term::parse("P3y"), Some(Term::P3Y));
        assert_eq!(Term::parse(""), None);
        assert_eq!(Term::parse("P12M"), None);
        assert_eq!(Term::parse("P1"), None);
    }

    #[test]
    fn words_and_lengths() {
        assert_eq!(Term::P1M.label(), "monthly");
        assert_eq!(Term::P1Y.label(), "annual");
        assert_eq!(Term::P3Y.label(), "3-year");
        assert_eq!(Term::ALL.map(Term::months), [1, 12, 36]);
        assert_eq!(Term::P3Y.to_string(), "P3Y");
    }

    #[test]
    fn serde_reads_the_iso_duration() {
        // serde_json is not a dependency here; serde's own string deserializer shows the same.
        use serde::de::{value::Error, IntoDeserializer};
        for term in Term::ALL {
            let read = Term::deserialize(IntoDeserializer::<Error>::into_deserializer(term.as_str()));
            assert_eq!(read, Ok(term));
        }
    }

    proptest! {
        #[test]
        fn text_round_trips(i in 0usize..3, upper in any::<bool>(), pad in "[ \t]{0,2}") {
            let term = Term::ALL[i];
            let text = if upper { term.as_str().to_string() } else { term.as_str().to_lowercase() };
            prop_assert_eq!(Term::parse(&format!("{pad}{text}{pad}")), Some(term));
        }

        #[test]
        fn order_follows_length(a in 0usize..3, b in 0usize..3) {
            let (a, b) = (Term::ALL[a], Term::ALL[b]);
            prop_assert_eq!(a.cmp(&b), a.months().cmp(&b.months()));
        }
    }
}
