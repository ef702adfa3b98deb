//! E-mail addresses as people type them, and how the unused-licence alerts are e-mailed.

use serde::{Deserialize, Serialize};

/// Whether `text` looks like an address a message can be sent to: one `@`, something before
/// it, a domain with a dot after it, no spaces. The mail server has the last word; this catches
/// typing mistakes where the person can still fix them.
pub fn plausible_address(text: &str) -> bool {
    text.len() <= 254
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
        && text.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
}

/// The addresses in a list typed with commas, semicolons or new lines between them, trimmed,
/// empty entries dropped.
pub fn address_list(typed: &str) -> Vec<String> {
    typed.split([',', ';', '\n']).map(str::trim).filter(|a| !a.is_empty()).map(str::to_string).collect()
}

/// How the unused-licence alerts are e-mailed, besides (or instead of) the tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum AlertEmailMode {
    /// No e-mail.
    #[default]
    Off,
    /// One e-mail per customer whose unused licences are new or changed since its last one.
    PerCustomer,
    /// One e-mail per run listing every customer with seats to give back.
    Digest,
}

impl AlertEmailMode {
    pub const ALL: [AlertEmailMode; 3] = [AlertEmailMode::Off, AlertEmailMode::PerCustomer, AlertEmailMode::Digest];

    /// A short stable name, for forms.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertEmailMode::Off => "Off",
            AlertEmailMode::PerCustomer => "PerCustomer",
            AlertEmailMode::Digest => "Digest",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == text)
    }

    /// In words, for the settings.
    pub fn words(self) -> &'static str {
        match self {
            AlertEmailMode::Off => "no e-mail",
            AlertEmailMode::PerCustomer => "an e-mail per customer when its unused licences change",
            AlertEmailMode::Digest => "one digest of every customer after each run",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plausible_addresses_and_typing_mistakes() {
        for good in ["billing@northwind-msp.example", "a.b+alerts@sub.example.co.uk"] {
            assert!(plausible_address(good), "{good}");
        }
        for bad in [
            "",
            "billing",
            "@example.com",
            "billing@",
            "billing@localhost",
            "a b@example.com",
            "a@b@c.com",
            "a@.com",
            "a@example.",
        ] {
            assert!(!plausible_address(bad), "{bad}");
        }
    }

    #[test]
    fn a_typed_list_splits_on_commas_semicolons_and_lines() {
        assert_eq!(
            address_list(" a@x.example, b@y.example;\n\nc@z.example ,"),
            ["a@x.example", "b@y.example", "c@z.example"]
        );
        assert!(address_list(" , ;\n").is_empty());
    }

    #[test]
    fn modes_round_trip_through_their_names() {
        for m in AlertEmailMode::ALL {
            assert_eq!(AlertEmailMode::parse(m.as_str()), Some(m));
        }
        assert_eq!(AlertEmailMode::default(), AlertEmailMode::Off);
    }
}
