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

/// How a customer's subscriptions are split into PSA contracts. The MSP's billing team chooses
/// (Settings): the first rule follows Microsoft's terms exactly, the others give fewer contracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContractGrouping {
    /// Subscriptions share a contract when their term and their current term's dates are the
    /// same: each contract renews with its subscriptions. A customer who bought monthly
    /// subscriptions on twenty different days gets twenty contracts.
    #[default]
    AlignedTerms,
    /// One contract per customer and term (monthly, 1 year, 3 years), whatever the dates.
    PerTerm,
    /// One contract per customer for all its subscriptions.
    PerCustomer,
}

impl ContractGrouping {
    pub const ALL: [ContractGrouping; 3] =
        [ContractGrouping::AlignedTerms, ContractGrouping::PerTerm, ContractGrouping::PerCustomer];

    /// The stored and submitted spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ContractGrouping::AlignedTerms => "aligned_terms",
            ContractGrouping::PerTerm => "per_term",
            ContractGrouping::PerCustomer => "per_customer",
        }
    }

    pub fn parse(text: &str) -> Option<ContractGrouping> {
        ContractGrouping::ALL.into_iter().find(|g| g.as_str() == text.trim())
    }

    /// A short name for the Settings page.
    pub fn title(self) -> &'static str {
        match self {
            ContractGrouping::AlignedTerms => "By aligned term dates",
            ContractGrouping::PerTerm => "One contract per customer and term",
            ContractGrouping::PerCustomer => "One contract per customer",
        }
    }

    /// What the rule does, for the Settings page.
    pub fn explanation(self) -> &'static str {
        match self {
            ContractGrouping::AlignedTerms => {
                "Subscriptions share a contract when they have the same term and their current terms start and end on the same days, so every contract renews with its subscriptions. Exact, but a customer who bought monthly subscriptions on 20 different days gets 20 contracts."
            }
            ContractGrouping::PerTerm => {
                "One contract for each term a customer buys: one for its monthly subscriptions, one for its 1-year ones, one for its 3-year ones, whatever day each was bought. The contract runs from the earliest current term's start for at least a year and to the latest term's end."
            }
            ContractGrouping::PerCustomer => {
                "One contract for all of a customer's subscriptions, whatever their terms and dates. The contract runs from the earliest current term's start for at least a year and to the latest term's end."
            }
        }
    }

    /// Whether a group key is one this rule makes (a link made under another rule is not).
    pub fn makes(self, key: &GroupKey) -> bool {
        matches!(
            (self, key),
            (ContractGrouping::AlignedTerms, GroupKey::Aligned { .. })
                | (ContractGrouping::PerTerm, GroupKey::Term(_))
                | (ContractGrouping::PerCustomer, GroupKey::Customer)
        )
    }
}

/// What subscriptions sharing a contract have in common, under the grouping rule in force.
/// Ordered by term, then start, then end; a whole customer's group last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum GroupKey {
    /// The same term, starting and ending on the same days ([`ContractGrouping::AlignedTerms`]).
    Aligned { term: Term, start: NaiveDate, end: NaiveDate },
    /// The same term, whatever the dates ([`ContractGrouping::PerTerm`]).
    Term(Term),
    /// Every subscription of the customer ([`ContractGrouping::PerCustomer`]).
    Customer,
}

/// A stored group key could not be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum GroupKeyError {
    #[error("group key '{key}' is not of the form TERM:START:END (e.g. P1Y:2026-03-01:2027-02-28), TERM or ALL")]
    Malformed { key: String },
    #[error("group key '{key}': '{term}' is not a term; expected P1M, P1Y or P3Y")]
    UnknownTerm { key: String, term: String },
    #[error("group key '{key}': '{date}' is not a date of the form YYYY-MM-DD")]
    BadDate { key: String, date: String },
}

/// The key text of a whole customer's group.
const CUSTOMER_KEY: &str = "ALL";

