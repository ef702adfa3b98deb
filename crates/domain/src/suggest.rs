//! Suggesting which PSA (Autotask) company a customer tenant is.
//!
//! An MSP has thousands of tenants and companies, named by different people ("Contoso Ltd" in
//! Partner Center, "Contoso Limited" in Autotask). SeatSync proposes a company for each unmapped
//! tenant from the names and domains, and a person accepts or dismisses each proposal.
//!
//! Scoring every tenant against every company would be millions of comparisons, so companies are
//! indexed by name tokens, character trigrams and domain stems, and a tenant is scored only
//! against companies it shares something with.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::ids::{CompanyId, TenantId};

/// A customer tenant as matching needs it; or, with another `Key`, any other record of a
/// customer that is matched to companies the same way (a billing tool's customer by its key).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TenantForMatching<Key = TenantId> {
    pub tenant_id: Key,
    pub name: String,
    /// The tenant's domains, e.g. `contoso.onmicrosoft.com` and `contoso.com`.
    pub domains: Vec<String>,
}

/// A company as matching needs it: an Autotask company by default, or a distributor's (Pax8)
/// record of a customer.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CompanyForMatching<Id = CompanyId> {
    pub id: Id,
    pub name: String,
    /// The company's web address as typed into the PSA, e.g. `www.contoso.com`.
    pub web_address: Option<String>,
    pub is_active: bool,
}

/// A proposed mapping of a tenant to a company.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion<Id = CompanyId, Key = TenantId> {
    pub tenant_id: Key,
    pub company_id: Id,
    /// From 0 to 1.
    pub confidence: f64,
    /// Why, in words: "name matches 94%", "same domain (contoso)".
    pub reason: String,
}

/// Words that say what kind of legal entity a company is, not which one it is.
const NOISE_WORDS: &[&str] = &[
    "llc",
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llp",
    "co",
    "corp",
    "corporation",
    "company",
    "the",
    "plc",
    "gmbh",
    "pllc",
    "pty",
    "lp",
];

/// Domain stems that say nothing about who a company is (mail providers and the like).
const GENERIC_STEMS: &[&str] = &[
    "gmail",
    "googlemail",
    "outlook",
    "hotmail",
    "live",
    "msn",
    "yahoo",
    "icloud",
    "aol",
    "mail",
    "microsoft",
    "office",
    "office365",
    "example",
    "localhost",
];

/// Second-level labels under a country code that are not the company's name (`co.uk`).
const SECOND_LEVEL: &[&str] = &[
    "co", "com", "org", "net", "gov", "ac", "edu", "ltd", "plc", "sch", "or", "ne", "go", "gen", "nom", "biz", "info",
    "asn", "id",
];

/// Hosting platforms whose first label is the customer: `contoso.onmicrosoft.com`,
/// `contoso.mail.onmicrosoft.com`, `contoso.sharepoint.com`.
const PLATFORM_LABELS: &[&str] = &["onmicrosoft", "sharepoint"];

/// A suggestion at least this sure is most likely right: mapping its company to another tenant
/// is asked about first (two tenants may bill through one company, but rarely do by accident).
pub const STRONG_CONFIDENCE: f64 = 0.85;
/// A domain stem equal to the company's web address stem is strong evidence.
const SAME_DOMAIN_CONFIDENCE: f64 = 0.9;
/// A tenant domain spelling the company's whole name (`fabrikamdental.com`) is good evidence.
const DOMAIN_IS_NAME_CONFIDENCE: f64 = 0.85;
/// Inactive companies are rarely the right answer, but sometimes one was deactivated by mistake.
const INACTIVE_FACTOR: f64 = 0.8;
/// A name is a candidate when its trigrams overlap at least this much (Dice).
const TRIGRAM_CANDIDATE_DICE: f64 = 0.3;

