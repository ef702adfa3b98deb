//! When the billing count report is made, and where it goes: the Admin's schedule (daily, weekly
//! on a weekday, or monthly on a day, at an hour in UTC) as the cron expression the job queue
//! keeps, the schedule and the report's period in words, and the delivery settings (a ticket in
//! the PSA for tickets, for one company of it; an e-mail to some addresses).

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    email::{address_list, plausible_address},
    kinds::TicketPsa,
};

/// How often the report is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Daily,
    Weekly,
    Monthly,
}

const WEEKDAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
/// The cron crate's names, Monday first.
const CRON_WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The Admin's schedule. `weekday` (1 Monday to 7 Sunday) counts for a weekly report, `day` (1 to
/// 28, so every month has it) for a monthly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingSchedule {
    pub frequency: Frequency,
    pub weekday: u8,
    pub day: u8,
    pub hour: u8,
}

impl BillingSchedule {
    /// What is wrong with it, in words.
    pub fn check(&self) -> Result<(), String> {
        if self.hour > 23 {
            return Err(format!("The hour must be from 0 to 23 (UTC), not {}.", self.hour));
        }
        match self.frequency {
            Frequency::Weekly if !(1..=7).contains(&self.weekday) => {
                Err("Choose the day of the week the report is made.".into())
            }
            Frequency::Monthly if !(1..=28).contains(&self.day) => {
                Err(format!("The day of the month must be from 1 to 28, so every month has it, not {}.", self.day))
            }
            _ => Ok(()),
        }
    }

    /// The cron expression (seconds first, UTC) the job queue keeps.
    pub fn cron(&self) -> String {
        let hour = self.hour.min(23);
        match self.frequency {
            Frequency::Daily => format!("0 0 {hour} * * *"),
            Frequency::Weekly => format!("0 0 {hour} * * {}", CRON_WEEKDAYS[usize::from(self.weekday.clamp(1, 7) - 1)]),
            Frequency::Monthly => format!("0 0 {hour} {} * *", self.day.clamp(1, 28)),
        }
    }

    /// The schedule an expression of [`BillingSchedule::cron`]'s shapes came from, if it is one.
    pub fn from_cron(expression: &str) -> Option<BillingSchedule> {
        let fields: Vec<&str> = expression.split_whitespace().collect();
        let [sec, min, hour, day, month, weekday] = fields.as_slice() else { return None };
        if *sec != "0" || *min != "0" || *month != "*" {
            return None;
        }
        let hour: u8 = hour.parse().ok().filter(|h| *h <= 23)?;
        let schedule = match (*day, *weekday) {
            ("*", "*") => BillingSchedule { frequency: Frequency::Daily, weekday: 1, day: 1, hour },
            ("*", name) => {
                let index = CRON_WEEKDAYS.iter().position(|w| w.eq_ignore_ascii_case(name))?;
                BillingSchedule { frequency: Frequency::Weekly, weekday: index as u8 + 1, day: 1, hour }
            }
            (day, "*") => {
                let day: u8 = day.parse().ok().filter(|d| (1..=28).contains(d))?;
                BillingSchedule { frequency: Frequency::Monthly, weekday: 1, day, hour }
            }
            _ => return None,
        };
        Some(schedule)
    }

    /// In words: "Every month on the 1st at 07:00 UTC".
    pub fn words(&self) -> String {
        let at = format!("at {:02}:00 UTC", self.hour.min(23));
        match self.frequency {
            Frequency::Daily => format!("Every day {at}"),
            Frequency::Weekly => {
                format!("Every {} {at}", WEEKDAYS[usize::from(self.weekday.clamp(1, 7) - 1)])
            }
            Frequency::Monthly => format!("Every month on the {} {at}", ordinal(self.day.clamp(1, 28))),
        }
    }
}

fn ordinal(n: u8) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// The period a report made at `made_at` bills, for its ticket's title: the month for a monthly
/// report ("December 2026"), the week for a weekly one ("week of 2026-12-07"), else the day.
pub fn period_words(frequency: Option<Frequency>, made_at: DateTime<Utc>) -> String {
    match frequency {
        Some(Frequency::Monthly) | None => made_at.format("%B %Y").to_string(),
        Some(Frequency::Weekly) => {
            let monday =
                made_at.date_naive() - chrono::Duration::days(i64::from(made_at.weekday().num_days_from_monday()));
            format!("week of {}", monday.format("%Y-%m-%d"))
        }
        Some(Frequency::Daily) => made_at.format("%Y-%m-%d").to_string(),
    }
}

/// A company of the PSA for tickets that the report's ticket is filed for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketCompany {
    pub id: i64,
    pub name: String,
}

/// Where each report goes, as the Admin set it (`app_settings`, `billing_delivery`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingDelivery {
    /// A ticket in the PSA for tickets, for this company (the MSP's own, usually); none without.
    #[serde(default)]
    pub ticket_company: Option<TicketCompany>,
    /// The PSA the company was chosen in: a company of another PSA is not used.
    #[serde(default)]
    pub ticket_psa: Option<TicketPsa>,
    /// An e-mail to these addresses; none when empty.
    #[serde(default)]
    pub email_to: Vec<String>,
}

