//! When a job is due, and its schedule in words: plain rules over a cron schedule, no I/O.

use chrono::{DateTime, Duration, Utc};
use cron::Schedule;
use seatsync_domain::kinds::JobTrigger;

/// A slot still run on time when picked up within this long; later, it is a catch-up.
const ON_TIME: Duration = Duration::minutes(2);

/// The slot to run now, if any: the newest time of `schedule` at or before `now` that is later
/// than `last_slot` (the newest one already handed out). However many slots were missed, only
/// the newest runs: at most one catch-up, never a burst.
pub fn due_slot(
    schedule: &Schedule,
    last_slot: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<(DateTime<Utc>, JobTrigger)> {
    // Cron times are whole seconds; the newest one not after `now`.
    let newest = schedule.after(&(now + Duration::milliseconds(1))).next_back()?;
    if newest <= last_slot {
        return None;
    }
    let trigger = if now - newest > ON_TIME { JobTrigger::CatchUp } else { JobTrigger::Schedule };
    Some((newest, trigger))
}

/// The next time of `schedule` after `now`.
pub fn next_slot(schedule: &Schedule, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    schedule.after(&now).next()
}

/// A cron expression (with seconds, in UTC) in words, for the common shapes; any other is shown
/// as it is written.
pub fn describe(expression: &str) -> String {
    let fields: Vec<&str> = expression.split_whitespace().collect();
    let (sec, min, hour, dom, month, dow) = match fields.as_slice() {
        [s, m, h, d, mo, w] | [s, m, h, d, mo, w, "*"] => (*s, *m, *h, *d, *mo, *w),
        _ => return format!("On the schedule '{expression}' (UTC)"),
    };
    let number = |f: &str| f.parse::<u32>().ok();
    let every = |f: &str| f.strip_prefix("*/").and_then(|n| n.parse::<u32>().ok());
    let any = |f: &str| f == "*" || f == "?";
    let plural = |n: u32, one: &str, many: &str| if n == 1 { one.to_string() } else { format!("{n} {many}") };
    let at = |h: u32, m: u32| format!("{h:02}:{m:02} UTC");
    if any(dom) && any(month) {
        // Seconds-level and minute-level repetitions.
        if let (Some(n), true, true, true) = (every(sec), any(min), any(hour), any(dow)) {
            return format!("Every {}", plural(n, "second", "seconds"));
        }
        if sec == "0" && any(hour) && any(dow) {
            if any(min) {
                return "Every minute".into();
            }
            if let Some(n) = every(min) {
                return format!("Every {}", plural(n, "minute", "minutes"));
            }
            if let Some(m) = number(min) {
                return if m == 0 { "Every hour, on the hour".into() } else { format!("Every hour at {m} past") };
            }
        }
        if let (Some(0), Some(m)) = (number(sec), number(min)) {
            if let Some(n) = every(hour).filter(|_| any(dow)) {
                return format!("Every {} at minute {m}", plural(n, "hour", "hours"));
            }
            if let Some(h) = number(hour) {
                if any(dow) {
                    return format!("Every day at {}", at(h, m));
                }
                if let Some(day) = weekday(dow) {
                    return format!("Every {day} at {}", at(h, m));
                }
                if matches!(dow.to_ascii_lowercase().as_str(), "mon-fri" | "1-5") {
                    return format!("Every weekday at {}", at(h, m));
                }
            }
        }
    }
    if let (Some(0), Some(m), Some(h), Some(d), true, true) =
        (number(sec), number(min), number(hour), number(dom), any(month), any(dow))
    {
        return format!("On day {d} of every month at {}", at(h, m));
    }
    format!("On the schedule '{expression}' (UTC)")
}

fn weekday(field: &str) -> Option<&'static str> {
    Some(match field.to_ascii_lowercase().as_str() {
        "mon" | "1" => "Monday",
        "tue" | "2" => "Tuesday",
        "wed" | "3" => "Wednesday",
        "thu" | "4" => "Thursday",
        "fri" | "5" => "Friday",
        "sat" | "6" => "Saturday",
        "sun" | "0" | "7" => "Sunday",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use chrono::TimeZone;
    use proptest::prelude::*;

    use super::*;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 6, h, m, s).unwrap()
    }

    fn daily_at_two() -> Schedule {
        Schedule::from_str("0 0 2 * * *").unwrap()
    }

    #[test]
    fn a_slot_is_due_once_it_has_come_and_was_not_handed_out() {
        let s = daily_at_two();
        assert_eq!(due_slot(&s, at(1, 0, 0), at(1, 59, 59)), None, "not yet");
        assert_eq!(due_slot(&s, at(1, 0, 0), at(2, 0, 0)), Some((at(2, 0, 0), JobTrigger::Schedule)));
        assert_eq!(due_slot(&s, at(2, 0, 0), at(2, 0, 1)), None, "handed out already");
    }

    #[test]
    fn only_the_newest_missed_slot_runs_and_it_says_it_is_late() {
        let s = Schedule::from_str("0 0 * * * *").unwrap();
        // Down from 03:30 to 09:10: six slots missed, one run.
        assert_eq!(due_slot(&s, at(3, 0, 0), at(9, 10, 0)), Some((at(9, 0, 0), JobTrigger::CatchUp)));
    }

    #[test]
    fn an_instance_whose_clock_is_behind_finds_nothing_to_do() {
        let s = Schedule::from_str("*/10 * * * * *").unwrap();
        // Another instance, its clock ahead, handed out 02:00:10 already.
        assert_eq!(due_slot(&s, at(2, 0, 10), at(2, 0, 8)), None);
    }

    proptest! {
        #[test]
        fn a_due_slot_is_never_in_the_future_nor_handed_out_before(
            last in 0i64..100_000, ahead in 0i64..200_000, every in 1u32..59,
        ) {
            let s = Schedule::from_str(&format!("*/{every} * * * * *")).unwrap();
            let last = at(0, 0, 0) + Duration::seconds(last);
            let now = last + Duration::seconds(ahead);
            if let Some((slot, _)) = due_slot(&s, last, now) {
                prop_assert!(slot > last && slot <= now);
                // And once handed out, nothing more is due at the same moment.
                prop_assert_eq!(due_slot(&s, slot, now), None);
            }
        }
    }

    #[test]
    fn schedules_read_as_words() {
        assert_eq!(describe("0 0 2 * * *"), "Every day at 02:00 UTC");
        assert_eq!(describe("0 15 * * * *"), "Every hour at 15 past");
        assert_eq!(describe("0 0 * * * *"), "Every hour, on the hour");
        assert_eq!(describe("0 * * * * *"), "Every minute");
        assert_eq!(describe("0 */15 * * * *"), "Every 15 minutes");
        assert_eq!(describe("*/2 * * * * *"), "Every 2 seconds");
        assert_eq!(describe("0 30 6 * * Mon"), "Every Monday at 06:30 UTC");
        assert_eq!(describe("0 0 7 * * Mon-Fri"), "Every weekday at 07:00 UTC");
        assert_eq!(describe("0 0 5 1 * *"), "On day 1 of every month at 05:00 UTC");
        assert_eq!(describe("0 0 */6 * * *"), "Every 6 hours at minute 0");
        assert_eq!(describe("0 0 2 * Jan *"), "On the schedule '0 0 2 * Jan *' (UTC)");
    }
}
