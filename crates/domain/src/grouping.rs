//! Contract grouping: which subscriptions of a tenant share one PSA contract.
//!
//! A PSA contract has one start and one end date, and the MSP bills it for a whole term. A
//! tenant's subscriptions may have different terms and renew on different days (each NCE
//! purchase starts its own term), so subscriptions can share a contract only when their term
//! *and* their current term's start and end dates are the same. Grouping is therefore by
//! [`GroupKey`], and everything that cannot be placed on a contract is listed with a reason a
//! person can act on.

use std::{cmp::Reverse, collections::BTreeMap, fmt};

use std::collections::HashSet;

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::{ids::ContractId, term::Term, SubscriptionId};

/// What grouping needs to know about one subscription.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct GroupInput {
    pub subscription_id: SubscriptionId,
    /// Partner Center's `termDuration`, e.g. `"P1Y"`.
    pub term: Option<String>,
    /// Partner Center's `status`; absent counts as active.
    pub status: Option<String>,
    /// Effective start of the current term (date only).
    pub start: Option<NaiveDate>,
    /// Commitment end of the current term (date only).
    pub end: Option<NaiveDate>,
}

/// What subscriptions sharing a contract have in common. Ordered by term, then start, then end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct GroupKey {
    pub term: Term,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// A stored group key could not be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum GroupKeyError {
    #[error("group key '{key}' is not of the form TERM:START:END (e.g. P1Y:2026-03-01:2027-02-28)")]
    Malformed { key: String },
    #[error("group key '{key}': '{term}' is not a term; expected P1M, P1Y or P3Y")]
    UnknownTerm { key: String, term: String },
    #[error("group key '{key}': '{date}' is not a date of the form YYYY-MM-DD")]
    BadDate { key: String, date: String },
}

impl GroupKey {
    /// One string for storage and URLs: `P1Y:2026-03-01:2027-02-28`.
    pub fn to_key_string(&self) -> String {
        format!("{}:{}:{}", self.term.as_str(), self.start, self.end)
    }

    /// Reads what [`GroupKey::to_key_string`] wrote.
    pub fn parse_key_string(text: &str) -> Result<GroupKey, GroupKeyError> {
        let parts: Vec<&str> = text.split(':').collect();
        let [term, start, end] = parts[..] else {
            return Err(GroupKeyError::Malformed { key: text.to_string() });
        };
        let term = Term::parse(term)
            .ok_or_else(|| GroupKeyError::UnknownTerm { key: text.to_string(), term: term.to_string() })?;
        let date = |part: &str| {
            NaiveDate::parse_from_str(part.trim(), "%Y-%m-%d")
                .map_err(|_| GroupKeyError::BadDate { key: text.to_string(), date: part.to_string() })
        };
        Ok(GroupKey { term, start: date(start)?, end: date(end)? })
    }
}

impl fmt::Display for GroupKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_key_string())
    }
}

/// Subscriptions that belong on one PSA contract, and the dates that contract should have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractGroup {
    pub key: GroupKey,
    /// Sorted.
    pub subscription_ids: Vec<SubscriptionId>,
    pub contract_start: NaiveDate,
    pub contract_end: NaiveDate,
}

/// Why a subscription is on no contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Excluded {
    /// Not active (suspended, expired, deleted, pending...); the status lower-cased.
    Ended {
        status: String,
    },
    NoTerm,
    UnknownTerm(String),
    /// The current term's start or end date is missing.
    NoDates,
    EndsBeforeStart,
}

impl Excluded {
    /// The reason in plain words, for the subscriptions page.
    pub fn reason(&self) -> String {
        match self {
            Excluded::Ended { status } => format!("{status}: not billed, so not on a contract"),
            Excluded::NoTerm => "Partner Center gives no term, so it cannot be placed on a contract".to_string(),
            Excluded::UnknownTerm(term) => format!(
                "unknown term '{term}': only monthly (P1M), annual (P1Y) and 3-year (P3Y) terms go on contracts"
            ),
            Excluded::NoDates => {
                "Partner Center gives no term start or end date, so it cannot be placed on a contract".to_string()
            }
            Excluded::EndsBeforeStart => {
                "the term ends before it starts: check the subscription in Partner Center".to_string()
            }
        }
    }
}