/// A company name reduced to what identifies the company: lower-case, punctuation dropped,
/// `&` read as `and`, legal suffixes and noise words (`Ltd`, `Inc`, `The`...) removed, spaces
/// collapsed. A name made only of noise words keeps them, so it still compares to something.
pub fn normalize_company_name(name: &str) -> String {
    let lowered = name.to_lowercase().replace('&', " and ");
    let cleaned: String = lowered
        .chars()
        .filter(|c| !matches!(c, '\'' | '\u{2019}'))
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    // Initials written with dots or spaces ("L.L.C.", "A B C Plumbing") become one word.
    let mut tokens: Vec<String> = Vec::new();
    let mut initials = String::new();
    for token in cleaned.split_whitespace() {
        let mut chars = token.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_alphabetic() => initials.push(c),
            _ => {
                if !initials.is_empty() {
                    tokens.push(std::mem::take(&mut initials));
                }
                tokens.push(token.to_string());
            }
        }
    }
    if !initials.is_empty() {
        tokens.push(initials);
    }
    let kept: Vec<&str> = tokens.iter().map(String::as_str).filter(|t| !NOISE_WORDS.contains(t)).collect();
    if kept.is_empty() {
        tokens.join(" ")
    } else {
        kept.join(" ")
    }
}

/// The part of a domain or web address that names the organisation: `contoso` for
/// `contoso.onmicrosoft.com`, `https://www.contoso.example/x` and `mail.contoso.co.uk`.
/// `None` when there is nothing name-like (blank, an IP address, free text).
pub fn domain_stem(domain_or_url: &str) -> Option<String> {
    let mut text = domain_or_url.trim().to_lowercase();
    if let Some(scheme_end) = text.find("://") {
        text.drain(..scheme_end + 3);
    }
    if let Some(path) = text.find(['/', '?', '#']) {
        text.truncate(path);
    }
    if let Some(at) = text.rfind('@') {
        text.drain(..=at);
    }
    if let Some(port) = text.find(':') {
        text.truncate(port);
    }
    let mut labels: Vec<&str> = text.split('.').map(str::trim).filter(|l| !l.is_empty()).collect();
    if labels.iter().all(|l| l.chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    let stem = if let Some(platform) = labels.iter().position(|l| PLATFORM_LABELS.contains(l)) {
        (platform > 0).then(|| labels[0])?
    } else {
        while labels.len() > 1 && is_www(labels[0]) {
            labels.remove(0);
        }
        if labels.len() > 1 {
            let tld = labels.pop().unwrap_or_default();
            if labels.len() > 1 && tld.len() == 2 && labels.last().is_some_and(|l| SECOND_LEVEL.contains(l)) {
                labels.pop();
            }
        }
        labels.last().copied()?
    };
    let valid = !is_www(stem) && stem.chars().all(|c| c.is_alphanumeric() || c == '-');
    valid.then(|| stem.trim_matches('-').to_string()).filter(|s| !s.is_empty())
}

fn is_www(label: &str) -> bool {
    label.strip_prefix("www").is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit()))
}

/// How alike two company names are, from 0 to 1, after [`normalize_company_name`]: character
/// bigrams (Dice) catch spelling variants, shared words catch reordering. Names that normalise
/// to the same letters score 1; different names score at most 0.99.
pub fn name_similarity(a: &str, b: &str) -> f64 {
    Name::new(a).similarity(&Name::new(b))
}

/// A name prepared once for many comparisons.
#[derive(Debug, Clone)]
struct Name {
    /// Letters and digits of the normalised name, without spaces.
    compact: String,
    /// Sorted, no duplicates.
    tokens: Vec<String>,
    /// Bigrams of each word padded with spaces; sorted, duplicates kept (a multiset).
    bigrams: Vec<(char, char)>,
}

impl Name {
    fn new(name: &str) -> Name {
        let normalized = normalize_company_name(name);
        let mut tokens: Vec<String> = normalized.split_whitespace().map(str::to_string).collect();
        let mut bigrams = Vec::new();
        for token in &tokens {
            let padded: Vec<char> = std::iter::once(' ').chain(token.chars()).chain([' ']).collect();
            bigrams.extend(padded.windows(2).map(|w| (w[0], w[1])));
        }
        bigrams.sort_unstable();
        tokens.sort_unstable();
        tokens.dedup();
        let compact = compact_of(&normalized);
        Name { compact, tokens, bigrams }
    }

