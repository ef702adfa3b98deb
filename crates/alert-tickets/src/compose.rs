//! What the unused-licence tickets and their notes say: plain text from the stored findings and
//! the links made for them, no I/O.

use chrono::{DateTime, Utc};
use seatsync_db::licence_alerts::Finding;
use seatsync_domain::{
    amount::{count, money},
    kinds::{FindingChannel, FindingTiming, QuantityChange, QuantityChangeStatus},
    Term,
};
use seatsync_remediation::ChangeOutcome;

/// One subscription as a ticket lists it, with its own link when it has one.
#[derive(Debug, Clone, PartialEq)]
pub struct Line<'a> {
    pub finding: &'a Finding,
    pub link: Option<String>,
}

/// A ticket's (or a note's) title and text.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub title: String,
    pub text: String,
}

/// Unused seats of a licence SeatSync cannot change yet: the customer's Pax8 company waits for a
/// person to confirm it, and until then nobody knows whether they were bought through Pax8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub licence: String,
    pub unused: i64,
}

/// What a ticket, a note or an e-mail lists for one customer.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing<'a> {
    /// The subscriptions to reduce, each with its link.
    pub lines: &'a [Line<'a>],
    /// The link reducing them all, for more than one.
    pub all_link: Option<&'a str>,
    pub expires_at: DateTime<Utc>,
    pub waiting: &'a [Waiting],
    /// The Pax8 companies page, where the waiting ones are confirmed.
    pub companies_url: &'a str,
}

/// The ticket opened for a tenant's findings, within `limit` characters (the PSA's longest
/// description).
pub fn opening(tenant: &str, listing: &Listing, limit: usize) -> Message {
    let head = if listing.lines.is_empty() {
        format!("SeatSync found Microsoft licences that {tenant} pays for and nobody uses, and cannot change them yet.")
    } else {
        format!("SeatSync found Microsoft licences that {tenant} pays for and nobody uses: {}.", totals(listing.lines))
    };
    Message { title: format!("Unused Microsoft licences: {tenant}"), text: fit(&head, listing, limit) }
}

/// The note added when a tenant's findings change while its ticket is open.
pub fn changed(tenant: &str, listing: &Listing, limit: usize) -> Message {
    let head = if listing.lines.is_empty() {
        format!("The unused licences of {tenant} changed since this ticket last listed them. None can be changed by SeatSync now; earlier links re-read the live numbers and change nothing that is needed.")
    } else {
        format!(
            "The unused licences of {tenant} changed since this ticket last listed them. Now: {}. The links below replace the earlier ones, which still work until they expire (each re-reads the live numbers first).",
            totals(listing.lines)
        )
    };
    Message { title: "Unused licences changed".into(), text: fit(&head, listing, limit) }
}

/// The seats waiting for the customer's Pax8 company, with where to confirm it.
fn waiting_section(listing: &Listing) -> String {
    if listing.waiting.is_empty() {
        return String::new();
    }
    let mut out = "Waiting for the customer's Pax8 company to be confirmed (until then SeatSync cannot tell whether these were bought through Pax8, so there is no link for them):\n".to_string();
    for w in listing.waiting {
        out.push_str(&format!("- {}: {} unused\n", w.licence, plural(w.unused, "seat")));
    }
    out.push_str(&format!("Confirm the company on SeatSync's Pax8 companies page: {}\n\n", listing.companies_url));
    out
}

/// The note the ticket is closed with.
pub fn nothing_left(tenant: &str) -> Message {
    Message {
        title: "Nothing left to reduce".into(),
        text: format!(
            "SeatSync's latest check found no unused licences left to reduce for {tenant}: the seats bought are assigned, kept spare, or no longer listed. This ticket is closed; a new one is opened if seats go unused again."
        ),
    }
}

