//! How times, dates, money and counts read on every page.

use chrono::{DateTime, NaiveDate, Utc};

/// "3 h ago"; the exact time goes in the title attribute ([`exact`]).
pub fn relative(t: DateTime<Utc>) -> String {
    relative_to(t, Utc::now())
}

fn relative_to(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - t).num_seconds().max(0);
    match secs {
        0..=59 => "just now".into(),
        60..=3599 => format!("{} min ago", secs / 60),
        3600..=86_399 => format!("{} h ago", secs / 3600),
        _ => format!("{} days ago", secs / 86_400),
    }
}

/// "in 5 h" for a moment ahead (a deadline); "now" once it has come.
pub fn time_left(t: DateTime<Utc>) -> String {
    time_left_from(t, Utc::now())
}

fn time_left_from(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (t - now).num_seconds();
    match secs {
        i64::MIN..=0 => "now".into(),
        1..=3599 => format!("in {} min", (secs + 59) / 60),
        3600..=172_799 => format!("in {} h", secs / 3600),
        _ => format!("in {} days", secs / 86_400),
    }
}

/// "2026-12-01 21:47:36 UTC".
pub fn exact(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// "2026-12-01", or a dash when there is none.
pub fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
}

pub use seatsync_domain::amount::{count, money};

/// A monthly waste figure: "no price" when every wasted seat is of a product without a known
/// price, since "$0.00" would read as "nothing to save".
pub fn waste_money(priced_cost: f64, unpriced_seats: i64) -> String {
    if priced_cost == 0.0 && unpriced_seats > 0 {
        "no price".into()
    } else {
        money(priced_cost)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_money_and_counts_read_as_people_expect() {
        let now: DateTime<Utc> = "2026-12-01T12:00:00Z".parse().unwrap();
        let ago = |secs: i64| relative_to(now - chrono::Duration::seconds(secs), now);
        assert_eq!(
            (ago(5), ago(60), ago(7_200), ago(3 * 86_400)),
            ("just now".into(), "1 min ago".into(), "2 h ago".into(), "3 days ago".into())
        );
        assert_eq!(ago(-30), "just now", "a clock slightly ahead is not the future");
        let ahead = |secs: i64| time_left_from(now + chrono::Duration::seconds(secs), now);
        assert_eq!(
            (ahead(-5), ahead(30), ahead(3_600), ahead(47 * 3_600 + 59), ahead(3 * 86_400)),
            ("now".into(), "in 1 min".into(), "in 1 h".into(), "in 47 h".into(), "in 3 days".into())
        );
        assert_eq!(exact(now), "2026-12-01 12:00:00 UTC");
        assert_eq!((money(1234.5), money(0.0), money(-7.005)), ("$1,234.50".into(), "$0.00".into(), "-$7.01".into()));
        assert_eq!(
            (waste_money(0.0, 3), waste_money(0.0, 0), waste_money(12.0, 3)),
            ("no price".into(), "$0.00".into(), "$12.00".into(),)
        );
        assert_eq!(
            (count(0), count(999), count(1_000), count(-1_234_567)),
            ("0".into(), "999".into(), "1,000".into(), "-1,234,567".into())
        );
        assert_eq!(date(None), "—");
    }
}