/// The result of [`group_subscriptions`]: every subscription is in exactly one group or listed
/// as excluded.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Grouping {
    /// Sorted by key.
    pub groups: Vec<ContractGroup>,
    /// Sorted by subscription id.
    pub excluded: Vec<(SubscriptionId, Excluded)>,
}

/// Groups a tenant's subscriptions into contracts.
///
/// Only active subscriptions are grouped (an absent status counts as active). The output does
/// not depend on the input order. Should the same subscription id appear twice, one record is
/// kept (the smallest, to stay independent of order): a subscription is on one contract at most.
pub fn group_subscriptions(subs: &[GroupInput]) -> Grouping {
    let mut sorted: Vec<&GroupInput> = subs.iter().collect();
    sorted.sort();
    sorted.dedup_by(|later, first| later.subscription_id == first.subscription_id);

    let mut groups: BTreeMap<GroupKey, Vec<SubscriptionId>> = BTreeMap::new();
    let mut excluded = Vec::new();
    // `sorted` is in id order, so ids within each group and the excluded list come out sorted.
    for sub in sorted {
        match classify(sub) {
            Ok(key) => groups.entry(key).or_default().push(sub.subscription_id.clone()),
            Err(why) => excluded.push((sub.subscription_id.clone(), why)),
        }
    }
    let groups = groups
        .into_iter()
        .map(|(key, subscription_ids)| {
            let (contract_start, contract_end) = contract_dates(&key);
            ContractGroup { key, subscription_ids, contract_start, contract_end }
        })
        .collect();
    Grouping { groups, excluded }
}

/// The group a subscription belongs to, or why it belongs to none.
fn classify(sub: &GroupInput) -> Result<GroupKey, Excluded> {
    let status = sub.status.as_deref().unwrap_or_default().trim().to_lowercase();
    if !status.is_empty() && status != "active" {
        return Err(Excluded::Ended { status });
    }
    let term_text = sub.term.as_deref().unwrap_or_default().trim();
    if term_text.is_empty() {
        return Err(Excluded::NoTerm);
    }
    let term = Term::parse(term_text).ok_or_else(|| Excluded::UnknownTerm(term_text.to_string()))?;
    let (Some(start), Some(end)) = (sub.start, sub.end) else {
        return Err(Excluded::NoDates);
    };
    if end < start {
        return Err(Excluded::EndsBeforeStart);
    }
    Ok(GroupKey { term, start, end })
}

/// The start and end of the PSA contract for a group.
///
/// Annual and 3-year terms: the term itself. A monthly term renews every month, and a contract
/// per month would be churn for the MSP, so its contract runs twelve months from the term start.
/// When the start day does not exist twelve months later (29 February), the contract ends on
/// the last day of that month. The end is never before the term's own end.
pub fn contract_dates(key: &GroupKey) -> (NaiveDate, NaiveDate) {
    match key.term {
        Term::P1Y | Term::P3Y => (key.start, key.end),
        Term::P1M => (key.start, span_end(key.start, 12).max(key.end)),
    }
}

/// A PSA contract as matching needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContractSpan {
    pub id: ContractId,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub active: bool,
}

/// Which PSA contract a group's subscriptions are billed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ContractMatch {
    /// This contract covers the group's current term.
    Active { id: ContractId },
    /// The group was on this contract, but it has ended: a new one is needed.
    Expired { id: ContractId, ended: NaiveDate },
    /// No contract fits: one must be created.
    None,
}