    fn similarity(&self, other: &Name) -> f64 {
        if self.compact.is_empty() || other.compact.is_empty() {
            return 0.0;
        }
        if self.compact == other.compact {
            return 1.0;
        }
        let bigrams = dice(common_sorted(&self.bigrams, &other.bigrams), self.bigrams.len(), other.bigrams.len());
        let tokens = dice(common_sorted(&self.tokens, &other.tokens), self.tokens.len(), other.tokens.len());
        (0.6 * bigrams + 0.4 * tokens).clamp(0.0, 0.99)
    }

    /// Trigrams of the compact name with start and end marks; sorted, no duplicates.
    fn trigrams(&self) -> Vec<[char; 3]> {
        let chars: Vec<char> = std::iter::once('^').chain(self.compact.chars()).chain(['$']).collect();
        let mut trigrams: Vec<[char; 3]> = chars.windows(3).map(|w| [w[0], w[1], w[2]]).collect();
        trigrams.sort_unstable();
        trigrams.dedup();
        trigrams
    }
}

fn compact_of(normalized: &str) -> String {
    normalized.chars().filter(|c| !c.is_whitespace()).collect()
}

fn dice(common: usize, a: usize, b: usize) -> f64 {
    if a + b == 0 {
        0.0
    } else {
        2.0 * common as f64 / (a + b) as f64
    }
}

/// How many elements two sorted sequences share, counting repeats (multiset intersection).
fn common_sorted<T: Ord>(a: &[T], b: &[T]) -> usize {
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common
}

/// Proposes at most one company per tenant and one tenant per company.
///
/// Companies in `mapped_companies` and dismissed `(tenant id, company id)` pairs are never
/// proposed; pass only tenants that are not mapped yet. Pairs are scored on name similarity, a
/// shared domain (confidence at least 0.9) and a tenant domain spelling the company name; an
/// inactive company's confidence is reduced. Pairs below `min_confidence` are dropped, then the
/// best pairs are taken greedily (ties: tenant id, then company id).
///
/// The result is in that order, best first, and does not depend on the order of the inputs.
pub fn suggest<Id: Clone + Ord + std::hash::Hash, Key: Clone + Ord + std::hash::Hash>(
    tenants: &[TenantForMatching<Key>],
    companies: &[CompanyForMatching<Id>],
    mapped_companies: &HashSet<Id>,
    dismissed: &HashSet<(Key, Id)>,
    min_confidence: f64,
) -> Vec<Suggestion<Id, Key>> {
    let mut tenants: Vec<&TenantForMatching<Key>> = tenants.iter().collect();
    tenants.sort();
    tenants.dedup_by(|later, first| later.tenant_id == first.tenant_id);
    let mut companies: Vec<&CompanyForMatching<Id>> =
        companies.iter().filter(|c| !mapped_companies.contains(&c.id)).collect();
    companies.sort();
    companies.dedup_by(|later, first| later.id == first.id);

    let index = CompanyIndex::new(&companies);
    let mut dismissed_for: HashMap<&Key, HashSet<&Id>> = HashMap::new();
    for (tenant_id, company_id) in dismissed {
        dismissed_for.entry(tenant_id).or_default().insert(company_id);
    }

    let mut scored: Vec<Scored> = Vec::new();
    let mut counts = vec![0u32; companies.len()];
    for (tenant_index, tenant) in tenants.iter().enumerate() {
        let name = Name::new(&tenant.name);
        let stems: Vec<String> = tenant
            .domains
            .iter()
            .filter_map(|d| domain_stem(d))
            .filter(|s| !GENERIC_STEMS.contains(&s.as_str()))
            .collect();
        let no_dismissals = HashSet::new();
        let dismissed = dismissed_for.get(&tenant.tenant_id).unwrap_or(&no_dismissals);
        for company_index in index.candidates(&name, &stems, &mut counts) {
            let company = companies[company_index];
            if dismissed.contains(&company.id) {
                continue;
            }
            let evidence =
                Evidence::weigh(&name, &stems, &index.names[company_index], &index.stems[company_index], company);
            if evidence.confidence >= min_confidence {
                scored.push(Scored { confidence: evidence.confidence, tenant_index, company_index, evidence });
            }
        }
    }

    scored.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then_with(|| tenants[a.tenant_index].tenant_id.cmp(&tenants[b.tenant_index].tenant_id))
            .then_with(|| companies[a.company_index].id.cmp(&companies[b.company_index].id))
    });
    let mut tenant_taken = vec![false; tenants.len()];
    let mut company_taken = vec![false; companies.len()];
    let mut suggestions = Vec::new();
    for pair in scored {
        if tenant_taken[pair.tenant_index] || company_taken[pair.company_index] {
            continue;
        }
        tenant_taken[pair.tenant_index] = true;
        company_taken[pair.company_index] = true;
        suggestions.push(Suggestion {
            tenant_id: tenants[pair.tenant_index].tenant_id.clone(),
            company_id: companies[pair.company_index].id.clone(),
            confidence: pair.confidence,
            reason: pair.evidence.reason(),
        });
    }
    suggestions
}

