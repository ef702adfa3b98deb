//! Autotask's query language: `{"filter":[…],"includeFields":[…],"maxRecords":N}` with the
//! documented operators, nested `and`/`or` groups, case-insensitive keys and field names, and
//! values typed by the field they are compared with.

use chrono::NaiveDateTime;
use serde_json::{Map, Value};

use super::{
    schema::{Entity, Field, Kind},
    time::parse_time,
    Record,
};

/// Most records one page returns, and the default.
pub const MAX_RECORDS: usize = 500;
/// Most values an `in`/`notIn` or conditions an `or` may hold ("500 or fewer OR conditions").
pub const MAX_OR_CONDITIONS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    NotEq,
    Gt,
    Gte,
    Lt,
    Lte,
    BeginsWith,
    EndsWith,
    Contains,
    Exist,
    NotExist,
    In,
    NotIn,
}

#[derive(Debug, Clone)]
pub enum Operand {
    Num(f64),
    Text(String),
    Time(NaiveDateTime),
    Bool(bool),
}

impl Operand {
    fn cmp(&self, other: &Operand) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Operand::Num(a), Operand::Num(b)) => a.partial_cmp(b),
            (Operand::Text(a), Operand::Text(b)) => Some(a.cmp(b)),
            (Operand::Time(a), Operand::Time(b)) => Some(a.cmp(b)),
            (Operand::Bool(a), Operand::Bool(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Cond { field: &'static str, kind: Kind, op: Op, values: Vec<Operand> },
}

/// A parsed query.
#[derive(Debug, Clone)]
pub struct Query {
    pub filter: Filter,
    /// Fields to return (`id` always); all when `None`.
    pub include: Option<Vec<&'static str>>,
    pub max_records: usize,
}

/// A key of `obj` compared case-insensitively, as Autotask reads its input.
pub fn key<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
}

impl Query {
    /// Parses a query body; the error is the text Autotask would put in `errors`.
    pub fn parse(entity: &'static Entity, body: &Value) -> Result<Self, String> {
        let Some(obj) = body.as_object() else {
            return Err("The query must be a JSON object with a filter.".into());
        };
        let filter =
            match key(obj, "filter") {
                Some(Value::Array(items)) if !items.is_empty() => {
                    Filter::And(items.iter().map(|i| parse_item(entity, i)).collect::<Result<_, _>>()?)
                }
                Some(Value::Array(_)) | Some(Value::Null) | None => return Err(
                    r#"A filter is required. To return every record, filter on {"op":"gte","field":"id","value":0}."#
                        .into(),
                ),
                Some(_) => return Err("The filter must be an array of conditions.".into()),
            };
        let include = match key(obj, "includeFields") {
            None | Some(Value::Null) => None,
            Some(Value::Array(names)) if names.is_empty() => None,
            Some(Value::Array(names)) => {
                let mut fields = vec!["id"];
                for n in names {
                    let name = n.as_str().ok_or("includeFields must be a list of field names.")?;
                    let field = entity.field(name).ok_or_else(|| unknown_field(entity, name))?;
                    if !fields.contains(&field.name) {
                        fields.push(field.name);
                    }
                }
                Some(fields)
            }
            Some(_) => return Err("includeFields must be a list of field names.".into()),
        };
        let max_records = match key(obj, "maxRecords") {
            None | Some(Value::Null) => MAX_RECORDS,
            Some(v) => match whole(v) {
                Some(n) if (1..=MAX_RECORDS as i64).contains(&n) => n as usize,
                _ => return Err(format!("maxRecords must be a whole number from 1 to {MAX_RECORDS}.")),
            },
        };
        Ok(Self { filter, include, max_records })
    }

    pub fn matches(&self, record: &Record) -> bool {
        self.filter.matches(record)
    }

    /// The record as returned: only the included fields, `data` of attachments never.
    pub fn project(&self, record: &Record) -> Value {
        let mut out = match &self.include {
            None => record.clone(),
            Some(fields) => {
                fields.iter().map(|f| (f.to_string(), record.get(*f).cloned().unwrap_or(Value::Null))).collect()
            }
        };
        if out.contains_key("data") {
            out.insert("data".into(), Value::Null);
        }
        Value::Object(out)
    }
}

fn unknown_field(entity: &Entity, name: &str) -> String {
    format!("Unable to find {name} in the {} entity.", entity.name)
}

fn whole(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn parse_op(text: &str) -> Option<Op> {
    Some(match text.to_ascii_lowercase().as_str() {
        "eq" => Op::Eq,
        "noteq" => Op::NotEq,
        "gt" => Op::Gt,
        "gte" => Op::Gte,
        "lt" => Op::Lt,
        "lte" => Op::Lte,
        "beginswith" => Op::BeginsWith,
        "endswith" => Op::EndsWith,
        "contains" => Op::Contains,
        "exist" => Op::Exist,
        "notexist" => Op::NotExist,
        "in" => Op::In,
        "notin" => Op::NotIn,
        _ => return None,
    })
}

fn parse_item(entity: &'static Entity, item: &Value) -> Result<Filter, String> {
    let obj = item.as_object().ok_or("Each filter item must be an object with op, field and value.")?;
    let op_text = key(obj, "op").and_then(Value::as_str).ok_or("Each filter item needs an op.")?;
    if op_text.eq_ignore_ascii_case("and") || op_text.eq_ignore_ascii_case("or") {
        let items = match key(obj, "items") {
            Some(Value::Array(items)) if !items.is_empty() => items,
            _ => return Err(format!("The '{op_text}' group needs a non-empty items array.")),
        };
        if op_text.eq_ignore_ascii_case("or") && items.len() > MAX_OR_CONDITIONS {
            return Err(format!("Queries are limited to {MAX_OR_CONDITIONS} or fewer 'OR' conditions."));
        }
        let parsed = items.iter().map(|i| parse_item(entity, i)).collect::<Result<Vec<_>, _>>()?;
        return Ok(if op_text.eq_ignore_ascii_case("and") { Filter::And(parsed) } else { Filter::Or(parsed) });
    }
    let op = parse_op(op_text).ok_or_else(|| format!("'{op_text}' is not a valid filter operator."))?;
    let name =
        key(obj, "field").and_then(Value::as_str).ok_or_else(|| format!("The '{op_text}' condition needs a field."))?;
    if key(obj, "udf").and_then(Value::as_bool).unwrap_or(false) {
        return Err(format!("Unable to find the user-defined field {name} in the {} entity.", entity.name));
    }
    let field = entity.field(name).ok_or_else(|| unknown_field(entity, name))?;
    let value = key(obj, "value").unwrap_or(&Value::Null);
    let values = match op {
        Op::Exist | Op::NotExist => Vec::new(),
        Op::In | Op::NotIn => {
            let list = value
                .as_array()
                .ok_or_else(|| format!("The '{op_text}' condition on {} needs an array value.", field.name))?;
            if list.is_empty() {
                return Err(format!("The '{op_text}' condition on {} needs at least one value.", field.name));
            }
            if list.len() > MAX_OR_CONDITIONS {
                return Err(format!("Queries are limited to {MAX_OR_CONDITIONS} or fewer 'OR' conditions; the '{op_text}' on {} has {}.", field.name, list.len()));
            }
            list.iter().map(|v| operand(field, v)).collect::<Result<_, _>>()?
        }
        Op::BeginsWith | Op::EndsWith | Op::Contains if field.kind != Kind::String => {
            return Err(format!(
                "The '{op_text}' operator applies to text fields; {} is {}.",
                field.name,
                field.kind.name()
            ));
        }
        _ => vec![operand(field, value)?],
    };
    Ok(Filter::Cond { field: field.name, kind: field.kind, op, values })
}

/// A filter value typed by its field; booleans must be literal, dates must parse.
fn operand(field: &Field, v: &Value) -> Result<Operand, String> {
    let bad = || format!("The value {v} is not valid for the field {} ({}).", field.name, field.kind.name());
    match field.kind {
        k if k.is_number() => match v {
            Value::Number(n) => n.as_f64().map(Operand::Num).ok_or_else(bad),
            Value::String(s) => s.trim().parse::<f64>().map(Operand::Num).map_err(|_| bad()),
            _ => Err(bad()),
        },
        Kind::Boolean => v
            .as_bool()
            .map(Operand::Bool)
            .ok_or_else(|| format!("The field {} is boolean: compare it with literal true or false.", field.name)),
        Kind::DateTime => v.as_str().and_then(parse_time).map(Operand::Time).ok_or_else(bad),
        _ => match v {
            Value::String(s) => Ok(Operand::Text(s.to_lowercase())),
            Value::Number(n) => Ok(Operand::Text(n.to_string())),
            _ => Err(bad()),
        },
    }
}

/// A stored value as an operand of its field's kind; `None` for null or absent.
fn stored(kind: Kind, v: Option<&Value>) -> Option<Operand> {
    match (kind, v?) {
        (_, Value::Null) => None,
        (k, Value::Number(n)) if k.is_number() => n.as_f64().map(Operand::Num),
        (Kind::Boolean, Value::Bool(b)) => Some(Operand::Bool(*b)),
        (Kind::DateTime, Value::String(s)) => parse_time(s).map(Operand::Time),
        (_, Value::String(s)) => Some(Operand::Text(s.to_lowercase())),
        (_, Value::Number(n)) => Some(Operand::Text(n.to_string())),
        _ => None,
    }
}

impl Filter {
    fn matches(&self, record: &Record) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Filter::And(items) => items.iter().all(|f| f.matches(record)),
            Filter::Or(items) => items.iter().any(|f| f.matches(record)),
            Filter::Cond { field, kind, op, values } => {
                let got = stored(*kind, record.get(*field));
                let present = match &got {
                    None => false,
                    Some(Operand::Text(t)) => !t.is_empty(),
                    Some(_) => true,
                };
                match op {
                    Op::Exist => return present,
                    Op::NotExist => return !present,
                    _ => {}
                }
                // As in SQL, a null never matches a comparison.
                let Some(got) = got else { return false };
                let first = &values[0];
                let text = |f: fn(&str, &str) -> bool| match (&got, first) {
                    (Operand::Text(a), Operand::Text(b)) => f(a, b),
                    _ => false,
                };
                match op {
                    Op::Eq => got.cmp(first) == Some(Equal),
                    Op::NotEq => got.cmp(first).is_some_and(|o| o != Equal),
                    Op::Gt => got.cmp(first) == Some(Greater),
                    Op::Gte => matches!(got.cmp(first), Some(Greater | Equal)),
                    Op::Lt => got.cmp(first) == Some(Less),
                    Op::Lte => matches!(got.cmp(first), Some(Less | Equal)),
                    Op::BeginsWith => text(|a, b| a.starts_with(b)),
                    Op::EndsWith => text(|a, b| a.ends_with(b)),
                    Op::Contains => text(|a, b| a.contains(b)),
                    Op::In => values.iter().any(|v| got.cmp(v) == Some(Equal)),
                    Op::NotIn => !values.iter().any(|v| got.cmp(v) == Some(Equal)),
                    Op::Exist | Op::NotExist => unreachable!("handled above"),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::autotask::schema::entity;

    fn rec(v: Value) -> Record {
        v.as_object().unwrap().clone()
    }

    fn q(body: Value) -> Result<Query, String> {
        Query::parse(entity("Contracts").unwrap(), &body)
    }

    #[test]
    fn operators_and_groups() {
        let r = rec(
            json!({"id": 10, "companyID": 5, "contractName": "Blue Harbor - Microsoft annual term", "startDate": "2026-03-01T00:00:00Z", "endDate": "2027-02-28T00:00:00Z", "status": 1, "isDefaultContract": false, "description": null}),
        );
        let yes = |body: Value| assert!(q(body.clone()).unwrap().matches(&r), "{body}");
        let no = |body: Value| assert!(!q(body.clone()).unwrap().matches(&r), "{body}");
        yes(json!({"filter": [{"op": "eq", "field": "ContractName", "value": "blue harbor - microsoft ANNUAL term"}]}));
        yes(json!({"Filter": [{"Op": "in", "Field": "companyid", "Value": [1, "5", 9]}]}));
        no(json!({"filter": [{"op": "notIn", "field": "companyID", "value": [5]}]}));
        yes(
            json!({"filter": [{"op": "lte", "field": "startDate", "value": "2026-03-01"}, {"op": "gte", "field": "endDate", "value": "2027-02-28T00:00:00"}]}),
        );
        no(json!({"filter": [{"op": "gt", "field": "startDate", "value": "2026-03-01T00:00:00.000Z"}]}));
        yes(
            json!({"filter": [{"op": "or", "items": [{"op": "eq", "field": "id", "value": 3}, {"op": "and", "items": [{"op": "beginsWith", "field": "contractName", "value": "Blue"}, {"op": "endsWith", "field": "contractName", "value": "TERM"}]}]}]}),
        );
        yes(
            json!({"filter": [{"op": "notExist", "field": "description"}, {"op": "exist", "field": "contractName"}, {"op": "contains", "field": "contractName", "value": "annual"}]}),
        );
        yes(json!({"filter": [{"op": "eq", "field": "isDefaultContract", "value": false}]}));
        no(json!({"filter": [{"op": "noteq", "field": "description", "value": "x"}]}));
    }

    #[test]
    fn malformed_queries_are_refused_in_words() {
        let err = |body: Value| q(body).unwrap_err();
        assert!(err(json!({})).contains("filter is required"));
        assert!(err(json!({"filter": []})).contains("filter is required"));
        assert_eq!(
            err(json!({"filter": [{"op": "eq", "field": "nope", "value": 1}]})),
            "Unable to find nope in the Contracts entity."
        );
        assert!(
            err(json!({"filter": [{"op": "like", "field": "id", "value": 1}]})).contains("not a valid filter operator")
        );
        assert!(err(json!({"filter": [{"op": "eq", "field": "isDefaultContract", "value": "false"}]}))
            .contains("literal true or false"));
        assert!(err(json!({"filter": [{"op": "in", "field": "id", "value": (0..501).collect::<Vec<_>>()}]}))
            .contains("500 or fewer"));
        assert!(err(json!({"filter": [{"op": "gte", "field": "id", "value": 0}], "maxRecords": 501}))
            .contains("maxRecords"));
        assert!(err(json!({"filter": [{"op": "gte", "field": "id", "value": 0}], "includeFields": ["id", "bogus"]}))
            .contains("bogus"));
    }

    #[test]
    fn include_fields_keep_the_id() {
        let query = q(json!({"filter": [{"op": "gte", "field": "id", "value": 0}], "includeFields": ["contractName"], "maxRecords": 10})).unwrap();
        let out = query.project(&rec(json!({"id": 1, "contractName": "x", "status": 1})));
        assert_eq!(out, json!({"id": 1, "contractName": "x"}));
        assert_eq!(query.max_records, 10);
    }
}
