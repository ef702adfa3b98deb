//! Name templates for the services and contracts SeatSync creates in the PSA.
//!
//! A template is text with `{placeholder}`s, e.g. `{product} ({term}, billed {billing})`. Each use
//! allows its own placeholders, so a typo is reported when the template is saved rather than
//! showing up later as a blank in hundreds of PSA records.

use serde::{Deserialize, Serialize};

/// Placeholders a service name may use.
/// `{term}` and `{billing}` are Partner Center's codes (`P1Y`, `annual`); `{term_words}` and
/// `{billing_words}` the same in words (`1 year`, `annually`), which is what belongs on an invoice.
pub const SERVICE_PLACEHOLDERS: &[&str] = &["product", "term", "term_words", "term_label", "billing", "billing_words"];
/// The service name SeatSync uses unless the MSP sets its own: "Microsoft 365 Business Basic
/// (1 year, billed monthly)". Service names reach customers' invoices, so no ISO codes.
pub const DEFAULT_SERVICE_TEMPLATE: &str = "{product} ({term_words}, billed {billing_words})";
/// Placeholders a contract name may use.
pub const CONTRACT_PLACEHOLDERS: &[&str] = &["company", "tenant", "term", "term_label", "start", "end"];
/// The contract name SeatSync uses unless the MSP sets its own.
pub const DEFAULT_CONTRACT_TEMPLATE: &str = "{company} - Microsoft {term_label} term from {start}";

/// Longest contract name Autotask accepts (`contractName`).
pub const AUTOTASK_CONTRACT_NAME_MAX: usize = 100;
/// Longest service name Autotask accepts (`name` of a service).
pub const AUTOTASK_SERVICE_NAME_MAX: usize = 150;

/// A checked name template. Positions in errors count characters from 1, as a person would.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    text: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Placeholder(String),
}

/// Why a template cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum TemplateError {
    #[error("the template is empty; write the name, using placeholders such as {{product}}")]
    Empty,
    #[error("unknown placeholder {{{name}}}; use one of {}", braced(.allowed))]
    UnknownPlaceholder { name: String, allowed: Vec<String> },
    #[error("empty placeholder {{}} at character {position}; use one of {}", braced(.allowed))]
    EmptyPlaceholder { position: usize, allowed: Vec<String> },
    #[error("the '{{' at character {position} is never closed; write {{{{ for a literal brace")]
    Unclosed { position: usize },
    #[error("the '}}' at character {position} closes nothing; write }}}} for a literal brace")]
    Unopened { position: usize },
}

fn braced(names: &[String]) -> String {
    names.iter().map(|n| format!("{{{n}}}")).collect::<Vec<_>>().join(", ")
}

impl Template {
    /// Checks `text` against the placeholders this use allows. `{{` and `}}` stand for literal
    /// braces.
    pub fn parse(text: &str, allowed: &[&str]) -> Result<Template, TemplateError> {
        if text.trim().is_empty() {
            return Err(TemplateError::Empty);
        }
        let allowed_list = || allowed.iter().map(|a| a.to_string()).collect::<Vec<_>>();
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut chars = text.chars().enumerate().peekable();
        while let Some((index, c)) = chars.next() {
            match c {
                '{' if chars.next_if(|(_, next)| *next == '{').is_some() => literal.push('{'),
                '}' if chars.next_if(|(_, next)| *next == '}').is_some() => literal.push('}'),
                '}' => return Err(TemplateError::Unopened { position: index + 1 }),
                '{' => {
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some((_, '}')) => break,
                            Some((_, '{')) | None => return Err(TemplateError::Unclosed { position: index + 1 }),
                            Some((_, other)) => name.push(other),
                        }
                    }
                    let name = name.trim();
                    if name.is_empty() {
                        return Err(TemplateError::EmptyPlaceholder { position: index + 1, allowed: allowed_list() });
                    }
                    if !allowed.contains(&name) {
                        return Err(TemplateError::UnknownPlaceholder {
                            name: name.to_string(),
                            allowed: allowed_list(),
                        });
                    }
                    if !literal.is_empty() {
                        parts.push(Part::Literal(std::mem::take(&mut literal)));
                    }
                    parts.push(Part::Placeholder(name.to_string()));
                }
                other => literal.push(other),
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        Ok(Template { text: text.to_string(), parts })
    }