/// The note added after a person confirmed a link: each change's before and after, or the
/// vendor's refusal in words.
pub fn confirmed(changes: &[ChangeOutcome], by: &str) -> Message {
    let mut text = format!("{by} confirmed a reduction link in SeatSync.\n");
    for c in changes {
        let through = channel_words(c.channel);
        let when = match c.kind {
            QuantityChange::Now => "now",
            QuantityChange::NextTerm => "for the next term",
        };
        let line = match (c.status, c.after) {
            (QuantityChangeStatus::Done, Some(after)) => {
                format!("- {}: {} → {} seats {when}, through {through}. Done.", c.product, c.before, after)
            }
            (QuantityChangeStatus::Done, None) => {
                format!("- {}: {} → {} seats {when}, through {through}. Done.", c.product, c.before, c.target)
            }
            (QuantityChangeStatus::Refused, _) => format!(
                "- {}: {through} refused lowering {} to {} seats: {}. Nothing was changed.",
                c.product,
                c.before,
                c.target,
                c.detail.as_deref().unwrap_or("no reason given")
            ),
            (QuantityChangeStatus::Uncertain, _) => format!(
                "- {}: lowering {} to {} seats through {through} may or may not have happened ({}). Check it in {through} before doing anything else.",
                c.product,
                c.before,
                c.target,
                c.detail.as_deref().unwrap_or("the answer was lost")
            ),
            (_, _) => format!(
                "- {}: lowering {} to {} seats through {through} failed: {}.",
                c.product,
                c.before,
                c.target,
                c.detail.as_deref().unwrap_or("no reason given")
            ),
        };
        text.push_str(&line);
        text.push('\n');
    }
    let done = changes.iter().filter(|c| c.status == QuantityChangeStatus::Done).count();
    let title = if done == changes.len() {
        "Licences reduced".to_string()
    } else {
        format!("Licences reduced: {done} of {} changes made", changes.len())
    };
    Message { title, text }
}

/// One customer in a digest: its findings and the one link that reduces them all.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestEntry<'a> {
    pub tenant: String,
    pub findings: &'a [Finding],
    pub link: String,
}

/// The digest of every customer with seats to give back, as listed in `entries` (the largest
/// saving first), with the findings of customers beyond them counted in `rest`.
pub fn digest(entries: &[DigestEntry], rest: &[&Finding], expires_at: DateTime<Utc>) -> Message {
    let all: Vec<Line> = entries
        .iter()
        .flat_map(|e| e.findings.iter())
        .chain(rest.iter().copied())
        .map(|finding| Line { finding, link: None })
        .collect();
    let customers = entries.len() + count_tenants(rest);
    let mut text = format!(
        "SeatSync's latest check found Microsoft licences nobody uses at {}: {}.\n\n",
        plural(customers as i64, "customer"),
        totals(&all)
    );
    for e in entries {
        let lines: Vec<Line> = e.findings.iter().map(|finding| Line { finding, link: None }).collect();
        text.push_str(&format!("== {}: {} ==\n", e.tenant, totals(&lines)));
        for f in e.findings {
            text.push_str(&describe(f, None));
        }
        let act = match e.findings {
            [only] => format!("Reduce to {}", only.target),
            _ => "Reduce all of them".to_string(),
        };
        text.push_str(&format!("{act}: {}\n\n", e.link));
    }
    if !rest.is_empty() {
        let lines: Vec<Line> = rest.iter().map(|&finding| Line { finding, link: None }).collect();
        text.push_str(&format!(
            "…and {} more ({}) on SeatSync's Alerts page.\n\n",
            plural(count_tenants(rest) as i64, "customer"),
            totals(&lines)
        ));
    }
    text.push_str(&footer(expires_at));
    let saving: f64 = all.iter().filter_map(|l| l.finding.monthly_saving).sum();
    let title = if saving > 0.0 {
        format!("Unused Microsoft licences: {}, {} a month", plural(customers as i64, "customer"), money(saving))
    } else {
        format!("Unused Microsoft licences: {}", plural(customers as i64, "customer"))
    };
    Message { title, text }
}

fn count_tenants(findings: &[&Finding]) -> usize {
    let mut tenants: Vec<&str> = findings.iter().map(|f| f.tenant_id.as_str()).collect();
    tenants.sort_unstable();
    tenants.dedup();
    tenants.len()
}

/// "6 seats on 2 subscriptions, about $132.00 a month".
fn totals(lines: &[Line]) -> String {
    let (mut seats, mut subscriptions, mut saving, mut unpriced) = (0, 0, 0.0, false);
    for f in lines.iter().map(|l| l.finding) {
        seats += f.reducible;
        subscriptions += 1;
        match f.monthly_saving {
            Some(s) => saving += s,
            None => unpriced = true,
        }
    }
    let seats = plural(seats, "seat");
    let subscriptions = plural(subscriptions, "subscription");
    match (saving > 0.0, unpriced) {
        (true, false) => format!("{seats} on {subscriptions}, {} a month", money(saving)),
        (true, true) => format!("{seats} on {subscriptions}, at least {} a month", money(saving)),
        (false, _) => format!("{seats} on {subscriptions} (no price known)"),
    }
}

fn plural(n: i64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{} {what}s", count(n))
    }
}