/// Finds the PSA contract for a group among the company's contracts.
///
/// A contract *covers* the group when it is active, starts no later and ends no earlier than the
/// group's term, and has not ended by `today`.
///
/// 1. The contract SeatSync created for this group earlier (`linked`) wins when it covers. When
///    it no longer does, another covering contract is taken (someone renewed it in the PSA);
///    failing that the linked contract is reported expired.
/// 2. Otherwise the covering contract that started last (ties: lowest id).
/// 3. Otherwise an ended contract *aligned* with the group (starting on the same day of the
///    month for monthly terms, the same day of the year for longer ones) is reported expired,
///    the most recent first: it is the previous term's contract, and the MSP should renew it.
/// 4. Otherwise none.
pub fn match_contract(
    key: &GroupKey,
    contracts: &[ContractSpan],
    linked: Option<ContractId>,
    today: NaiveDate,
) -> ContractMatch {
    let covers = |c: &ContractSpan| c.active && c.start <= key.start && c.end >= key.end && c.end >= today;
    let best_covering = contracts.iter().filter(|c| covers(c)).max_by_key(|c| (c.start, Reverse(c.id)));

    if let Some(linked) = linked.and_then(|id| contracts.iter().find(|c| c.id == id)) {
        if covers(linked) {
            return ContractMatch::Active { id: linked.id };
        }
        return match best_covering {
            Some(renewed) => ContractMatch::Active { id: renewed.id },
            None => ContractMatch::Expired { id: linked.id, ended: linked.end },
        };
    }
    if let Some(covering) = best_covering {
        return ContractMatch::Active { id: covering.id };
    }
    let ended = |c: &ContractSpan| !c.active || c.end < key.end || c.end < today;
    contracts
        .iter()
        .filter(|c| aligned(key, c) && ended(c))
        .max_by_key(|c| (c.end, c.start, Reverse(c.id)))
        .map_or(ContractMatch::None, |c| ContractMatch::Expired { id: c.id, ended: c.end })
}

/// The contracts of a tenant's company that may be a group's: a PSA contract belongs to one
/// group at most, and dates alone cannot tell a monthly group's twelve-month contract from an
/// annual group's, so only these are passed to [`match_contract`]:
///
/// - the contract SeatSync created for this group (`linked_here`);
/// - a contract SeatSync did not link to another group, when its dates are exactly what SeatSync
///   proposes for this group ([`contract_dates`]), or, for an annual or 3-year group, it starts
///   on the term's first day and runs at least to its end (renewed or extended in the PSA);
/// - such an unlinked contract of an earlier term: ended before this term, on the same renewal
///   day, and exactly as long as this group's contracts are (shown as expired).
pub fn contracts_for_group(
    key: &GroupKey,
    contracts: &[ContractSpan],
    linked_here: Option<ContractId>,
    linked_elsewhere: &HashSet<ContractId>,
) -> Vec<ContractSpan> {
    let (proposed_start, proposed_end) = contract_dates(key);
    let proposed_length = months_between(proposed_start, proposed_end);
    contracts
        .iter()
        .filter(|c| {
            if Some(c.id) == linked_here {
                return true;
            }
            if linked_elsewhere.contains(&c.id) {
                return false;
            }
            let exact = c.start == proposed_start && c.end == proposed_end;
            let starts_the_term = key.term != Term::P1M && c.start == key.start && c.end >= key.end;
            let earlier_term =
                c.end < key.start && aligned(key, c) && months_between(c.start, c.end) == proposed_length;
            exact || starts_the_term || earlier_term
        })
        .copied()
        .collect()
}

/// The last day of a span of `months` whole months from `start`: the day before the same day
/// `months` later, or that month's last day when it lacks the start's day (29 February).
fn span_end(start: NaiveDate, months: u32) -> NaiveDate {
    match start.checked_add_months(Months::new(months)) {
        Some(anniversary) if anniversary.day() < start.day() => anniversary,
        Some(anniversary) => anniversary.checked_sub_days(Days::new(1)).unwrap_or(anniversary),
        None => NaiveDate::MAX,
    }
}

/// How many whole months a span from `start` to `end` (inclusive) covers, if it is whole months.
fn months_between(start: NaiveDate, end: NaiveDate) -> Option<u32> {
    let rough = (end.year() - start.year()) * 12 + end.month() as i32 - start.month() as i32;
    [rough, rough + 1].into_iter().filter_map(|m| u32::try_from(m).ok()).find(|m| *m > 0 && span_end(start, *m) == end)
}

/// Whether a contract starts on the group's renewal day.
fn aligned(key: &GroupKey, contract: &ContractSpan) -> bool {
    let same_day = days_align(key.start, contract.start);
    match key.term {
        Term::P1M => same_day,
        Term::P1Y | Term::P3Y => key.start.month() == contract.start.month() && same_day,
    }
}