    /// Fills in the placeholders. A placeholder without a value renders as nothing, so a name can
    /// still be made when, say, the billing cycle is unknown.
    pub fn render(&self, values: &[(&str, &str)]) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Placeholder(name) => {
                    if let Some((_, value)) = values.iter().find(|(key, _)| key == name) {
                        out.push_str(value);
                    }
                }
            }
        }
        out
    }

    /// The placeholders the template uses, in order of appearance.
    pub fn placeholders(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|part| match part {
            Part::Placeholder(name) => Some(name.as_str()),
            Part::Literal(_) => None,
        })
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// Makes a rendered name fit a PSA field: surrounding whitespace trimmed and at most `max_chars`
/// characters, cut at a character boundary. Autotask rejects longer names outright, so a long
/// product name must not stop a contract from being created.
pub fn fit_name(name: &str, max_chars: usize) -> String {
    let cut: String = name.trim().chars().take(max_chars).collect();
    // The cut may land after a space; a trailing space in a PSA name is just noise.
    cut.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn default_templates_parse_and_render() {
        let service = Template::parse(DEFAULT_SERVICE_TEMPLATE, SERVICE_PLACEHOLDERS).unwrap();
        assert_eq!(
            service.render(&[
                ("product", "Microsoft 365 Business Basic"),
                ("term_words", "1 year"),
                ("billing_words", "annually")
            ]),
            "Microsoft 365 Business Basic (1 year, billed annually)"
        );
        let contract = Template::parse(DEFAULT_CONTRACT_TEMPLATE, CONTRACT_PLACEHOLDERS).unwrap();
        assert_eq!(
            contract.render(&[("company", "Contoso Ltd"), ("term_label", "annual"), ("start", "2026-03-01")]),
            "Contoso Ltd - Microsoft annual term from 2026-03-01"
        );
        assert_eq!(contract.as_str(), DEFAULT_CONTRACT_TEMPLATE);
        assert_eq!(contract.placeholders().collect::<Vec<_>>(), ["company", "term_label", "start"]);
    }

    #[test]
    fn missing_values_render_empty_and_repeats_work() {
        let t = Template::parse("{product}/{billing}/{product}", SERVICE_PLACEHOLDERS).unwrap();
        assert_eq!(t.render(&[("product", "E3")]), "E3//E3");
    }

    #[test]
    fn doubled_braces_are_literal() {
        let t = Template::parse("{{{product}}} }}{{", SERVICE_PLACEHOLDERS).unwrap();
        assert_eq!(t.render(&[("product", "E5")]), "{E5} }{");
    }

    #[test]
    fn errors_say_what_to_fix() {
        assert_eq!(Template::parse("  ", SERVICE_PLACEHOLDERS), Err(TemplateError::Empty));
        let unknown = Template::parse("{produkt} x", SERVICE_PLACEHOLDERS).unwrap_err();
        assert_eq!(
            unknown.to_string(),
            "unknown placeholder {produkt}; use one of {product}, {term}, {term_words}, {term_label}, {billing}, {billing_words}"
        );
        assert_eq!(
            Template::parse("ab {product", SERVICE_PLACEHOLDERS).unwrap_err().to_string(),
            "the '{' at character 4 is never closed; write {{ for a literal brace"
        );
        assert_eq!(Template::parse("{pro{duct}", SERVICE_PLACEHOLDERS), Err(TemplateError::Unclosed { position: 1 }));
        assert_eq!(
            Template::parse("a } b", SERVICE_PLACEHOLDERS).unwrap_err().to_string(),
            "the '}' at character 3 closes nothing; write }} for a literal brace"
        );
        assert_eq!(
            Template::parse("x {}", &["a"]).unwrap_err().to_string(),
            "empty placeholder {} at character 3; use one of {a}"
        );
        assert!(matches!(
            Template::parse("{company}", SERVICE_PLACEHOLDERS),
            Err(TemplateError::UnknownPlaceholder { name, .. }) if name == "company"
        ));
    }

    #[test]
    fn fit_name_trims_and_cuts_on_characters() {
        assert_eq!(fit_name("  Contoso  ", 100), "Contoso");
        assert_eq!(fit_name("Ünïcødé name", 5), "Ünïcø");
        assert_eq!(fit_name("ab cd", 3), "ab");
        assert_eq!(fit_name("abc", 0), "");
        let long = "x".repeat(200);
        assert_eq!(fit_name(&long, AUTOTASK_CONTRACT_NAME_MAX).chars().count(), 100);
    }

    proptest! {
        #[test]
        fn literal_templates_render_as_written(text in "[^{}]{1,40}") {
            prop_assume!(!text.trim().is_empty());
            let t = Template::parse(&text, SERVICE_PLACEHOLDERS).unwrap();
            prop_assert_eq!(t.render(&[("product", "X")]), text);
        }

        #[test]
        fn escaped_braces_render_single(text in "[a-z{} ]{1,30}") {
            prop_assume!(!text.trim().is_empty());
            let escaped = text.replace('{', "{{").replace('}', "}}");
            let t = Template::parse(&escaped, &[]).unwrap();
            prop_assert_eq!(t.render(&[]), text);
        }

        #[test]
        fn fit_name_never_exceeds(name in "\\PC{0,60}", max in 0usize..50) {
            let fitted = fit_name(&name, max);
            prop_assert!(fitted.chars().count() <= max);
            prop_assert_eq!(fitted.trim(), fitted.as_str());
            prop_assert!(name.contains(fitted.as_str()));
        }
    }
}