impl GroupKey {
    /// The term the group's subscriptions share; `None` for a whole customer's group.
    pub fn term(&self) -> Option<Term> {
        match self {
            GroupKey::Aligned { term, .. } | GroupKey::Term(term) => Some(*term),
            GroupKey::Customer => None,
        }
    }

    /// One string for storage and URLs: `P1Y:2026-03-01:2027-02-28`, `P1M` or `ALL`. Links made
    /// before the grouping rules existed are of the first form and stay readable.
    pub fn to_key_string(&self) -> String {
        match self {
            GroupKey::Aligned { term, start, end } => format!("{}:{}:{}", term.as_str(), start, end),
            GroupKey::Term(term) => term.as_str().to_string(),
            GroupKey::Customer => CUSTOMER_KEY.to_string(),
        }
    }

    /// Reads what [`GroupKey::to_key_string`] wrote.
    pub fn parse_key_string(text: &str) -> Result<GroupKey, GroupKeyError> {
        let term_of = |term: &str| {
            Term::parse(term)
                .ok_or_else(|| GroupKeyError::UnknownTerm { key: text.to_string(), term: term.to_string() })
        };
        let parts: Vec<&str> = text.split(':').collect();
        match parts[..] {
            [whole] if whole.trim() == CUSTOMER_KEY => Ok(GroupKey::Customer),
            [term] if !term.trim().is_empty() => Ok(GroupKey::Term(term_of(term)?)),
            [term, start, end] => {
                let date = |part: &str| {
                    NaiveDate::parse_from_str(part.trim(), "%Y-%m-%d")
                        .map_err(|_| GroupKeyError::BadDate { key: text.to_string(), date: part.to_string() })
                };
                Ok(GroupKey::Aligned { term: term_of(term)?, start: date(start)?, end: date(end)? })
            }
            _ => Err(GroupKeyError::Malformed { key: text.to_string() }),
        }
    }

    /// The term in plain words for names and screens (`monthly`, `annual`, `3-year`); a whole
    /// customer's group reads `licence`, so the default contract name stays a sentence.
    pub fn term_label(&self) -> &'static str {
        self.term().map_or("licence", Term::label)
    }

    /// Partner Center's code of the term, or `ALL` for a whole customer's group.
    pub fn term_code(&self) -> &'static str {
        self.term().map_or(CUSTOMER_KEY, Term::as_str)
    }
}

impl fmt::Display for GroupKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_key_string())
    }
}

