//! Amounts of money as people type them: `12.50`, `12,50`, `€ 7`, `1.250,00 EUR`, `$1,200`,
//! `1 250,50`, `1'250.50`. A value that could be read two ways (`1,250`: twelve hundred and
//! fifty, or one and a quarter?) is refused with the question, never guessed.

use std::fmt;

/// "1,234" (thousands grouped with commas, as the pages and tickets show counts).
pub fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// "$1,234.50" (the catalogue's prices are in the MSP's currency, shown with a dollar sign).
pub fn money(amount: f64) -> String {
    let cents = (amount * 100.0).round() as i64;
    let (sign, cents) = if cents < 0 { ("-", -cents) } else { ("", cents) };
    format!("{sign}${}.{:02}", count(cents / 100), cents % 100)
}

/// Why a text is not an amount.
#[derive(Debug, Clone, PartialEq)]
pub enum AmountError {
    /// Not a number at all.
    NotAnAmount(String),
    Negative(String),
    /// One separator followed by exactly three digits: a thousands separator or a decimal one.
    Ambiguous {
        text: String,
        as_thousands: f64,
        as_decimal: f64,
    },
}

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AmountError::NotAnAmount(t) => write!(f, "'{t}' is not an amount; write it like 12.50 or 12,50"),
            AmountError::Negative(t) => write!(f, "'{t}' is negative; an amount here cannot be"),
            AmountError::Ambiguous { text, as_thousands, as_decimal } => {
                write!(f, "did you mean {} or {}? '{text}' could be either; write it without the separator, or with two decimals", plain(*as_thousands), plain(*as_decimal))
            }
        }
    }
}

impl std::error::Error for AmountError {}

fn plain(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Currency signs and codes people put before or after an amount.
const CURRENCIES: &[&str] =
    &["$", "€", "£", "¥", "₹", "usd", "eur", "gbp", "aud", "cad", "nzd", "chf", "sek", "nok", "dkk", "zar", "kr"];

/// Separators people put between thousands besides `.` and `,`.
fn is_group_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\'' | '’')
}

/// The amount in `text`, `None` when it is blank.
pub fn parse_amount(text: &str) -> Result<Option<f64>, AmountError> {
    let original = text.trim();
    let not = || AmountError::NotAnAmount(original.to_string());
    let mut t = original.to_lowercase();
    // A sign or code on either side, with or without a space.
    for _ in 0..2 {
        let trimmed = t.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{202f}').to_string();
        t = CURRENCIES
            .iter()
            .find_map(|c| trimmed.strip_prefix(c).or_else(|| trimmed.strip_suffix(c)).map(str::to_string))
            .unwrap_or(trimmed);
    }
    let t = t.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{202f}');
    if t.is_empty() {
        return if original.is_empty() { Ok(None) } else { Err(not()) };
    }
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, t),
    };
    if !t.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',' || is_group_space(c))
        || !t.starts_with(|c: char| c.is_ascii_digit())
    {
        return Err(not());
    }
    // Spaces and apostrophes only ever group thousands.
    let spaced = t.chars().any(is_group_space);
    let t: String = t.chars().filter(|c| !is_group_space(*c)).collect();
    let value = read_separators(&t, spaced, original)?;
    if negative && value != 0.0 {
        return Err(AmountError::Negative(original.to_string()));
    }
    Ok(Some(value))
}

