//! The Admin's settings of the alerts, kept in `app_settings`.

use seatsync_db::{DbError, PgPool};
use seatsync_domain::reducible::DEFAULT_RENEWAL_NOTICE_DAYS;
use serde::{Deserialize, Serialize};

/// Where the settings are kept.
pub const SETTINGS_KEY: &str = "licence_alert_settings";

/// The longest notice an Admin may choose: a year, beyond which every annual term is always
/// "near renewal".
pub const MAX_RENEWAL_NOTICE_DAYS: i64 = 365;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertSettings {
    /// Days before an annual or 3-year term renews from which its reducible seats are alerted.
    pub renewal_notice_days: i64,
}

impl Default for AlertSettings {
    fn default() -> Self {
        Self { renewal_notice_days: DEFAULT_RENEWAL_NOTICE_DAYS }
    }
}

impl AlertSettings {
    /// The settings in force: the Admin's, else the defaults.
    pub async fn load(pool: &PgPool) -> Result<Self, DbError> {
        Ok(seatsync_db::settings::get(pool, SETTINGS_KEY).await?.unwrap_or_default())
    }

    /// Why these settings cannot be saved, in words; `None` when they can.
    pub fn problem(&self) -> Option<String> {
        (!(0..=MAX_RENEWAL_NOTICE_DAYS).contains(&self.renewal_notice_days))
            .then(|| format!("The notice before a renewal must be between 0 and {MAX_RENEWAL_NOTICE_DAYS} days."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_outside_a_year_is_refused_in_words() {
        assert_eq!(AlertSettings::default().renewal_notice_days, 30);
        assert!(AlertSettings { renewal_notice_days: 0 }.problem().is_none());
        assert!(AlertSettings { renewal_notice_days: 365 }.problem().is_none());
        let too_long = AlertSettings { renewal_notice_days: 366 }.problem().unwrap();
        assert!(too_long.contains("between 0 and 365 days"), "{too_long}");
        assert!(AlertSettings { renewal_notice_days: -1 }.problem().is_some());
    }
}