/// The current terms of a group's subscriptions: the earliest start and the latest end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TermSpan {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl TermSpan {
    fn widen(self, other: TermSpan) -> TermSpan {
        TermSpan { start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

/// Subscriptions that belong on one PSA contract, and the dates that contract should have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractGroup {
    pub key: GroupKey,
    /// The current terms of its subscriptions (for an aligned group, the key's own dates).
    pub span: TermSpan,
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

/// Groups a tenant's subscriptions into contracts under the rule the MSP chose.
///
/// Only active subscriptions are grouped (an absent status counts as active), and only those
/// with a known term and dates, whatever the rule: a contract's dates come from them. The output
/// does not depend on the input order. Should the same subscription id appear twice, one record
/// is kept (the smallest, to stay independent of order): a subscription is on one contract at most.
pub fn group_subscriptions(subs: &[GroupInput], rule: ContractGrouping) -> Grouping {
    let mut sorted: Vec<&GroupInput> = subs.iter().collect();
    sorted.sort();
    sorted.dedup_by(|later, first| later.subscription_id == first.subscription_id);

    let mut groups: BTreeMap<GroupKey, (TermSpan, Vec<SubscriptionId>)> = BTreeMap::new();
    let mut excluded = Vec::new();
    // `sorted` is in id order, so ids within each group and the excluded list come out sorted.
    for sub in sorted {
        match classify(sub) {
            Ok((term, span)) => {
                let key = match rule {
                    ContractGrouping::AlignedTerms => GroupKey::Aligned { term, start: span.start, end: span.end },
                    ContractGrouping::PerTerm => GroupKey::Term(term),
                    ContractGrouping::PerCustomer => GroupKey::Customer,
                };
                let entry = groups.entry(key).or_insert((span, Vec::new()));
                entry.0 = entry.0.widen(span);
                entry.1.push(sub.subscription_id.clone());
            }
            Err(why) => excluded.push((sub.subscription_id.clone(), why)),
        }
    }
    let groups = groups
        .into_iter()
        .map(|(key, (span, subscription_ids))| {
            let (contract_start, contract_end) = contract_dates(&key, span);
            ContractGroup { key, span, subscription_ids, contract_start, contract_end }
        })
        .collect();
    Grouping { groups, excluded }
}

/// A subscription's term and current term dates, or why it belongs on no contract.
fn classify(sub: &GroupInput) -> Result<(Term, TermSpan), Excluded> {
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
    Ok((term, TermSpan { start, end }))
}

/// The start and end of the PSA contract for a group whose subscriptions' current terms span
/// `span`.
///
/// Aligned annual and 3-year terms: the term itself. A monthly term renews every month, and a
/// contract per month would be churn for the MSP, so its contract runs twelve months from the
/// term start. A group of several terms or dates (one per term, one per customer) runs from the
/// earliest current term's start for twelve months, or to the latest term's end when that is
/// later. When the start day does not exist twelve months later (29 February), the contract
/// ends on the last day of that month. The end is never before a term's own end.
pub fn contract_dates(key: &GroupKey, span: TermSpan) -> (NaiveDate, NaiveDate) {
    match key {
        GroupKey::Aligned { term: Term::P1Y | Term::P3Y, start, end } => (*start, *end),
        GroupKey::Aligned { term: Term::P1M, .. } | GroupKey::Term(_) | GroupKey::Customer => {
            (span.start, span_end(span.start, 12).max(span.end))
        }
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
/// For an aligned group a contract *covers* it when it is active, starts no later and ends no
/// earlier than the group's term, and has not ended by `today`. A group of several terms or
/// dates changes its span whenever one of them renews, so there a contract covers while it is
/// active and runs today: the billing team renews it on its own cadence.
///
/// 1. The contract SeatSync created for this group earlier (`linked`) wins when it covers. When
///    it no longer does, another covering contract is taken (someone renewed it in the PSA);
///    failing that the linked contract is reported expired.
/// 2. Otherwise the covering contract that started last (ties: lowest id).
/// 3. Otherwise, for an aligned group, an ended contract *aligned* with it (starting on the same
///    day of the month for monthly terms, the same day of the year for longer ones) is reported
///    expired, the most recent first: it is the previous term's contract, and the MSP should
///    renew it.
/// 4. Otherwise none.
pub fn match_contract(
    key: &GroupKey,
    span: TermSpan,
    contracts: &[ContractSpan],
    linked: Option<ContractId>,
    today: NaiveDate,
) -> ContractMatch {
    let covers = |c: &ContractSpan| match key {
        GroupKey::Aligned { .. } => c.active && c.start <= span.start && c.end >= span.end && c.end >= today,
        GroupKey::Term(_) | GroupKey::Customer => c.active && c.start <= today && c.end >= today,
    };
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
    let GroupKey::Aligned { term, .. } = *key else { return ContractMatch::None };
    let ended = |c: &ContractSpan| !c.active || c.end < span.end || c.end < today;
    contracts
        .iter()
        .filter(|c| aligned(term, span.start, c) && ended(c))
        .max_by_key(|c| (c.end, c.start, Reverse(c.id)))
        .map_or(ContractMatch::None, |c| ContractMatch::Expired { id: c.id, ended: c.end })
}

/// The contracts of a tenant's company that may be a group's: a PSA contract belongs to one
/// group at most, and dates alone cannot tell a monthly group's twelve-month contract from an
/// annual group's, so only these are passed to [`match_contract`]:
///
/// - the contract SeatSync created for this group (`linked_here`);
/// - a contract SeatSync did not link to another group, when its dates are exactly what SeatSync
///   proposes for this group ([`contract_dates`]), or, for an aligned annual or 3-year group, it
///   starts on the term's first day and runs at least to its end (renewed or extended in the PSA);
/// - for an aligned group, such an unlinked contract of an earlier term: ended before this term,
///   on the same renewal day, and exactly as long as this group's contracts are (shown as expired).
pub fn contracts_for_group(
    key: &GroupKey,
    span: TermSpan,
    contracts: &[ContractSpan],
    linked_here: Option<ContractId>,
    linked_elsewhere: &HashSet<ContractId>,
) -> Vec<ContractSpan> {
    let (proposed_start, proposed_end) = contract_dates(key, span);
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
            let GroupKey::Aligned { term, start, end } = *key else { return exact };
            let starts_the_term = term != Term::P1M && c.start == start && c.end >= end;
            let earlier_term =
                c.end < start && aligned(term, start, c) && months_between(c.start, c.end) == proposed_length;
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

/// Whether a contract starts on the renewal day of a term starting on `start`.
fn aligned(term: Term, start: NaiveDate, contract: &ContractSpan) -> bool {
    let same_day = days_align(start, contract.start);
    match term {
        Term::P1M => same_day,
        Term::P1Y | Term::P3Y => start.month() == contract.start.month() && same_day,
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
        assert_eq!(candidates(&annual, &all, None, &none), vec![annual_contract]);
        assert!(
            candidates(&monthly, &all, None, &none).is_empty(),
            "an annual contract covering a monthly term is not the monthly group's"
        );
        // SeatSync's monthly contract runs twelve months from the term start.
        let monthly_contract = span(2, "2026-11-01", "2027-10-31", true);
        let all = [annual_contract, monthly_contract];
        assert_eq!(candidates(&monthly, &all, None, &none), vec![monthly_contract]);
        // Once linked to a group, a contract is no other group's, even if the dates fit.
        let elsewhere: HashSet<ContractId> = [ContractId(2)].into();
        assert!(candidates(&monthly, &all, None, &elsewhere).is_empty());
        assert_eq!(candidates(&monthly, &all, Some(ContractId(2)), &HashSet::new()), vec![monthly_contract]);
    }

    #[test]
    fn the_previous_terms_contract_shows_as_expired() {
        let annual = key(Term::P1Y, "2026-03-01", "2027-02-28");
        let last_year = span(3, "2025-03-01", "2026-02-28", true);
        let other_day = span(4, "2025-03-02", "2026-03-01", true);
        let candidates = candidates(&annual, &[last_year, other_day], None, &HashSet::new());
        assert_eq!(candidates, vec![last_year]);
        assert_eq!(
            matched(&annual, &candidates, None, d("2026-11-23")),
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
        GroupKey::Aligned { term, start: d(start), end: d(end) }
    }

    /// An aligned group's span: its own dates.
    fn span_of(key: &GroupKey) -> TermSpan {
        match *key {
            GroupKey::Aligned { start, end, .. } => TermSpan { start, end },
            other => panic!("{other} is not aligned"),
        }
    }

    fn matched(
        key: &GroupKey,
        contracts: &[ContractSpan],
        linked: Option<ContractId>,
        today: NaiveDate,
    ) -> ContractMatch {
        match_contract(key, span_of(key), contracts, linked, today)
    }

    fn candidates(
        key: &GroupKey,
        contracts: &[ContractSpan],
        here: Option<ContractId>,
        elsewhere: &HashSet<ContractId>,
    ) -> Vec<ContractSpan> {
        contracts_for_group(key, span_of(key), contracts, here, elsewhere)
    }

    fn dates_of(key: &GroupKey) -> (NaiveDate, NaiveDate) {
        contract_dates(key, span_of(key))
    }

    #[test]
    fn same_term_and_dates_share_a_contract() {
        let grouping = group_subscriptions(
            &[
                sub("c", "P1Y", Some("active"), "2026-03-01", "2027-02-28"),
                sub("a", "p1y", None, "2026-03-01", "2027-02-28"),
                sub("b", "P1Y", Some("Active"), "2026-04-01", "2027-03-31"),
                sub("d", "P1M", Some("active"), "2026-03-01", "2026-03-31"),
            ],
            ContractGrouping::AlignedTerms,
        );
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
    fn fewer_contracts_under_the_other_rules() {
        let subs = [
            sub("a", "P1M", None, "2026-03-03", "2026-04-02"),
            sub("b", "P1M", None, "2026-03-20", "2026-04-19"),
            sub("c", "P1Y", None, "2026-01-10", "2027-01-09"),
            sub("d", "P1Y", None, "2025-09-01", "2026-08-31"),
            sub("e", "P3Y", None, "2025-05-01", "2028-04-30"),
            sub("x", "P1Y", Some("suspended"), "2026-01-10", "2027-01-09"),
        ];
        let summary = |rule| {
            let grouping = group_subscriptions(&subs, rule);
            assert_eq!(grouping.excluded.len(), 1, "the suspended one, whatever the rule");
            grouping
                .groups
                .into_iter()
                .map(|g| {
                    let ids: Vec<String> = g.subscription_ids.iter().map(|i| i.as_str().to_string()).collect();
                    (g.key.to_key_string(), ids.join(","), g.contract_start.to_string(), g.contract_end.to_string())
                })
                .collect::<Vec<_>>()
        };
        let row = |k: &str, ids: &str, s: &str, e: &str| (k.to_string(), ids.to_string(), s.to_string(), e.to_string());
        assert_eq!(summary(ContractGrouping::AlignedTerms).len(), 5, "one per term and dates");
        assert_eq!(
            summary(ContractGrouping::PerTerm),
            [
                // Twelve months from the earliest current term; then to the latest end.
                row("P1M", "a,b", "2026-03-03", "2027-03-02"),
                row("P1Y", "c,d", "2025-09-01", "2027-01-09"),
                row("P3Y", "e", "2025-05-01", "2028-04-30"),
            ]
        );
        assert_eq!(summary(ContractGrouping::PerCustomer), [row("ALL", "a,b,c,d,e", "2025-05-01", "2028-04-30")]);
        for key in [GroupKey::Term(Term::P1M), GroupKey::Term(Term::P3Y), GroupKey::Customer] {
            assert_eq!(GroupKey::parse_key_string(&key.to_key_string()), Ok(key));
        }
        assert_eq!((GroupKey::Customer.term_label(), GroupKey::Term(Term::P1Y).term_label()), ("licence", "annual"));
        assert!(ContractGrouping::PerTerm.makes(&GroupKey::Term(Term::P1M)));
        assert!(!ContractGrouping::PerTerm.makes(&key(Term::P1M, "2026-03-03", "2026-04-02")));
        for rule in ContractGrouping::ALL {
            assert_eq!(ContractGrouping::parse(rule.as_str()), Some(rule));
        }
        assert_eq!(ContractGrouping::parse("weekly"), None);
    }

    #[test]
    fn a_customers_contract_covers_while_it_runs() {
        let terms = TermSpan { start: d("2026-06-03"), end: d("2026-07-02") };
        // SeatSync's contract made a month ago, when the earliest monthly term started on 3 May.
        let ours = span(1, "2026-05-03", "2027-05-02", true);
        let elsewhere = HashSet::new();
        for key in [GroupKey::Customer, GroupKey::Term(Term::P1M)] {
            let found = contracts_for_group(&key, terms, &[ours], Some(ContractId(1)), &elsewhere);
            assert_eq!(found, vec![ours]);
            assert_eq!(
                match_contract(&key, terms, &found, Some(ContractId(1)), d(TODAY)),
                ContractMatch::Active { id: ContractId(1) },
                "the terms renewed since, and the contract still bills them"
            );
            // Once it has ended it is reported expired, and a new one is proposed.
            assert_eq!(
                match_contract(&key, terms, &found, Some(ContractId(1)), d("2027-05-03")),
                ContractMatch::Expired { id: ContractId(1), ended: d("2027-05-02") }
            );
            // Another contract of the company is never taken for the customer's, unless its
            // dates are exactly the proposed ones.
            let labour = span(2, "2026-01-01", "2026-12-31", true);
            assert!(contracts_for_group(&key, terms, &[labour], None, &elsewhere).is_empty());
            let (start, end) = contract_dates(&key, terms);
            let same = ContractSpan { id: ContractId(3), start, end, active: true };
            assert_eq!(contracts_for_group(&key, terms, &[labour, same], None, &elsewhere), vec![same]);
        }
    }

    #[test]
    fn exclusions_say_why() {
        let mut no_term = sub("1", "", None, "2026-01-01", "2026-12-31");
        no_term.term = None;
        let mut no_dates = sub("3", "P1Y", None, "2026-01-01", "2026-12-31");
        no_dates.end = None;
        let grouping = group_subscriptions(
            &[
                sub("0", "P1Y", Some(" Suspended "), "2026-01-01", "2026-12-31"),
                no_term,
                sub("2", "P2Y", None, "2026-01-01", "2026-12-31"),
                no_dates,
                sub("4", "P1Y", Some(""), "2026-01-01", "2025-12-31"),
                sub("5", " ", None, "2026-01-01", "2026-12-31"),
            ],
            ContractGrouping::AlignedTerms,
        );
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
        let first = group_subscriptions(&[a.clone(), b.clone()], ContractGrouping::AlignedTerms);
        assert_eq!(first, group_subscriptions(&[b, a], ContractGrouping::AlignedTerms));
        assert_eq!(first.groups.iter().map(|g| g.subscription_ids.len()).sum::<usize>(), 1);
    }

    #[test]
    fn group_key_text_round_trips_and_reports_errors() {
        let k = key(Term::P1Y, "2026-03-01", "2027-02-28");
        assert_eq!(k.to_key_string(), "P1Y:2026-03-01:2027-02-28");
        assert_eq!(GroupKey::parse_key_string("P1Y:2026-03-01:2027-02-28"), Ok(k));
        assert_eq!(
            GroupKey::parse_key_string("P1Y:2026-03-01").unwrap_err().to_string(),
            "group key 'P1Y:2026-03-01' is not of the form TERM:START:END (e.g. P1Y:2026-03-01:2027-02-28), TERM or ALL"
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
        let dates = |start: &str, end: &str| dates_of(&key(Term::P1M, start, end));
        assert_eq!(dates("2026-01-15", "2026-02-14"), (d("2026-01-15"), d("2027-01-14")));
        assert_eq!(dates("2026-01-31", "2026-02-27"), (d("2026-01-31"), d("2027-01-30")));
        assert_eq!(dates("2024-02-29", "2024-03-28"), (d("2024-02-29"), d("2025-02-28")));
        assert_eq!(dates("2026-03-01", "2026-03-31"), (d("2026-03-01"), d("2027-02-28")));
        // Never shorter than the term itself.
        assert_eq!(dates("2026-03-01", "2028-01-01"), (d("2026-03-01"), d("2028-01-01")));
        assert_eq!(dates_of(&key(Term::P3Y, "2026-03-01", "2029-02-28")), (d("2026-03-01"), d("2029-02-28")));
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
            matched(&annual(), &contracts, Some(ContractId(2)), d(TODAY)),
            ContractMatch::Active { id: ContractId(2) }
        );
    }

    #[test]
    fn linked_contract_renewed_in_the_psa() {
        // The linked contract covered last year's term; someone created this year's by hand.
        let contracts = [span(1, "2025-03-01", "2026-02-28", true), span(7, "2026-03-01", "2027-02-28", true)];
        assert_eq!(
            matched(&annual(), &contracts, Some(ContractId(1)), d(TODAY)),
            ContractMatch::Active { id: ContractId(7) }
        );
    }

    #[test]
    fn linked_contract_ended() {
        let contracts = [span(1, "2025-03-01", "2026-02-28", true), span(2, "2026-04-01", "2027-03-31", true)];
        assert_eq!(
            matched(&annual(), &contracts, Some(ContractId(1)), d(TODAY)),
            ContractMatch::Expired { id: ContractId(1), ended: d("2026-02-28") }
        );
        // Deactivated in the PSA counts as ended even before its end date.
        let contracts = [span(1, "2026-03-01", "2027-02-28", false)];
        assert_eq!(
            matched(&annual(), &contracts, Some(ContractId(1)), d(TODAY)),
            ContractMatch::Expired { id: ContractId(1), ended: d("2027-02-28") }
        );
    }

    #[test]
    fn unknown_linked_contract_falls_back_to_covering() {
        let contracts = [span(3, "2026-01-01", "2027-12-31", true)];
        assert_eq!(
            matched(&annual(), &contracts, Some(ContractId(99)), d(TODAY)),
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
        assert_eq!(matched(&annual(), &contracts, None, d(TODAY)), ContractMatch::Active { id: ContractId(4) });
    }

    #[test]
    fn contract_ended_by_today_does_not_cover() {
        let contracts = [span(1, "2026-03-01", "2027-02-28", true)];
        assert_eq!(
            matched(&annual(), &contracts, None, d("2027-03-01")),
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
            matched(&annual(), &contracts, None, d(TODAY)),
            ContractMatch::Expired { id: ContractId(2), ended: d("2026-02-28") }
        );
    }

    #[test]
    fn monthly_alignment_is_by_day_of_month() {
        let monthly = key(Term::P1M, "2026-06-10", "2026-07-09");
        let contracts = [span(1, "2025-02-10", "2026-02-09", true)];
        assert_eq!(
            matched(&monthly, &contracts, None, d(TODAY)),
            ContractMatch::Expired { id: ContractId(1), ended: d("2026-02-09") }
        );
        let contracts = [span(1, "2025-02-11", "2026-02-10", true)];
        assert_eq!(matched(&monthly, &contracts, None, d(TODAY)), ContractMatch::None);
        // The 30th of June aligns with a contract that started on the 31st.
        let month_end = key(Term::P1M, "2026-06-30", "2026-07-30");
        let contracts = [span(8, "2025-05-31", "2026-05-30", true)];
        assert_eq!(
            matched(&month_end, &contracts, None, d(TODAY)),
            ContractMatch::Expired { id: ContractId(8), ended: d("2026-05-30") }
        );
    }

    #[test]
    fn nothing_fits() {
        assert_eq!(matched(&annual(), &[], None, d(TODAY)), ContractMatch::None);
        assert_eq!(matched(&annual(), &[], Some(ContractId(1)), d(TODAY)), ContractMatch::None);
        // Aligned but still running and not covering (starts later): not an expired one either.
        let contracts = [span(1, "2027-03-01", "2028-02-29", true)];
        assert_eq!(matched(&annual(), &contracts, None, d(TODAY)), ContractMatch::None);
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
            GroupKey::Aligned { term: Term::ALL[t], start, end: start + Days::new(len) }
        })
    }

    proptest! {
        #[test]
        fn every_subscription_is_placed_once(subs in inputs()) {
            let grouping = group_subscriptions(&subs, ContractGrouping::AlignedTerms);
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
            for group in group_subscriptions(&subs, ContractGrouping::AlignedTerms).groups {
                prop_assert!(!group.subscription_ids.is_empty());
                for id in &group.subscription_ids {
                    let sub = by_id[id.as_str()];
                    prop_assert_eq!(sub.term.as_deref().and_then(Term::parse), group.key.term());
                    prop_assert_eq!(sub.start, Some(group.span.start));
                    prop_assert_eq!(sub.end, Some(group.span.end));
                    prop_assert!(sub.status.as_deref().is_none_or(|s| s.eq_ignore_ascii_case("active")));
                }
            }
        }

        #[test]
        fn alike_subscriptions_share_a_group(subs in inputs()) {
            let grouping = group_subscriptions(&subs, ContractGrouping::AlignedTerms);
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
            prop_assert_eq!(group_subscriptions(&subs, ContractGrouping::AlignedTerms), group_subscriptions(&shuffled, ContractGrouping::AlignedTerms));
        }

        #[test]
        fn every_rule_places_each_subscription_once_and_covers_its_term(subs in inputs()) {
            let by_id: HashMap<&str, &GroupInput> = subs.iter().map(|s| (s.subscription_id.as_str(), s)).collect();
            let aligned = group_subscriptions(&subs, ContractGrouping::AlignedTerms);
            let mut counts = Vec::new();
            for rule in ContractGrouping::ALL {
                let grouping = group_subscriptions(&subs, rule);
                // Which subscriptions are on no contract, and why, never depends on the rule.
                prop_assert_eq!(&grouping.excluded, &aligned.excluded);
                let placed: usize = grouping.groups.iter().map(|g| g.subscription_ids.len()).sum();
                prop_assert_eq!(placed, aligned.groups.iter().map(|g| g.subscription_ids.len()).sum::<usize>());
                for group in &grouping.groups {
                    prop_assert!(rule.makes(&group.key));
                    for id in &group.subscription_ids {
                        let sub = by_id[id.as_str()];
                        let (start, end) = (sub.start.expect("grouped"), sub.end.expect("grouped"));
                        // The contract covers every member's current term.
                        prop_assert!(group.contract_start <= start && group.contract_end >= end);
                        prop_assert!(group.span.start <= start && group.span.end >= end);
                        if let Some(term) = group.key.term() {
                            prop_assert_eq!(sub.term.as_deref().and_then(Term::parse), Some(term));
                        }
                    }
                }
                counts.push(grouping.groups.len());
            }
            // Fewer contracts the coarser the rule: at most one per term, one per customer.
            prop_assert!(counts[0] >= counts[1] && counts[1] >= counts[2]);
            prop_assert!(counts[1] <= 3 && counts[2] <= 1);
        }

        #[test]
        fn every_rule_ignores_input_order((subs, shuffled) in inputs().prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))) {
            for rule in ContractGrouping::ALL {
                prop_assert_eq!(group_subscriptions(&subs, rule), group_subscriptions(&shuffled, rule));
            }
        }

        #[test]
        fn contract_covers_the_term(key in any_key()) {
            let span = span_of(&key);
            let (start, end) = contract_dates(&key, span);
            prop_assert_eq!(start, span.start);
            prop_assert!(end >= span.end);
            if key.term() == Some(Term::P1M) {
                // About a year: 365 or 366 days, unless the term itself is longer.
                let days = (end - start).num_days() + 1;
                prop_assert!((365..=366).contains(&days) || end == span.end);
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
                let start = span_of(&key).start.checked_add_signed(chrono::Duration::days(offset)).expect("in range");
                ContractSpan { id: ContractId(id), start, end: start + Days::new(len), active }
            }).collect();
            let today = span_of(&key).start.checked_add_signed(chrono::Duration::days(today_offset)).expect("in range");
            match matched(&key, &contracts, linked.map(ContractId), today) {
                ContractMatch::Active { id } => {
                    let c = contracts.iter().find(|c| c.id == id);
                    prop_assert!(c.is_some());
                    let c = c.expect("checked");
                    // An active match always covers the term, linked or not.
                    let span = span_of(&key);
                    let covering = contracts.iter().any(|c| c.id == id && c.active && c.start <= span.start && c.end >= span.end && c.end >= today);
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