fn channel_words(channel: FindingChannel) -> &'static str {
    match channel {
        FindingChannel::Pax8 => "Pax8",
        FindingChannel::PartnerCenter => "Partner Center",
    }
}

fn day(at: Option<DateTime<Utc>>) -> String {
    at.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "a date not known".into())
}

/// One subscription's lines, with its link when `link` is given.
fn describe(f: &Finding, link: Option<&str>) -> String {
    let term = match f.term.as_deref().map(Term::words_of) {
        Some(words) if words != "no term" => format!("{words} term"),
        _ => "no term".into(),
    };
    let mut out = format!("{} ({term}", f.product);
    if let Some(end) = f.commitment_end {
        out.push_str(&format!(", commitment ends {}", day(Some(end))));
    }
    out.push_str(")\n");
    let bought = if f.sku_purchased > f.purchased {
        format!("{} bought here ({} of this licence in all)", f.purchased, f.sku_purchased)
    } else {
        format!("{} bought", f.purchased)
    };
    let bought = match f.scheduled {
        Some(next) => format!("{bought}, {next} already scheduled for the next term"),
        None => bought,
    };
    out.push_str(&format!(
        "  {bought}, {} assigned, {} kept spare: {} reducible",
        f.assigned,
        f.allowance,
        plural(f.reducible, "seat")
    ));
    match f.monthly_saving {
        Some(s) => out.push_str(&format!(", saving {} a month.\n", money(s))),
        None => out.push_str(" (no price known).\n"),
    }
    let through = channel_words(f.channel);
    let when = match (f.timing, f.channel) {
        (FindingTiming::Now, _) => match f.timing_date {
            Some(until) => format!("Takes effect now, through {through} (the cancellation window is open until {}).", day(Some(until))),
            None => format!("Takes effect now, through {through}."),
        },
        (FindingTiming::AtRenewal, FindingChannel::PartnerCenter) => format!(
            "Takes effect at renewal on {}: the link schedules the lower quantity for the next term in Partner Center now.",
            day(f.timing_date)
        ),
        (FindingTiming::AtRenewal, FindingChannel::Pax8) => format!(
            "Takes effect at renewal on {}: Pax8 cannot schedule it, so the link works once the cancellation window opens at renewal.",
            day(f.timing_date)
        ),
    };
    out.push_str("  ");
    out.push_str(&when);
    out.push('\n');
    if let Some(link) = link {
        out.push_str(&format!("  Reduce to {}: {link}\n", f.target));
    }
    out
}

fn footer(expires_at: DateTime<Utc>) -> String {
    format!(
        "Each link asks you to sign in to SeatSync (Editors and Admins), shows the live numbers and changes nothing until you confirm. A link works once and expires on {}.",
        expires_at.format("%Y-%m-%d %H:%M UTC")
    )
}

/// The text in at most `limit` characters: every subscription with its link if it fits; else
/// every subscription with only the link for all; else as many as fit, the rest counted. The
/// seats waiting for a Pax8 company follow the subscriptions.
fn fit(head: &str, listing: &Listing, limit: usize) -> String {
    let lines = listing.lines;
    let all = listing.all_link.map(|l| format!("Reduce all of them: {l}\n\n")).unwrap_or_default();
    let waiting = waiting_section(listing);
    // Without a link there is nothing to sign in to or to expire.
    let foot = if lines.is_empty() { String::new() } else { footer(listing.expires_at) };
    let build = |with_links: bool, shown: usize, note: &str| {
        let mut text = format!("{head}\n\n");
        for line in &lines[..shown] {
            text.push_str(&describe(line.finding, if with_links { line.link.as_deref() } else { None }));
            text.push('\n');
        }
        if shown < lines.len() {
            text.push_str(&format!(
                "…and {} more on SeatSync's Alerts page.\n\n",
                plural((lines.len() - shown) as i64, "subscription")
            ));
        }
        text.push_str(note);
        text.push_str(&all);
        text.push_str(&waiting);
        text.push_str(&foot);
        text.trim_end().to_string()
    };
    let full = build(true, lines.len(), "");
    if full.chars().count() <= limit {
        return full;
    }
    let note = "Each subscription's own link is on SeatSync's Alerts page; this ticket has room for the one that reduces all of them.\n\n";
    for shown in (0..=lines.len()).rev() {
        let text = build(false, shown, note);
        if text.chars().count() <= limit {
            return text;
        }
    }
    build(false, 0, note).chars().take(limit).collect()
}