struct Scored {
    confidence: f64,
    tenant_index: usize,
    company_index: usize,
    evidence: Evidence,
}

/// What speaks for one tenant being one company.
struct Evidence {
    name_similarity: f64,
    same_domain: Option<String>,
    domain_is_name: Option<String>,
    inactive: bool,
    confidence: f64,
}

impl Evidence {
    fn weigh<Id>(
        tenant: &Name,
        tenant_stems: &[String],
        company: &Name,
        company_stem: &Option<String>,
        record: &CompanyForMatching<Id>,
    ) -> Evidence {
        let name_similarity = tenant.similarity(company);
        let same_domain = company_stem.as_ref().filter(|stem| tenant_stems.contains(stem)).cloned();
        let domain_is_name = tenant_stems.iter().find(|stem| compact_stem(stem) == company.compact).cloned();
        let mut confidence = name_similarity;
        if same_domain.is_some() {
            confidence = confidence.max(SAME_DOMAIN_CONFIDENCE + (1.0 - SAME_DOMAIN_CONFIDENCE) * name_similarity);
        } else if domain_is_name.is_some() {
            confidence = confidence.max(DOMAIN_IS_NAME_CONFIDENCE);
        }
        let inactive = !record.is_active;
        if inactive {
            confidence *= INACTIVE_FACTOR;
        }
        Evidence { name_similarity, same_domain, domain_is_name, inactive, confidence: confidence.clamp(0.0, 1.0) }
    }

    fn reason(&self) -> String {
        let mut parts = Vec::new();
        if let Some(stem) = &self.same_domain {
            parts.push(format!("same domain ({stem})"));
        } else if let Some(stem) = &self.domain_is_name {
            parts.push(format!("domain {stem} spells the name"));
        }
        let domain = !parts.is_empty();
        if self.name_similarity >= 1.0 {
            parts.push("same name".to_string());
        } else if !domain || self.name_similarity >= 0.5 {
            parts.push(format!("name matches {:.0}%", self.name_similarity * 100.0));
        }
        if self.inactive {
            parts.push("company is inactive".to_string());
        }
        parts.join("; ")
    }
}

fn compact_stem(stem: &str) -> String {
    stem.chars().filter(|c| *c != '-').collect()
}

/// Companies indexed by what a tenant might share with them.
struct CompanyIndex {
    names: Vec<Name>,
    stems: Vec<Option<String>>,
    by_token: HashMap<String, Vec<usize>>,
    by_trigram: HashMap<[char; 3], Vec<usize>>,
    trigram_counts: Vec<usize>,
    by_stem: HashMap<String, Vec<usize>>,
    by_compact_name: HashMap<String, Vec<usize>>,
    /// Words more common than this lead to too many candidates to be worth following alone
    /// ("services", "group"); names sharing more than such a word share trigrams as well.
    max_token_postings: usize,
}

impl CompanyIndex {
    fn new<Id>(companies: &[&CompanyForMatching<Id>]) -> CompanyIndex {
        let names: Vec<Name> = companies.iter().map(|c| Name::new(&c.name)).collect();
        let stems: Vec<Option<String>> = companies
            .iter()
            .map(|c| c.web_address.as_deref().and_then(domain_stem).filter(|s| !GENERIC_STEMS.contains(&s.as_str())))
            .collect();
        let mut index = CompanyIndex {
            by_token: HashMap::new(),
            by_trigram: HashMap::new(),
            trigram_counts: Vec::with_capacity(names.len()),
            by_stem: HashMap::new(),
            by_compact_name: HashMap::new(),
            max_token_postings: (companies.len() / 20).max(50),
            names: Vec::new(),
            stems: Vec::new(),
        };
        for (i, name) in names.iter().enumerate() {
            for token in &name.tokens {
                index.by_token.entry(token.clone()).or_default().push(i);
            }
            let trigrams = name.trigrams();
            index.trigram_counts.push(trigrams.len());
            for trigram in trigrams {
                index.by_trigram.entry(trigram).or_default().push(i);
            }
            if !name.compact.is_empty() {
                index.by_compact_name.entry(name.compact.clone()).or_default().push(i);
            }
            if let Some(stem) = &stems[i] {
                index.by_stem.entry(stem.clone()).or_default().push(i);
            }
        }
        index.names = names;
        index.stems = stems;
        index
    }

