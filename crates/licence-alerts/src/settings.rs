//! The Admin's settings of the alerts, kept in `app_settings`: the notice before a renewal and
//! how the alerts are e-mailed.

use seatsync_db::{DbError, PgPool};
use seatsync_domain::{
    email::{plausible_address, AlertEmailMode},
    reducible::DEFAULT_RENEWAL_NOTICE_DAYS,
};
use serde::{Deserialize, Serialize};

/// Where the settings are kept.
pub const SETTINGS_KEY: &str = "licence_alert_settings";

/// The longest notice an Admin may choose: a year, beyond which every annual term is always
/// "near renewal".
pub const MAX_RENEWAL_NOTICE_DAYS: i64 = 365;

/// The most addresses the alerts are e-mailed to: a team's shared mailbox or a few people, not
/// a mailing list.
pub const MAX_EMAIL_RECIPIENTS: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertSettings {
    /// Days before an annual or 3-year term renews from which its reducible seats are alerted.
    pub renewal_notice_days: i64,
    /// How the alerts are e-mailed (settings saved before e-mail existed have none).
    #[serde(default)]
    pub email: AlertEmail,
    /// The tickets also list a customer's unused seats that wait for its Pax8 company to be
    /// confirmed (without links), so such a customer gets a ticket too.
    #[serde(default)]
    pub ticket_waiting: bool,
}

/// Whether and to whom the alerts are e-mailed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AlertEmail {
    pub mode: AlertEmailMode,
    pub to: Vec<String>,
}

impl Default for AlertSettings {
    fn default() -> Self {
        Self { renewal_notice_days: DEFAULT_RENEWAL_NOTICE_DAYS, email: AlertEmail::default(), ticket_waiting: false }
    }
}

impl AlertSettings {
    /// The settings in force: the Admin's, else the defaults.
    pub async fn load(pool: &PgPool) -> Result<Self, DbError> {
        Ok(seatsync_db::settings::get(pool, SETTINGS_KEY).await?.unwrap_or_default())
    }

    /// Why these settings cannot be saved, in words; `None` when they can.
    pub fn problem(&self) -> Option<String> {
        if !(0..=MAX_RENEWAL_NOTICE_DAYS).contains(&self.renewal_notice_days) {
            return Some(format!("The notice before a renewal must be between 0 and {MAX_RENEWAL_NOTICE_DAYS} days."));
        }
        let to = &self.email.to;
        if let Some(bad) = to.iter().find(|a| !plausible_address(a)) {
            return Some(format!("'{bad}' is not an e-mail address."));
        }
        if to.len() > MAX_EMAIL_RECIPIENTS {
            return Some(format!("The alerts go to at most {MAX_EMAIL_RECIPIENTS} addresses; use a shared mailbox."));
        }
        (self.email.mode != AlertEmailMode::Off && to.is_empty())
            .then(|| "Give at least one address to e-mail the alerts to.".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_outside_a_year_is_refused_in_words() {
        assert_eq!(AlertSettings::default().renewal_notice_days, 30);
        let days = |renewal_notice_days| AlertSettings { renewal_notice_days, ..AlertSettings::default() };
        assert!(days(0).problem().is_none());
        assert!(days(365).problem().is_none());
        let too_long = days(366).problem().unwrap();
        assert!(too_long.contains("between 0 and 365 days"), "{too_long}");
        assert!(days(-1).problem().is_some());
    }

    #[test]
    fn e_mail_needs_plausible_addresses_and_at_least_one_when_on() {
        let email = |mode, to: &[&str]| AlertSettings {
            email: AlertEmail { mode, to: to.iter().map(|a| a.to_string()).collect() },
            ..AlertSettings::default()
        };
        assert!(email(AlertEmailMode::Off, &[]).problem().is_none());
        assert!(email(AlertEmailMode::Digest, &["billing@msp.example"]).problem().is_none());
        assert!(email(AlertEmailMode::Digest, &[]).problem().unwrap().contains("at least one address"));
        assert!(email(AlertEmailMode::PerCustomer, &["billing"]).problem().unwrap().contains("'billing' is not"));
        let many: Vec<String> = (0..21).map(|i| format!("p{i}@msp.example")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(email(AlertEmailMode::Digest, &many).problem().unwrap().contains("at most 20"));
    }
}