#[cfg(test)]
mod tests {
    use seatsync_domain::{SkuId, SubscriptionId, TenantId};

    use super::*;

    fn finding(product: &str, reducible: i64, saving: Option<f64>, timing: FindingTiming) -> Finding {
        Finding {
            tenant_id: TenantId::new("t1"),
            subscription_id: SubscriptionId::new(format!("sub-{product}")),
            sku_id: SkuId::new("sku"),
            product: product.into(),
            term: Some("P1M".into()),
            commitment_end: Some("2027-01-05T00:00:00Z".parse().unwrap()),
            channel: FindingChannel::Pax8,
            pax8_subscription_id: None,
            purchased: 20,
            scheduled: None,
            sku_purchased: 20,
            assigned: 12,
            allowance: 2,
            reducible,
            target: 20 - reducible,
            timing,
            timing_date: Some("2026-12-09T00:00:00Z".parse().unwrap()),
            alert: true,
            monthly_saving: saving,
        }
    }

    fn expires() -> DateTime<Utc> {
        "2026-12-14T06:00:00Z".parse().unwrap()
    }

    fn listing<'a>(lines: &'a [Line<'a>], all_link: Option<&'a str>) -> Listing<'a> {
        Listing {
            lines,
            all_link,
            expires_at: expires(),
            waiting: &[],
            companies_url: "https://s/alerts/pax8-companies",
        }
    }

    #[test]
    fn seats_waiting_for_a_pax8_company_are_listed_without_links() {
        let waiting =
            [Waiting { licence: "SPB".into(), unused: 4 }, Waiting { licence: "EXCHANGESTANDARD".into(), unused: 1 }];
        let only = Listing { waiting: &waiting, ..listing(&[], None) };
        let m = opening("Contoso", &only, 8000);
        assert!(
            m.text.starts_with(
                "SeatSync found Microsoft licences that Contoso pays for and nobody uses, and cannot change them yet."
            ),
            "{}",
            m.text
        );
        for expected in [
            "- SPB: 4 seats unused",
            "- EXCHANGESTANDARD: 1 seat unused",
            "Pax8 companies page: https://s/alerts/pax8-companies",
        ] {
            assert!(m.text.contains(expected), "missing {expected:?} in\n{}", m.text);
        }
        assert!(!m.text.contains("Each link"), "no link, no word on links: {}", m.text);
        let a = finding("Microsoft 365 E3", 2, Some(40.0), FindingTiming::Now);
        let lines = [Line { finding: &a, link: Some("https://s/alerts/reduce/A".into()) }];
        let both = Listing { waiting: &waiting, ..listing(&lines, None) };
        let m = changed("Contoso", &both, 32000);
        assert!(m.text.contains("Reduce to 18: https://s/alerts/reduce/A") && m.text.contains("- SPB: 4 seats unused"));
        assert!(m.text.contains("expires on 2026-12-14"));
    }

    #[test]
    fn the_ticket_lists_every_number_the_issue_asks_for_and_the_links() {
        let a = finding("Microsoft 365 Business Premium", 6, Some(132.0), FindingTiming::Now);
        let b = finding("Exchange Online (Plan 1)", 1, None, FindingTiming::AtRenewal);
        let lines = [
            Line { finding: &a, link: Some("https://s/alerts/reduce/A".into()) },
            Line { finding: &b, link: Some("https://s/alerts/reduce/B".into()) },
        ];
        let m = opening("Contoso", &listing(&lines, Some("https://s/alerts/reduce/ALL")), 8000);
        assert_eq!(m.title, "Unused Microsoft licences: Contoso");
        for expected in [
            "7 seats on 2 subscriptions, at least $132.00 a month",
            "Microsoft 365 Business Premium (Monthly term, commitment ends 2027-01-05)",
            "20 bought, 12 assigned, 2 kept spare: 6 seats reducible, saving $132.00 a month.",
            "Takes effect now, through Pax8 (the cancellation window is open until 2026-12-09).",
            "Reduce to 14: https://s/alerts/reduce/A",
            "1 seat reducible (no price known)",
            "Pax8 cannot schedule it, so the link works once the cancellation window opens at renewal",
            "Reduce to 19: https://s/alerts/reduce/B",
            "Reduce all of them: https://s/alerts/reduce/ALL",
            "expires on 2026-12-14 06:00 UTC",
        ] {
            assert!(m.text.contains(expected), "missing {expected:?} in\n{}", m.text);
        }
    }

    #[test]
    fn a_ticket_over_the_limit_keeps_the_link_for_all_then_counts_what_it_leaves_out() {
        let findings: Vec<Finding> =
            (0..30).map(|i| finding(&format!("Product {i}"), 1, Some(10.0), FindingTiming::Now)).collect();
        let lines: Vec<Line> = findings
            .iter()
            .map(|f| Line { finding: f, link: Some(format!("https://s/{}", "x".repeat(400))) })
            .collect();
        let m = opening("Contoso", &listing(&lines, Some("https://s/ALL")), 8000);
        assert!(m.text.chars().count() <= 8000);
        assert!(!m.text.contains("xxxx"), "per-subscription links are dropped first");
        assert!(m.text.contains("Reduce all of them: https://s/ALL"));
        assert!(m.text.contains("Product 29"), "every subscription still fits without links");
        let m = opening("Contoso", &listing(&lines, Some("https://s/ALL")), 2000);
        assert!(m.text.chars().count() <= 2000);
        assert!(m.text.contains("more on SeatSync's Alerts page") && m.text.contains("Reduce all of them"));
    }

    #[test]
    fn a_scheduled_next_term_is_said_beside_what_was_bought() {
        let mut f = finding("Microsoft 365 E3", 2, Some(40.0), FindingTiming::AtRenewal);
        f.scheduled = Some(16);
        f.target = 14;
        let lines = [Line { finding: &f, link: None }];
        let m = opening("Contoso", &listing(&lines, None), 8000);
        assert!(m.text.contains("20 bought, 16 already scheduled for the next term, 12 assigned"), "{}", m.text);
    }

    #[test]
    fn the_digest_lists_each_customer_with_its_link_and_counts_the_rest() {
        let a = finding("Microsoft 365 Business Premium", 6, Some(132.0), FindingTiming::Now);
        let b = finding("Exchange Online (Plan 1)", 1, Some(4.0), FindingTiming::AtRenewal);
        let mut c = finding("Microsoft 365 E3", 3, Some(90.0), FindingTiming::Now);
        c.tenant_id = TenantId::new("t2");
        let mut d = finding("Visio Plan 2", 2, None, FindingTiming::Now);
        d.tenant_id = TenantId::new("t3");
        let contoso = [a, b];
        let fabrikam = [c];
        let entries = [
            DigestEntry { tenant: "Contoso".into(), findings: &contoso, link: "https://s/ALL-C".into() },
            DigestEntry { tenant: "Fabrikam".into(), findings: &fabrikam, link: "https://s/ALL-F".into() },
        ];
        let m = digest(&entries, &[&d], expires());
        assert_eq!(m.title, "Unused Microsoft licences: 3 customers, $226.00 a month");
        for expected in [
            "nobody uses at 3 customers: 12 seats on 4 subscriptions, at least $226.00 a month.",
            "== Contoso: 7 seats on 2 subscriptions, $136.00 a month ==",
            "Reduce all of them: https://s/ALL-C",
            "== Fabrikam: 3 seats on 1 subscription, $90.00 a month ==",
            "Reduce to 17: https://s/ALL-F",
            "…and 1 customer more (2 seats on 1 subscription (no price known)) on SeatSync's Alerts page.",
            "expires on 2026-12-14 06:00 UTC",
        ] {
            assert!(m.text.contains(expected), "missing {expected:?} in\n{}", m.text);
        }
        assert!(m.text.find("Contoso").unwrap() < m.text.find("Fabrikam").unwrap(), "in the order given");
    }

    #[test]
    fn the_confirmation_note_gives_before_and_after_or_the_refusal() {
        let change = |status, after, detail: Option<&str>| ChangeOutcome {
            subscription_id: SubscriptionId::new("s"),
            product: "Microsoft 365 E3".into(),
            channel: FindingChannel::Pax8,
            kind: QuantityChange::Now,
            before: 20,
            target: 14,
            status,
            after,
            detail: detail.map(str::to_string),
        };
        let m = confirmed(&[change(QuantityChangeStatus::Done, Some(14), None)], "Erin Editor");
        assert_eq!(m.title, "Licences reduced");
        assert!(m.text.contains("Erin Editor confirmed") && m.text.contains("20 → 14 seats now, through Pax8. Done."));
        let m = confirmed(
            &[change(QuantityChangeStatus::Refused, None, Some("Quantity cannot be decreased outside the window"))],
            "Erin",
        );
        assert_eq!(m.title, "Licences reduced: 0 of 1 changes made");
        assert!(m
            .text
            .contains("Pax8 refused lowering 20 to 14 seats: Quantity cannot be decreased outside the window"));
    }
}