    /// Companies worth scoring for a tenant, each once, in index order. `counts` is scratch
    /// space of one counter per company, all zero on entry and on return.
    fn candidates(&self, name: &Name, stems: &[String], counts: &mut [u32]) -> Vec<usize> {
        let mut touched: Vec<usize> = Vec::new();
        let trigrams = name.trigrams();
        for trigram in &trigrams {
            for &i in self.by_trigram.get(trigram).map(Vec::as_slice).unwrap_or_default() {
                if counts[i] == 0 {
                    touched.push(i);
                }
                counts[i] += 1;
            }
        }
        let mut found: Vec<usize> = Vec::new();
        for &i in &touched {
            if dice(counts[i] as usize, trigrams.len(), self.trigram_counts[i]) >= TRIGRAM_CANDIDATE_DICE {
                found.push(i);
            }
            counts[i] = 0;
        }
        for token in &name.tokens {
            if let Some(postings) = self.by_token.get(token) {
                if postings.len() <= self.max_token_postings {
                    found.extend(postings);
                }
            }
        }
        for stem in stems {
            found.extend(self.by_stem.get(stem).into_iter().flatten());
            found.extend(self.by_compact_name.get(&compact_stem(stem)).into_iter().flatten());
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tenant(id: &str, name: &str, domains: &[&str]) -> TenantForMatching {
        TenantForMatching {
            tenant_id: id.into(),
            name: name.into(),
            domains: domains.iter().map(|d| d.to_string()).collect(),
        }
    }

    fn company(id: i64, name: &str, web: Option<&str>, active: bool) -> CompanyForMatching {
        CompanyForMatching { id: CompanyId(id), name: name.into(), web_address: web.map(Into::into), is_active: active }
    }

    fn none<T>() -> HashSet<T> {
        HashSet::new()
    }

    #[test]
    fn normalizes_legal_noise_away() {
        assert_eq!(normalize_company_name("Contoso Ltd."), "contoso");
        assert_eq!(normalize_company_name("  CONTOSO   LTD "), "contoso");
        assert_eq!(normalize_company_name("Adatum Corporation, Inc."), "adatum");
        assert_eq!(normalize_company_name("The Smith & Sons Co"), "smith and sons");
        assert_eq!(normalize_company_name("O'Brien Plumbing, L.L.C."), "obrien plumbing");
        assert_eq!(normalize_company_name("A.B.C. Dental GmbH"), "abc dental");
        assert_eq!(normalize_company_name("The Company"), "the company");
        assert_eq!(normalize_company_name(""), "");
    }

    #[test]
    fn domain_stems() {
        assert_eq!(domain_stem("contoso.onmicrosoft.com").as_deref(), Some("contoso"));
        assert_eq!(domain_stem("contoso.mail.onmicrosoft.com").as_deref(), Some("contoso"));
        assert_eq!(domain_stem("https://www.contoso.example/x").as_deref(), Some("contoso"));
        assert_eq!(domain_stem("mail.contoso.co.uk").as_deref(), Some("contoso"));
        assert_eq!(domain_stem("WWW.Fabrikam-Dental.com:443/").as_deref(), Some("fabrikam-dental"));
        assert_eq!(domain_stem("contoso.com.au").as_deref(), Some("contoso"));
        assert_eq!(domain_stem("contoso.co").as_deref(), Some("contoso"));
        assert_eq!(domain_stem("info@adatum.com").as_deref(), Some("adatum"));
        assert_eq!(domain_stem("adatum").as_deref(), Some("adatum"));
        assert_eq!(domain_stem(""), None);
        assert_eq!(domain_stem("www"), None);
        assert_eq!(domain_stem("10.0.0.1"), None);
        assert_eq!(domain_stem("Contoso Ltd"), None);
        assert_eq!(domain_stem("onmicrosoft.com"), None);
    }

    #[test]
    fn similarity_of_realistic_pairs() {
        assert_eq!(name_similarity("Contoso Ltd", "CONTOSO LTD"), 1.0);
        assert_eq!(name_similarity("Fabrikam Dental LLC", "Fabrikam Dental"), 1.0);
        assert_eq!(name_similarity("Adatum Corp", "Adatum Corporation, Inc."), 1.0);
        assert_eq!(name_similarity("FabrikamDental", "Fabrikam Dental"), 1.0);
        let typo = name_similarity("Northwind Traders", "Northwnd Traders");
        assert!(typo > 0.7 && typo < 1.0, "{typo}");
        let unrelated = name_similarity("Blue Yonder Airlines", "Blue Sky Foods");
        assert!(unrelated < 0.4, "{unrelated}");
        assert!(name_similarity("Tailspin Toys", "Wide World Importers") < 0.15);
        assert_eq!(name_similarity("", "Contoso"), 0.0);
        assert_eq!(name_similarity("Contoso", "Fabrikam"), name_similarity("Fabrikam", "Contoso"));
    }

    #[test]
    fn suggests_by_name_and_domain() {
        let tenants = [
            tenant("t1", "Contoso Ltd", &["contoso.onmicrosoft.com"]),
            tenant("t2", "Fabrikam Dental LLC", &[]),
            tenant("t3", "Litware", &["litware.onmicrosoft.com", "litwareinc.com"]),
            tenant("t4", "Blue Yonder Airlines", &[]),
        ];
        let companies = [
            company(10, "CONTOSO LTD", None, true),
            company(11, "Fabrikam Dental", None, true),
            company(12, "LWI Holdings", Some("https://www.litwareinc.com"), true),
            company(13, "Blue Sky Foods", None, true),
        ];
        let got = suggest(&tenants, &companies, &none(), &none(), 0.6);
        let pairs: Vec<(&str, i64, &str)> =
            got.iter().map(|s| (s.tenant_id.as_str(), s.company_id.0, s.reason.as_str())).collect();
        assert_eq!(
            pairs,
            [
                ("t1", 10, "domain contoso spells the name; same name"),
                ("t2", 11, "same name"),
                ("t3", 12, "same domain (litwareinc)"),
            ]
        );
        assert!(got[2].confidence >= 0.9);
    }

    #[test]
    fn domain_spelling_the_name_is_evidence() {
        let tenants = [tenant("t", "FD Holdings", &["fabrikamdental.com"])];
        let companies = [company(1, "Fabrikam Dental, Inc.", None, true)];
        let got = suggest(&tenants, &companies, &none(), &none(), 0.5);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].reason, "domain fabrikamdental spells the name");
        assert_eq!(got[0].confidence, DOMAIN_IS_NAME_CONFIDENCE);
    }