/// `digits` holds digits, `.` and `,` only. `grouped`: spaces grouped its thousands, so a lone
/// `.` or `,` can only be the decimal separator.
fn read_separators(digits: &str, grouped: bool, original: &str) -> Result<f64, AmountError> {
    let not = || AmountError::NotAnAmount(original.to_string());
    let number = |int: &str, frac: &str| -> Result<f64, AmountError> {
        let text = if frac.is_empty() { int.to_string() } else { format!("{int}.{frac}") };
        text.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(not)
    };
    let last_dot = digits.rfind('.');
    let last_comma = digits.rfind(',');
    // The decimal separator, if any, and the one between thousands.
    let (decimal, group) = match (last_dot, last_comma) {
        (None, None) => return number(digits, ""),
        // Both: the last one is the decimal separator, the other groups thousands.
        (Some(d), Some(c)) => {
            if d > c {
                (Some('.'), ',')
            } else {
                (Some(','), '.')
            }
        }
        (Some(_), None) | (None, Some(_)) => {
            let sep = if last_dot.is_some() { '.' } else { ',' };
            let other = if sep == '.' { ',' } else { '.' };
            let count = digits.matches(sep).count();
            let (int, frac) = digits.rsplit_once(sep).expect("the separator is there");
            if count > 1 {
                // Only thousands are written with the same separator more than once.
                (None, sep)
            } else if grouped || frac.len() != 3 || int == "0" || int.len() > 3 {
                (Some(sep), other)
            } else {
                let as_thousands = number(&format!("{int}{frac}"), "")?;
                let as_decimal = number(int, frac)?;
                return Err(AmountError::Ambiguous { text: original.to_string(), as_thousands, as_decimal });
            }
        }
    };
    let (int, frac) = match decimal {
        Some(sep) => digits.rsplit_once(sep).expect("the separator is there"),
        None => (digits, ""),
    };
    if frac.contains(['.', ',']) || frac.is_empty() && decimal.is_some() {
        return Err(not());
    }
    let groups: Vec<&str> = int.split(group).collect();
    let well_grouped = groups.len() == 1
        || (!groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
    if !well_grouped || int.contains(decimal.unwrap_or('\0')) {
        return Err(not());
    }
    number(&groups.concat(), frac)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ok(text: &str) -> f64 {
        parse_amount(text).unwrap_or_else(|e| panic!("{text}: {e}")).unwrap_or_else(|| panic!("{text}: blank"))
    }

    #[test]
    fn amounts_as_people_write_them() {
        assert_eq!(ok("12,50"), 12.5);
        assert_eq!(ok("12.50"), 12.5);
        assert_eq!(ok("€ 7"), 7.0);
        assert_eq!(ok("7 €"), 7.0);
        assert_eq!(ok("€7,5"), 7.5);
        assert_eq!(ok("$1,200.00"), 1200.0);
        assert_eq!(ok("1.250,00 EUR"), 1250.0);
        assert_eq!(ok("EUR 12,50"), 12.5);
        assert_eq!(ok("1 250,50"), 1250.5);
        assert_eq!(ok("1\u{a0}250"), 1250.0);
        assert_eq!(ok("1'250.50"), 1250.5);
        assert_eq!(ok("1,250,000"), 1_250_000.0);
        assert_eq!(ok("1.250.000,5"), 1_250_000.5);
        assert_eq!(ok("0,125"), 0.125);
        assert_eq!(ok("1234.567"), 1234.567);
        assert_eq!(ok("22"), 22.0);
        assert_eq!(ok("  £ 3.99 "), 3.99);
        assert_eq!(ok("-0"), 0.0);
        assert_eq!(parse_amount("  ").unwrap(), None);
    }

    #[test]
    fn an_ambiguous_value_is_a_question() {
        let e = parse_amount("1,250").unwrap_err();
        assert_eq!(e, AmountError::Ambiguous { text: "1,250".into(), as_thousands: 1250.0, as_decimal: 1.25 });
        assert!(e.to_string().starts_with("did you mean 1250 or 1.25?"), "{e}");
        assert!(matches!(parse_amount("12.500"), Err(AmountError::Ambiguous { .. })));
    }

    #[test]
    fn what_is_not_an_amount() {
        for bad in ["abc", "12,5,0", "1,2.5", "12.50.1", "1.2345,6", "€", "12,", ".5", "1e5", "12 abc", "--3", "12,50,"]
        {
            assert!(matches!(parse_amount(bad), Err(AmountError::NotAnAmount(_))), "{bad}: {:?}", parse_amount(bad));
        }
        assert!(matches!(parse_amount("-4,50"), Err(AmountError::Negative(_))));
    }

    /// `value` written with `thousands` between groups and `decimal` before two decimals.
    fn written(cents: u64, thousands: &str, decimal: char) -> String {
        let int = (cents / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i).is_multiple_of(3) {
                grouped.push_str(thousands);
            }
            grouped.push(c);
        }
        format!("{grouped}{decimal}{:02}", cents % 100)
    }

    proptest! {
        #[test]
        fn two_decimals_always_read_back(cents in 0u64..10_000_000_000, style in 0usize..5, sign in prop_oneof![Just(""), Just("€ "), Just("$"), Just(" EUR")]) {
            let (thousands, decimal) = [(",", '.'), (".", ','), (" ", ','), ("'", '.'), ("", '.')][style];
            let text = if sign.starts_with(' ') { format!("{}{sign}", written(cents, thousands, decimal)) } else { format!("{sign}{}", written(cents, thousands, decimal)) };
            let read = parse_amount(&text).unwrap().unwrap();
            prop_assert!((read - cents as f64 / 100.0).abs() < 1e-6, "{} read as {}", text, read);
        }

        #[test]
        fn never_panics_and_never_reads_negative(text in "\\PC{0,16}") {
            if let Ok(Some(v)) = parse_amount(&text) {
                prop_assert!(v >= 0.0 && v.is_finite());
            }
        }
    }
}
