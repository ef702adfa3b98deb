//! Deserialisers that accept what vendors really send: numbers as strings, fractional numbers
//! where integers are documented.

use serde::{Deserialize, Deserializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrText {
    Int(i64),
    Float(f64),
    Text(String),
}

/// An integer sent as a number, a fractional number or a string.
/// Generic over what the integer becomes, so ids decode into their types.
pub fn int<'de, D: Deserializer<'de>, T: From<i64>>(d: D) -> Result<T, D::Error> {
    let n = match NumberOrText::deserialize(d)? {
        NumberOrText::Int(i) => i,
        NumberOrText::Float(f) => f.round() as i64,
        NumberOrText::Text(s) => s.trim().parse::<f64>().map(|f| f.round() as i64).map_err(serde::de::Error::custom)?,
    };
    Ok(T::from(n))
}

/// Like [`int`], for optional fields (absent or null give `None`).
pub fn opt_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Option::<NumberOrText>::deserialize(d)? {
        None => Ok(None),
        Some(NumberOrText::Int(i)) => Ok(Some(i)),
        Some(NumberOrText::Float(f)) => Ok(Some(f.round() as i64)),
        Some(NumberOrText::Text(s)) if s.trim().is_empty() => Ok(None),
        Some(NumberOrText::Text(s)) => {
            s.trim().parse::<f64>().map(|f| Some(f.round() as i64)).map_err(serde::de::Error::custom)
        }
    }
}

/// Like [`int`], for fractional numbers (absent, null or empty give `None`).
pub fn opt_float<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    match Option::<NumberOrText>::deserialize(d)? {
        None => Ok(None),
        Some(NumberOrText::Int(i)) => Ok(Some(i as f64)),
        Some(NumberOrText::Float(f)) => Ok(Some(f)),
        Some(NumberOrText::Text(s)) if s.trim().is_empty() => Ok(None),
        Some(NumberOrText::Text(s)) => s.trim().parse::<f64>().map(Some).map_err(serde::de::Error::custom),
    }
}

/// Text sent as a string or a number (Autotask's picklist values are strings, usually).
pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match NumberOrText::deserialize(d)? {
        NumberOrText::Int(i) => Ok(i.to_string()),
        NumberOrText::Float(f) => Ok(f.to_string()),
        NumberOrText::Text(s) => Ok(s),
    }
}

/// `true`/`false`, also as text or 0/1; absent or null give `false`.
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Int(i64),
        Text(String),
    }
    Ok(match Option::<Flag>::deserialize(d)? {
        None => false,
        Some(Flag::Bool(b)) => b,
        Some(Flag::Int(i)) => i != 0,
        Some(Flag::Text(t)) => matches!(t.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes"),
    })
}

/// The calendar date a timestamp names, as written: `2026-03-01T00:00:00`, with `Z`, an offset
/// or fractions, or a bare date. The date part is taken as it stands (never shifted to UTC),
/// since a date-only field written at local midnight means that day.
pub fn parse_date(text: &str) -> Option<chrono::NaiveDate> {
    let text = text.trim();
    chrono::NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

/// A required date in any shape [`parse_date`] reads.
pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<chrono::NaiveDate, D::Error> {
    let text = String::deserialize(d)?;
    parse_date(&text).ok_or_else(|| serde::de::Error::custom(format!("'{text}' is not a date")))
}

/// An ISO-8601 timestamp with any number of fractional digits, `Z` or an offset (with or
/// without colon), or a bare date; empty strings are `None`.
pub fn opt_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<chrono::DateTime<chrono::Utc>>, D::Error> {
    let Some(text) = Option::<String>::deserialize(d)? else { return Ok(None) };
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    parse_time(text).map(Some).ok_or_else(|| serde::de::Error::custom(format!("'{text}' is not a timestamp")))
}

pub fn parse_time(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(t.and_utc());
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_every_shape_vendors_send() {
        let t = |s| parse_time(s).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true));
        assert_eq!(t("2021-01-14T16:57:15.0966728Z").as_deref(), Some("2021-01-14T16:57:15.096672Z"));
        assert_eq!(t("2023-08-11T11:33:12.314-0600").as_deref(), Some("2023-08-11T17:33:12.314000Z"));
        assert_eq!(t("2020-12-03").as_deref(), Some("2020-12-03T00:00:00.000000Z"));
        assert_eq!(t("2022-01-13T00:00:00").as_deref(), Some("2022-01-13T00:00:00.000000Z"));
        assert_eq!(t("next tuesday"), None);
    }

    #[test]
    fn dates_from_autotask_timestamps() {
        let d = |s| parse_date(s).map(|d| d.to_string());
        assert_eq!(d("2026-03-01T00:00:00").as_deref(), Some("2026-03-01"));
        assert_eq!(d("2026-03-01T00:00:00Z").as_deref(), Some("2026-03-01"));
        assert_eq!(d("2026-03-01T00:00:00.000-05:00").as_deref(), Some("2026-03-01"));
        assert_eq!(d("2026-03-01").as_deref(), Some("2026-03-01"));
        assert_eq!(d("03/01/2026"), None);
    }

    #[derive(Deserialize)]
    struct N {
        #[serde(deserialize_with = "int")]
        n: i64,
        #[serde(default, deserialize_with = "opt_int")]
        o: Option<i64>,
    }

    #[test]
    fn numbers_as_strings_or_floats() {
        let p = |s: &str| serde_json::from_str::<N>(s).map(|n| (n.n, n.o)).ok();
        assert_eq!(p(r#"{"n": "3600", "o": ""}"#), Some((3600, None)));
        assert_eq!(p(r#"{"n": 10.0}"#), Some((10, None)));
        assert_eq!(p(r#"{"n": 5, "o": "7"}"#), Some((5, Some(7))));
        assert_eq!(p(r#"{"n": "many"}"#), None);
    }
}
