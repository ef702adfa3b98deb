//! Autotask query filters: `{"op":"eq","field":"id","value":1}` items, ANDed at the top level,
//! and the batching of `in` lists (at most 500 values: "500 or fewer OR conditions").

use chrono::NaiveDate;
use serde_json::{json, Value};

/// Most values one `in` condition may hold.
pub const MAX_IN: usize = 500;

/// One condition.
pub fn cond(op: &str, field: &str, value: impl Into<Value>) -> Value {
    json!({"op": op, "field": field, "value": value.into()})
}

/// Every record: Autotask requires a filter, and this is its documented "all".
pub fn all() -> Value {
    cond("gte", "id", 0)
}

pub fn eq(field: &str, value: impl Into<Value>) -> Value {
    cond("eq", field, value)
}

pub fn is_in(field: &str, values: &[i64]) -> Value {
    cond("in", field, values.to_vec())
}

/// A date as Autotask reads it in filters and bodies.
pub fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%dT00:00:00").to_string()
}

/// `ids` without repeats, in batches an `in` condition accepts.
pub fn batches(ids: &[i64]) -> Vec<Vec<i64>> {
    let mut seen = std::collections::HashSet::new();
    let unique: Vec<i64> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
    unique.chunks(MAX_IN).map(<[i64]>::to_vec).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_hold_at_most_500_distinct_ids() {
        let ids: Vec<i64> = (0..1203).chain(0..10).collect();
        let b = batches(&ids);
        assert_eq!(b.iter().map(Vec::len).collect::<Vec<_>>(), vec![500, 500, 203]);
        assert!(batches(&[]).is_empty());
        assert_eq!(is_in("companyID", &[1, 2]), json!({"op": "in", "field": "companyID", "value": [1, 2]}));
        assert_eq!(date(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()), "2026-03-01T00:00:00");
    }
}