    #[test]
    fn best_pair_wins_and_each_side_is_used_once() {
        let tenants = [tenant("a", "Northwind Traders", &[]), tenant("b", "Northwind Trading", &[])];
        let companies =
            [company(1, "Northwind Traders Inc", None, true), company(2, "Northwind Trading Ltd", None, true)];
        let got = suggest(&tenants, &companies, &none(), &none(), 0.5);
        let pairs: Vec<(&str, i64)> = got.iter().map(|s| (s.tenant_id.as_str(), s.company_id.0)).collect();
        assert_eq!(pairs, [("a", 1), ("b", 2)]);
        assert!(got[1].reason.starts_with("same name"));
    }

    #[test]
    fn mapped_dismissed_and_inactive() {
        let tenants = [tenant("t", "Contoso", &[])];
        let companies = [
            company(1, "Contoso", None, true),
            company(2, "Contoso Ltd", None, true),
            company(3, "Contoso Limited", None, false),
        ];
        let mapped: HashSet<CompanyId> = [CompanyId(1)].into();
        let dismissed: HashSet<(TenantId, CompanyId)> = [(TenantId::new("t"), CompanyId(2))].into();
        let got = suggest(&tenants, &companies, &mapped, &dismissed, 0.5);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].company_id, CompanyId(3));
        assert_eq!(got[0].confidence, INACTIVE_FACTOR);
        assert_eq!(got[0].reason, "same name; company is inactive");
        // Below the threshold once penalised.
        assert!(suggest(&tenants, &companies, &mapped, &dismissed, 0.9).is_empty());
    }

    #[test]
    fn non_matches_are_not_suggested() {
        let tenants = [tenant("t", "Blue Yonder Airlines", &["blueyonder.onmicrosoft.com"])];
        let companies = [company(1, "Blue Sky Foods", Some("blueskyfoods.com"), true)];
        assert!(suggest(&tenants, &companies, &none(), &none(), 0.5).is_empty());
        // A free-mail web address is no evidence.
        let tenants = [tenant("t", "Margie's Travel", &["gmail.com"])];
        let companies = [company(1, "Alpine Ski House", Some("gmail.com"), true)];
        assert!(suggest(&tenants, &companies, &none(), &none(), 0.3).is_empty());
    }

    /// A deterministic pseudo-random name generator for the large test.
    struct Names(u64);

    impl Names {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            self.0 >> 33
        }

        fn word(&mut self) -> String {
            const SYLLABLES: &[&str] = &[
                "ka", "lo", "mar", "ven", "tis", "dor", "bel", "ri", "quan", "sol", "tra", "nex", "pi", "zu", "hal",
                "cor", "fen", "gri", "ost", "wel",
            ];
            let count = 2 + self.next() % 2;
            let mut word: String =
                (0..count).map(|_| SYLLABLES[(self.next() % SYLLABLES.len() as u64) as usize]).collect();
            if let Some(first) = word.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            word
        }

        fn company_name(&mut self) -> String {
            const KINDS: &[&str] =
                &["Dental", "Legal", "Builders", "Accounting", "Services", "Group", "Foods", "Clinic"];
            const SUFFIXES: &[&str] = &["", " LLC", " Inc", " Ltd", " Corp"];
            let kind = KINDS[(self.next() % KINDS.len() as u64) as usize];
            let suffix = SUFFIXES[(self.next() % SUFFIXES.len() as u64) as usize];
            format!("{} {kind}{suffix}", self.word())
        }
    }

    #[test]
    fn two_thousand_tenants_against_twenty_five_hundred_companies() {
        let mut names = Names(42);
        let companies: Vec<CompanyForMatching> = (0..2500)
            .map(|i| {
                let name = names.company_name();
                let web = (i % 3 == 0).then(|| format!("www.{}.com", normalize_company_name(&name).replace(' ', "")));
                company(i, &name, web.as_deref(), i % 17 != 0)
            })
            .collect();
        let tenants: Vec<TenantForMatching> = (0..2000)
            .map(|i| {
                if i % 2 == 0 {
                    // A counterpart of a company, spelt differently.
                    let c = &companies[(i * 5 / 4) as usize];
                    let name = format!("{} Limited", normalize_company_name(&c.name).to_uppercase());
                    let domain = format!("{}.onmicrosoft.com", normalize_company_name(&c.name).replace(' ', ""));
                    tenant(&format!("t{i:04}"), &name, &[&domain])
                } else {
                    tenant(&format!("t{i:04}"), &names.company_name(), &[])
                }
            })
            .collect();
        let got = suggest(&tenants, &companies, &none(), &none(), 0.6);
        let tenant_ids: HashSet<&str> = got.iter().map(|s| s.tenant_id.as_str()).collect();
        let company_ids: HashSet<CompanyId> = got.iter().map(|s| s.company_id).collect();
        assert_eq!(tenant_ids.len(), got.len());
        assert_eq!(company_ids.len(), got.len());
        // Most counterparts are found (some generated names collide, which is fine).
        assert!(got.len() >= 900, "only {} suggestions", got.len());
    }

    fn small_tenants() -> impl Strategy<Value = Vec<TenantForMatching>> {
        let words = prop_oneof![
            Just("Contoso"),
            Just("Fabrikam"),
            Just("Adatum"),
            Just("Blue"),
            Just("Sky"),
            Just("Dental"),
            Just("Foods"),
            Just("Ltd"),
            Just("Inc"),
            Just("Contosso")
        ];
        let domain =
            prop_oneof![Just("contoso.com"), Just("fabrikam.onmicrosoft.com"), Just("adatum.co.uk"), Just("gmail.com")];
        proptest::collection::vec(
            (0u8..12, proptest::collection::vec(words, 1..4), proptest::collection::vec(domain, 0..2)),
            0..10,
        )
        .prop_map(|rows| {
            rows.into_iter()
                .map(|(id, words, domains)| TenantForMatching {
                    tenant_id: format!("t{id}").into(),
                    name: words.join(" "),
                    domains: domains.into_iter().map(Into::into).collect(),
                })
                .collect()
        })
    }

    fn small_companies() -> impl Strategy<Value = Vec<CompanyForMatching>> {
        let words = prop_oneof![
            Just("Contoso"),
            Just("Fabrikam"),
            Just("Adatum"),
            Just("Blue"),
            Just("Sky"),
            Just("Dental"),
            Just("Foods"),
            Just("Corporation"),
            Just("LLC")
        ];
        let web = proptest::option::of(prop_oneof![
            Just("www.contoso.com"),
            Just("https://fabrikam.com/"),
            Just("adatum.co.uk")
        ]);
        proptest::collection::vec((0i64..15, proptest::collection::vec(words, 1..4), web, any::<bool>()), 0..12)
            .prop_map(|rows| {
                rows.into_iter()
                    .map(|(id, words, web, is_active)| CompanyForMatching {
                        id: CompanyId(id),
                        name: words.join(" "),
                        web_address: web.map(Into::into),
                        is_active,
                    })
                    .collect()
            })
    }

    proptest! {
        #[test]
        fn similarity_is_bounded_and_symmetric(a in "[A-Za-z&.,' ]{0,25}", b in "[A-Za-z&.,' ]{0,25}") {
            let ab = name_similarity(&a, &b);
            prop_assert!((0.0..=1.0).contains(&ab));
            prop_assert_eq!(ab, name_similarity(&b, &a));
            if !normalize_company_name(&a).is_empty() {
                prop_assert_eq!(name_similarity(&a, &a), 1.0);
            }
        }

        #[test]
        fn suggestions_respect_the_rules(
            tenants in small_tenants(),
            companies in small_companies(),
            mapped in proptest::collection::hash_set(0i64..15, 0..4),
            dismissed in proptest::collection::hash_set((0u8..12, 0i64..15), 0..6),
            min_confidence in 0.2f64..0.95,
        ) {
            let dismissed: HashSet<(TenantId, CompanyId)> =
                dismissed.into_iter().map(|(t, c)| (TenantId(format!("t{t}")), CompanyId(c))).collect();
            let mapped: HashSet<CompanyId> = mapped.into_iter().map(CompanyId).collect();
            let got = suggest(&tenants, &companies, &mapped, &dismissed, min_confidence);
            let tenant_ids: HashSet<&str> = got.iter().map(|s| s.tenant_id.as_str()).collect();
            let company_ids: HashSet<CompanyId> = got.iter().map(|s| s.company_id).collect();
            prop_assert_eq!(tenant_ids.len(), got.len());
            prop_assert_eq!(company_ids.len(), got.len());
            for s in &got {
                prop_assert!(!mapped.contains(&s.company_id));
                prop_assert!(!dismissed.contains(&(s.tenant_id.clone(), s.company_id)));
                prop_assert!(s.confidence >= min_confidence && s.confidence <= 1.0, "{}", s.confidence);
                prop_assert!(!s.reason.is_empty());
                prop_assert!(tenants.iter().any(|t| t.tenant_id == s.tenant_id));
                prop_assert!(companies.iter().any(|c| c.id == s.company_id));
            }
        }

        #[test]
        fn suggestions_ignore_input_order(
            (tenants, shuffled_tenants) in small_tenants().prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
            (companies, shuffled_companies) in small_companies().prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
        ) {
            prop_assert_eq!(
                suggest(&tenants, &companies, &none(), &none(), 0.4),
                suggest(&shuffled_tenants, &shuffled_companies, &none(), &none(), 0.4)
            );
        }
    }
}