/// Same day of the month, counting the last day of a short month as any later day: a term
/// starting on the 31st renews on the 30th in April.
fn days_align(a: NaiveDate, b: NaiveDate) -> bool {
    a.day() == b.day()
        || (is_last_day_of_month(a) && b.day() > a.day())
        || (is_last_day_of_month(b) && a.day() > b.day())
}

fn is_last_day_of_month(date: NaiveDate) -> bool {
    date.succ_opt().is_none_or(|next| next.month() != date.month())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_contract_belongs_to_one_group_only() {
        let annual = key(Term::P1Y, "2026-03-01", "2027-02-28");
        let monthly = key(Term::P1M, "2026-11-01", "2026-11-30");
        let annual_contract = span(1, "2026-03-01", "2027-02-28", true);
        let all = [annual_contract];
        let none = HashSet::new();
        assert_eq!(contracts_for_group(&annual, &all, None, &none), vec![annual_contract]);
        assert!(
            contracts_for_group(&monthly, &all, None, &none).is_empty(),
            "an annual contract covering a monthly term is not the monthly group's"
        );
        // SeatSync's monthly contract runs twelve months from the term start.
        let monthly_contract = span(2, "2026-11-01", "2027-10-31", true);
        let all = [annual_contract, monthly_contract];
        assert_eq!(contracts_for_group(&monthly, &all, None, &none), vec![monthly_contract]);
        // Once linked to a group, a contract is no other group's, even if the dates fit.
        let elsewhere: HashSet<ContractId> = [ContractId(2)].into();
        assert!(contracts_for_group(&monthly, &all, None, &elsewhere).is_empty());
        assert_eq!(contracts_for_group(&monthly, &all, Some(ContractId(2)), &HashSet::new()), vec![monthly_contract]);
    }

    #[test]
    fn the_previous_terms_contract_shows_as_expired() {
        let annual = key(Term::P1Y, "2026-03-01", "2027-02-28");
        let last_year = span(3, "2025-03-01", "2026-02-28", true);
        let other_day = span(4, "2025-03-02", "2026-03-01", true);
        let candidates = contracts_for_group(&annual, &[last_year, other_day], None, &HashSet::new());
        assert_eq!(candidates, vec![last_year]);
        assert_eq!(
            match_contract(&annual, &candidates, None, d("2026-11-23")),
            ContractMatch::Expired { id: ContractId(3), ended: d("2026-02-28") }
        );
    }

    #[test]
    fn months_between_counts_whole_months() {
        assert_eq!(months_between(d("2026-03-01"), d("2027-02-28")), Some(12));
        assert_eq!(months_between(d("2026-01-31"), d("2027-01-30")), Some(12));
        assert_eq!(months_between(d("2026-01-15"), d("2029-01-14")), Some(36));
        assert_eq!(months_between(d("2026-01-15"), d("2026-02-20")), None);
    }
    use std::collections::{HashMap, HashSet};

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
    }

    fn sub(id: &str, term: &str, status: Option<&str>, start: &str, end: &str) -> GroupInput {
        GroupInput {
            subscription_id: id.into(),
            term: Some(term.into()),
            status: status.map(Into::into),
            start: Some(d(start)),
            end: Some(d(end)),
        }
    }

    fn key(term: Term, start: &str, end: &str) -> GroupKey {
        GroupKey { term, start: d(start), end: d(end) }
    }

    #[test]
    fn same_term_and_dates_share_a_contract() {
        let grouping = group_subscriptions(&[
            sub("c", "P1Y", Some("active"), "2026-03-01", "2027-02-28"),
            sub("a", "p1y", None, "2026-03-01", "2027-02-28"),
            sub("b", "P1Y", Some("Active"), "2026-04-01", "2027-03-31"),
            sub("d", "P1M", Some("active"), "2026-03-01", "2026-03-31"),
        ]);
        assert!(grouping.excluded.is_empty());
        let summary: Vec<(String, Vec<&str>)> = grouping
            .groups
            .iter()
            .map(|g| (g.key.to_key_string(), g.subscription_ids.iter().map(SubscriptionId::as_str).collect()))
            .collect();
        assert_eq!(
            summary,
            [
                ("P1M:2026-03-01:2026-03-31".to_string(), vec!["d"]),
                ("P1Y:2026-03-01:2027-02-28".to_string(), vec!["a", "c"]),
                ("P1Y:2026-04-01:2027-03-31".to_string(), vec!["b"]),
            ]
        );
        // A monthly term's contract runs a year; annual ones follow the term.
        assert_eq!(
            (grouping.groups[0].contract_start, grouping.groups[0].contract_end),
            (d("2026-03-01"), d("2027-02-28"))
        );
        assert_eq!(grouping.groups[1].contract_end, d("2027-02-28"));
    }

    #[test]
    fn exclusions_say_why() {
        let mut no_term = sub("1", "", None, "2026-01-01", "2026-12-31");
        no_term.term = None;
        let mut no_dates = sub("3", "P1Y", None, "2026-01-01", "2026-12-31");
        no_dates.end = None;
        let grouping = group_subscriptions(&[
            sub("0", "P1Y", Some(" Suspended "), "2026-01-01", "2026-12-31"),
            no_term,
            sub("2", "P2Y", None, "2026-01-01", "2026-12-31"),
            no_dates,
            sub("4", "P1Y", Some(""), "2026-01-01", "2025-12-31"),
            sub("5", " ", None, "2026-01-01", "2026-12-31"),
        ]);
        assert!(grouping.groups.is_empty());
        let reasons: Vec<(&str, &Excluded)> = grouping.excluded.iter().map(|(id, why)| (id.as_str(), why)).collect();
        assert_eq!(
            reasons,
            [
                ("0", &Excluded::Ended { status: "suspended".into() }),
                ("1", &Excluded::NoTerm),
                ("2", &Excluded::UnknownTerm("P2Y".into())),
                ("3", &Excluded::NoDates),
                ("4", &Excluded::EndsBeforeStart),
                ("5", &Excluded::NoTerm),
            ]
        );
        assert_eq!(grouping.excluded[0].1.reason(), "suspended: not billed, so not on a contract");
        assert!(grouping.excluded[2].1.reason().contains("'P2Y'"));
    }

    #[test]
    fn duplicate_ids_are_grouped_once() {
        let a = sub("x", "P1Y", None, "2026-01-01", "2026-12-31");
        let b = sub("x", "P1M", None, "2026-01-01", "2026-01-31");
        let first = group_subscriptions(&[a.clone(), b.clone()]);
        assert_eq!(first, group_subscriptions(&[b, a]));
        assert_eq!(first.groups.iter().map(|g| g.subscription_ids.len()).sum::<usize>(), 1);
    }

    #[test]
    fn group_key_text_round_trips_and_reports_errors() {
        let k = key(Term::P1Y, "2026-03-01", "2027-02-28");
        assert_eq!(k.to_key_string(), "P1Y:2026-03-01:2027-02-28");
        assert_eq!(GroupKey::parse_key_string("P1Y:2026-03-01:2027-02-28"), Ok(k));
        assert_eq!(
            GroupKey::parse_key_string("P1Y:2026-03-01").unwrap_err().to_string(),
            "group key 'P1Y:2026-03-01' is not of the form TERM:START:END (e.g. P1Y:2026-03-01:2027-02-28)"
        );
        assert_eq!(
            GroupKey::parse_key_string("P2Y:2026-03-01:2027-02-28").unwrap_err().to_string(),
            "group key 'P2Y:2026-03-01:2027-02-28': 'P2Y' is not a term; expected P1M, P1Y or P3Y"
        );
        assert_eq!(
            GroupKey::parse_key_string("P1Y:2026-02-30:2027-02-28"),
            Err(GroupKeyError::BadDate { key: "P1Y:2026-02-30:2027-02-28".into(), date: "2026-02-30".into() })
        );
    }

    #[test]
    fn monthly_contract_dates_at_month_ends() {
        let dates = |start: &str, end: &str| contract_dates(&key(Term::P1M, start, end));
        assert_eq!(dates("2026-01-15", "2026-02-14"), (d("2026-01-15"), d("2027-01-14")));
        assert_eq!(dates("2026-01-31", "2026-02-27"), (d("2026-01-31"), d("2027-01-30")));
        assert_eq!(dates("2024-02-29", "2024-03-28"), (d("2024-02-29"), d("2025-02-28")));
        assert_eq!(dates("2026-03-01", "2026-03-31"), (d("2026-03-01"), d("2027-02-28")));
        // Never shorter than the term itself.
        assert_eq!(dates("2026-03-01", "2028-01-01"), (d("2026-03-01"), d("2028-01-01")));
        assert_eq!(contract_dates(&key(Term::P3Y, "2026-03-01", "2029-02-28")), (d("2026-03-01"), d("2029-02-28")));
    }

    // ---- match_contract ----

    fn span(id: i64, start: &str, end: &str, active: bool) -> ContractSpan {
        ContractSpan { id: ContractId(id), start: d(start), end: d(end), active }
    }

    const TODAY: &str = "2026-06-15";

    fn annual() -> GroupKey {
        key(Term::P1Y, "2026-03-01", "2027-02-28")
    }

    #[test]
    fn linked_contract_that_covers_wins() {
        let contracts = [span(1, "2026-03-01", "2027-02-28", true), span(2, "2026-03-01", "2027-02-28", true)];
        assert_eq!(
            match_contract(&annual(), &contracts, Some(ContractId(2)), d(TODAY)),
            ContractMatch::Active { id: ContractId(2) }
        );
    }

    #[test]
    fn linked_contract_renewed_in_the_psa() {
        // The linked contract covered last year's term; someone created this year's by hand.
        let contracts = [span(1, "2025-03-01", "2026-02-28", true), span(7, "2026-03-01", "2027-02-28", true)];
        assert_eq!(
            match_contract(&annual(), &contracts, Some(ContractId(1)), d(TODAY)),
            ContractMatch::Active { id: ContractId(7) }
        );
    }

    #[test]
    fn linked_contract_ended() {
        let contracts = [span(1, "2025-03-01", "2026-02-28", true), span(2, "2026-04-01", "2027-03-31", true)];
        assert_eq!(
            match_contract(&annual(), &contracts, Some(ContractId(1)), d(TODAY)),
            ContractMatch::Expired { id: ContractId(1), ended: d("2026-02-28") }
        );
        // Deactivated in the PSA counts as ended even before its end date.
        let contracts = [span(1, "2026-03-01", "2027-02-28", false)];
        assert_eq!(
            match_contract(&annual(), &contracts, Some(ContractId(1)), d(TODAY)),
            ContractMatch::Expired { id: ContractId(1), ended: d("2027-02-28") }
        );
    }

    #[test]
    fn unknown_linked_contract_falls_back_to_covering() {
        let contracts = [span(3, "2026-01-01", "2027-12-31", true)];
        assert_eq!(
            match_contract(&annual(), &contracts, Some(ContractId(99)), d(TODAY)),
            ContractMatch::Active { id: ContractId(3) }
        );
    }

    #[test]
    fn covering_contract_that_started_last_wins() {
        let contracts = [
            span(5, "2025-01-01", "2027-12-31", true),
            span(9, "2026-02-01", "2027-12-31", true),
            span(4, "2026-02-01", "2027-03-31", true),
            span(1, "2026-03-02", "2027-12-31", true),  // starts after the term
            span(2, "2026-03-01", "2027-02-27", true),  // ends before the term
            span(3, "2026-03-01", "2027-02-28", false), // inactive
        ];
        assert_eq!(match_contract(&annual(), &contracts, None, d(TODAY)), ContractMatch::Active { id: ContractId(4) });
    }

    #[test]
    fn contract_ended_by_today_does_not_cover() {
        let contracts = [span(1, "2026-03-01", "2027-02-28", true)];
        assert_eq!(
            match_contract(&annual(), &contracts, None, d("2027-03-01")),
            ContractMatch::Expired { id: ContractId(1), ended: d("2027-02-28") }
        );
    }

    #[test]
    fn aligned_previous_contract_is_reported_expired() {
        let contracts = [
            span(1, "2024-03-01", "2025-02-28", true),
            span(2, "2025-03-01", "2026-02-28", true),
            span(3, "2025-04-01", "2026-03-31", true), // other renewal day
        ];
        assert_eq!(
            match_contract(&annual(), &contracts, None, d(TODAY)),
            ContractMatch::Expired { id: ContractId(2), ended: d("2026-02-28") }
        );
    }

    #[test]
    fn monthly_alignment_is_by_day_of_month() {
        let monthly = key(Term::P1M, "2026-06-10", "2026-07-09");
        let contracts = [span(1, "2025-02-10", "2026-02-09", true)];
        assert_eq!(
            match_contract(&monthly, &contracts, None, d(TODAY)),
            ContractMatch::Expired { id: ContractId(1), ended: d("2026-02-09") }
        );
        let contracts = [span(1, "2025-02-11", "2026-02-10", true)];
        assert_eq!(match_contract(&monthly, &contracts, None, d(TODAY)), ContractMatch::None);
        // The 30th of June aligns with a contract that started on the 31st.
        let month_end = key(Term::P1M, "2026-06-30", "2026-07-30");
        let contracts = [span(8, "2025-05-31", "2026-05-30", true)];
        assert_eq!(
            match_contract(&month_end, &contracts, None, d(TODAY)),
            ContractMatch::Expired { id: ContractId(8), ended: d("2026-05-30") }
        );
    }

    #[test]
    fn nothing_fits() {
        assert_eq!(match_contract(&annual(), &[], None, d(TODAY)), ContractMatch::None);
        assert_eq!(match_contract(&annual(), &[], Some(ContractId(1)), d(TODAY)), ContractMatch::None);
        // Aligned but still running and not covering (starts later): not an expired one either.
        let contracts = [span(1, "2027-03-01", "2028-02-29", true)];
        assert_eq!(match_contract(&annual(), &contracts, None, d(TODAY)), ContractMatch::None);
    }

    // ---- properties ----

    fn inputs() -> impl Strategy<Value = Vec<GroupInput>> {
        let one = (
            prop_oneof![Just(Some("P1M")), Just(Some("P1Y")), Just(Some("p3y")), Just(Some("P2W")), Just(None)],
            prop_oneof![
                4 => Just(Some("active")), 2 => Just(None), 1 => Just(Some("Suspended")), 1 => Just(Some("deleted"))
            ],
            proptest::option::weighted(0.95, 0u64..4),
            proptest::option::weighted(0.95, prop_oneof![Just(-1i64), Just(30), Just(364)]),
        );
        proptest::collection::vec(one, 0..30).prop_map(|rows| {
            let base = NaiveDate::from_ymd_opt(2026, 1, 30).expect("valid");
            rows.into_iter()
                .enumerate()
                .map(|(i, (term, status, start, len))| {
                    let start = start.map(|o| base + Days::new(o));
                    let end =
                        start.zip(len).map(|(s, l)| if l < 0 { s - Days::new(1) } else { s + Days::new(l as u64) });
                    GroupInput {
                        subscription_id: format!("sub-{i:02}").into(),
                        term: term.map(Into::into),
                        status: status.map(Into::into),
                        start,
                        end,
                    }
                })
                .collect()
        })
    }

    fn any_key() -> impl Strategy<Value = GroupKey> {
        (0usize..3, 0i64..200_000, 0u64..2000).prop_map(|(t, start, len)| {
            let start = NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid") + Days::new(start as u64);
            GroupKey { term: Term::ALL[t], start, end: start + Days::new(len) }
        })
    }

    proptest! {
        #[test]
        fn every_subscription_is_placed_once(subs in inputs()) {
            let grouping = group_subscriptions(&subs);
            let mut seen: Vec<&str> = grouping.groups.iter()
                .flat_map(|g| g.subscription_ids.iter().map(SubscriptionId::as_str))
                .chain(grouping.excluded.iter().map(|(id, _)| id.as_str()))
                .collect();
            seen.sort_unstable();
            let mut expected: Vec<&str> = subs.iter().map(|s| s.subscription_id.as_str()).collect();
            expected.sort_unstable();
            prop_assert_eq!(seen, expected);
        }

        #[test]
        fn groups_never_mix_terms_or_dates(subs in inputs()) {
            let by_id: HashMap<&str, &GroupInput> = subs.iter().map(|s| (s.subscription_id.as_str(), s)).collect();
            for group in group_subscriptions(&subs).groups {
                prop_assert!(!group.subscription_ids.is_empty());
                for id in &group.subscription_ids {
                    let sub = by_id[id.as_str()];
                    prop_assert_eq!(sub.term.as_deref().and_then(Term::parse), Some(group.key.term));
                    prop_assert_eq!(sub.start, Some(group.key.start));
                    prop_assert_eq!(sub.end, Some(group.key.end));
                    prop_assert!(sub.status.as_deref().is_none_or(|s| s.eq_ignore_ascii_case("active")));
                }
            }
        }

        #[test]
        fn alike_subscriptions_share_a_group(subs in inputs()) {
            let grouping = group_subscriptions(&subs);
            let group_of: HashMap<&str, usize> = grouping.groups.iter().enumerate()
                .flat_map(|(i, g)| g.subscription_ids.iter().map(move |id| (id.as_str(), i)))
                .collect();
            let keys: HashSet<GroupKey> = grouping.groups.iter().map(|g| g.key).collect();
            prop_assert_eq!(keys.len(), grouping.groups.len());
            for a in &subs {
                for b in &subs {
                    let (Some(ga), Some(gb)) = (group_of.get(a.subscription_id.as_str()), group_of.get(b.subscription_id.as_str())) else { continue };
                    let same = a.term.as_deref().and_then(Term::parse) == b.term.as_deref().and_then(Term::parse)
                        && a.start == b.start && a.end == b.end;
                    prop_assert_eq!(same, ga == gb);
                }
            }
        }

        #[test]
        fn grouping_ignores_input_order((subs, shuffled) in inputs().prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))) {
            prop_assert_eq!(group_subscriptions(&subs), group_subscriptions(&shuffled));
        }

        #[test]
        fn contract_covers_the_term(key in any_key()) {
            let (start, end) = contract_dates(&key);
            prop_assert_eq!(start, key.start);
            prop_assert!(end >= key.end);
            if key.term == Term::P1M {
                // About a year: 365 or 366 days, unless the term itself is longer.
                let days = (end - start).num_days() + 1;
                prop_assert!((365..=366).contains(&days) || end == key.end);
            }
        }

        #[test]
        fn group_key_text_round_trips(key in any_key()) {
            prop_assert_eq!(GroupKey::parse_key_string(&key.to_key_string()), Ok(key));
        }

        #[test]
        fn an_active_match_covers_or_was_linked(
            key in any_key(),
            spans in proptest::collection::vec((0i64..6, -400i64..400, 0u64..800, any::<bool>()), 0..6),
            linked in proptest::option::of(0i64..6),
            today_offset in -30i64..400,
        ) {
            let contracts: Vec<ContractSpan> = spans.iter().map(|&(id, offset, len, active)| {
                let start = key.start.checked_add_signed(chrono::Duration::days(offset)).expect("in range");
                ContractSpan { id: ContractId(id), start, end: start + Days::new(len), active }
            }).collect();
            let today = key.start.checked_add_signed(chrono::Duration::days(today_offset)).expect("in range");
            match match_contract(&key, &contracts, linked.map(ContractId), today) {
                ContractMatch::Active { id } => {
                    let c = contracts.iter().find(|c| c.id == id);
                    prop_assert!(c.is_some());
                    let c = c.expect("checked");
                    // An active match always covers the term, linked or not.
                    let covering = contracts.iter().any(|c| c.id == id && c.active && c.start <= key.start && c.end >= key.end && c.end >= today);
                    prop_assert!(covering, "{:?} does not cover", c);
                }
                ContractMatch::Expired { id, ended } => {
                    prop_assert!(contracts.iter().any(|c| c.id == id && c.end == ended));
                }
                ContractMatch::None => {
                    prop_assert!(linked.is_none_or(|l| contracts.iter().all(|c| c.id != ContractId(l))));
                }
            }
        }
    }
}
