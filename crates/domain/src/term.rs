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

    /// The length in words, as it may stand on a customer's invoice: `"Monthly"`, `"1 year"`,
    /// `"3 years"`. ISO codes such as `P1M` mean nothing to a customer.
    pub fn in_words(self) -> &'static str {
        match self {
            Term::P1M => "Monthly",
            Term::P1Y => "1 year",
            Term::P3Y => "3 years",
        }
    }

    /// Partner Center's `termDuration` text in words, or the text as sent when it is no term
    /// SeatSync knows (so nothing is hidden), or "no term" when it is empty.
    pub fn words_of(text: &str) -> String {
        match Term::parse(text) {
            Some(term) => term.in_words().to_string(),
            None if text.trim().is_empty() => "no term".to_string(),
            None => text.trim().to_string(),
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

/// How often Microsoft bills a subscription (Partner Center's `billingCycle`), in words for
/// names and screens: `"monthly"`, `"annually"`, `"every 3 years"`, `"once"`. A cycle SeatSync
/// does not know reads as sent; an empty one as "no billing cycle".
pub fn billing_cycle_words(cycle: &str) -> String {
    let cycle = cycle.trim();
    let known = [
        ("monthly", "monthly"),
        ("annual", "annually"),
        ("triennial", "every 3 years"),
        ("onetime", "once"),
        ("one_time", "once"),
    ];
    match known.iter().find(|(code, _)| code.eq_ignore_ascii_case(cycle)) {
        Some((_, words)) => words.to_string(),
        None if cycle.is_empty() || cycle.eq_ignore_ascii_case("none") || cycle.eq_ignore_ascii_case("unknown") => {
            "no billing cycle".to_string()
        }
        None => cycle.to_string(),
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
        assert_eq!(Term::ALL.map(Term::in_words), ["Monthly", "1 year", "3 years"]);
    }

    #[test]
    fn codes_read_as_words_and_unknown_text_is_kept() {
        assert_eq!(Term::words_of(" p1y"), "1 year");
        assert_eq!(Term::words_of(""), "no term");
        assert_eq!(Term::words_of("P2Y"), "P2Y");
        assert_eq!(billing_cycle_words("Annual"), "annually");
        assert_eq!(billing_cycle_words("triennial"), "every 3 years");
        assert_eq!(billing_cycle_words("monthly"), "monthly");
        assert_eq!(billing_cycle_words("none"), "no billing cycle");
        assert_eq!(billing_cycle_words("biennial"), "biennial");
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
        fn no_term_reads_as_its_iso_code(text in "[A-Za-z0-9 ]{0,8}") {
            let words = Term::words_of(&text);
            prop_assert!(!words.is_empty());
            prop_assert!(Term::ALL.iter().all(|t| words != t.as_str()), "{} left as a code", words);
        }

        #[test]
        fn order_follows_length(a in 0usize..3, b in 0usize..3) {
            let (a, b) = (Term::ALL[a], Term::ALL[b]);
            prop_assert_eq!(a.cmp(&b), a.months().cmp(&b.months()));
        }
    }
}