impl BillingDelivery {
    /// The settings from what an Admin typed: addresses separated by commas, semicolons or
    /// lines, each checked.
    pub fn from_form(
        ticket_company: Option<TicketCompany>,
        ticket_psa: TicketPsa,
        email_to: &str,
    ) -> Result<BillingDelivery, String> {
        let email_to = address_list(email_to);
        if let Some(bad) = email_to.iter().find(|a| !plausible_address(a)) {
            return Err(format!("'{bad}' is not an e-mail address: write addresses such as billing@your-msp.example."));
        }
        let ticket_psa = ticket_company.as_ref().map(|_| ticket_psa);
        Ok(BillingDelivery { ticket_company, ticket_psa, email_to })
    }

    /// In words, for the page.
    pub fn words(&self, psa: &str) -> String {
        let mut ways = Vec::new();
        if let Some(c) = &self.ticket_company {
            ways.push(format!("a ticket in {psa} for {}", c.name));
        }
        if !self.email_to.is_empty() {
            ways.push(format!("an e-mail to {}", self.email_to.join(", ")));
        }
        if ways.is_empty() {
            "Each report stays on this page: it is not sent anywhere.".into()
        } else {
            format!("Each report goes out as {}, with the report and its changes as CSV files.", ways.join(" and "))
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use proptest::prelude::*;

    use super::*;

    fn schedule(frequency: Frequency, weekday: u8, day: u8, hour: u8) -> BillingSchedule {
        BillingSchedule { frequency, weekday, day, hour }
    }

    #[test]
    fn each_frequency_makes_its_cron_and_words() {
        let monthly = schedule(Frequency::Monthly, 1, 1, 7);
        assert_eq!(monthly.cron(), "0 0 7 1 * *", "the default of SEATSYNC_BILLING_REPORT_CRON");
        assert_eq!(monthly.words(), "Every month on the 1st at 07:00 UTC");
        let weekly = schedule(Frequency::Weekly, 5, 1, 18);
        assert_eq!(weekly.cron(), "0 0 18 * * Fri");
        assert_eq!(weekly.words(), "Every Friday at 18:00 UTC");
        let daily = schedule(Frequency::Daily, 1, 1, 0);
        assert_eq!(daily.cron(), "0 0 0 * * *");
        assert_eq!(daily.words(), "Every day at 00:00 UTC");
        assert_eq!(schedule(Frequency::Monthly, 1, 22, 6).words(), "Every month on the 22nd at 06:00 UTC");
        assert_eq!(schedule(Frequency::Monthly, 1, 13, 6).words(), "Every month on the 13th at 06:00 UTC");
    }

    #[test]
    fn a_schedule_that_cannot_be_kept_is_refused_in_words() {
        assert!(schedule(Frequency::Monthly, 1, 31, 7).check().unwrap_err().contains("1 to 28"));
        assert!(schedule(Frequency::Daily, 1, 1, 24).check().unwrap_err().contains("0 to 23"));
        assert!(schedule(Frequency::Weekly, 0, 1, 7).check().is_err());
        assert!(schedule(Frequency::Daily, 0, 0, 23).check().is_ok(), "a daily report needs no day");
    }

    #[test]
    fn an_expression_of_another_shape_is_no_schedule() {
        assert_eq!(BillingSchedule::from_cron("0 30 7 1 * *"), None);
        assert_eq!(BillingSchedule::from_cron("0 0 7 1 1 *"), None);
        assert_eq!(BillingSchedule::from_cron("every day"), None);
    }

    #[test]
    fn the_period_is_the_month_the_week_or_the_day() {
        let at = Utc.with_ymd_and_hms(2026, 12, 9, 7, 0, 0).unwrap();
        assert_eq!(period_words(Some(Frequency::Monthly), at), "December 2026");
        assert_eq!(period_words(None, at), "December 2026");
        assert_eq!(period_words(Some(Frequency::Weekly), at), "week of 2026-12-07");
        assert_eq!(period_words(Some(Frequency::Daily), at), "2026-12-09");
    }

    #[test]
    fn delivery_addresses_are_checked_and_said() {
        let d =
            BillingDelivery::from_form(None, TicketPsa::Autotask, "billing@msp.example; finance@msp.example").unwrap();
        assert_eq!(d.email_to, ["billing@msp.example", "finance@msp.example"]);
        assert!(BillingDelivery::from_form(None, TicketPsa::Autotask, "not an address").is_err());
        assert!(BillingDelivery::default().words("Autotask").contains("not sent anywhere"));
        let both = BillingDelivery {
            ticket_company: Some(TicketCompany { id: 0, name: "Northwind MSP".into() }),
            ticket_psa: Some(TicketPsa::Autotask),
            email_to: vec!["billing@msp.example".into()],
        };
        assert_eq!(
            both.words("Autotask"),
            "Each report goes out as a ticket in Autotask for Northwind MSP and an e-mail to billing@msp.example, with the report and its changes as CSV files."
        );
    }

    proptest! {
        /// Every valid schedule makes an expression that reads back as the same schedule.
        #[test]
        fn a_schedule_reads_back_from_its_cron(f in 0u8..3, weekday in 1u8..=7, day in 1u8..=28, hour in 0u8..24) {
            let frequency = [Frequency::Daily, Frequency::Weekly, Frequency::Monthly][usize::from(f)];
            let s = schedule(frequency, weekday, day, hour);
            prop_assert!(s.check().is_ok());
            let back = BillingSchedule::from_cron(&s.cron()).expect("reads back");
            prop_assert_eq!(back.cron(), s.cron());
            prop_assert_eq!(back.words(), s.words());
        }
    }
}
