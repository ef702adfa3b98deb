//! The simulated Autotask database: records of every entity as JSON objects with Autotask's
//! field names, and the rules Autotask applies when they are written (required fields, picklists,
//! references, contract service units and adjustments, attachment limits).
//!
//! The HTTP side (routes, paging, limits) is in `vendors/autotask.rs`.

pub mod limits;
pub mod query;
pub mod schema;

use std::{
    collections::{BTreeMap, HashMap, VecDeque},
    time::{Duration, Instant},
};

use axum::http::StatusCode;
use base64::{engine::general_purpose::STANDARD, Engine};
use chrono::NaiveDate;
use serde_json::{json, Map, Value};

use schema::{Access, Child, Entity, Field, Kind};

/// One stored record.
pub type Record = Map<String, Value>;

/// The resource every record the simulator creates is attributed to (the API user).
pub const API_RESOURCE_ID: i64 = 29682885;
/// Largest attachment the API accepts.
pub const MAX_ATTACHMENT_BYTES: usize = 7 * 1024 * 1024;
/// Attachment bytes the API accepts per five minutes; beyond, uploads are blocked for five minutes.
pub const ATTACHMENT_BYTES_PER_5_MIN: usize = 10_000_000;
const ATTACHMENT_WINDOW: Duration = Duration::from_secs(300);

/// An error as Autotask sends it: a status and `{"errors":[…]}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub errors: Vec<String>,
}

impl ApiError {
    /// A validation or business error: Autotask answers these with HTTP 500.
    pub fn invalid(errors: Vec<String>) -> Self {
        Self { status: StatusCode::INTERNAL_SERVER_ERROR, errors }
    }
    pub fn one(message: impl Into<String>) -> Self {
        Self::invalid(vec![message.into()])
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self { status: StatusCode::NOT_FOUND, errors: vec![message.into()] }
    }
    pub fn not_allowed(message: impl Into<String>) -> Self {
        Self { status: StatusCode::METHOD_NOT_ALLOWED, errors: vec![message.into()] }
    }
}

/// Timestamps as Autotask writes and reads them.
pub mod time {
    use chrono::{DateTime, NaiveDate, NaiveDateTime, Timelike};

    /// `2026-03-01`, `2026-03-01T00:00:00`, with fractions, with `Z` or an offset.
    pub fn parse_time(text: &str) -> Option<NaiveDateTime> {
        let text = text.trim();
        if let Ok(t) = DateTime::parse_from_rfc3339(text) {
            return Some(t.naive_utc());
        }
        if let Ok(t) = NaiveDateTime::parse_from_str(text.trim_end_matches('Z'), "%Y-%m-%dT%H:%M:%S%.f") {
            return Some(t);
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0))
    }

    /// `2026-03-01T00:00:00Z`, with milliseconds when there are any.
    pub fn format_time(t: NaiveDateTime) -> String {
        if t.nanosecond() == 0 {
            t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
        } else {
            t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
        }
    }

    pub fn format_date(d: NaiveDate) -> String {
        format_time(d.and_hms_opt(0, 0, 0).unwrap_or_default())
    }
}

/// The MSP's Autotask database.
#[derive(Debug, Clone)]
pub struct Database {
    records: BTreeMap<&'static str, BTreeMap<i64, Record>>,
    next_id: i64,
    /// Which seeded company is which customer tenant (simulator-internal, never served).
    pub company_of_tenant: HashMap<String, i64>,
    attachment_log: VecDeque<(Instant, usize)>,
    attachments_blocked_until: Option<Instant>,
}

fn store_name(reference: &str) -> Option<&'static str> {
    Some(match reference {
        "Company" => "Companies",
        "Service" => "Services",
        "BillingCode" => "BillingCodes",
        "Resource" => "Resources",
        "Contract" => "Contracts",
        "ContractService" => "ContractServices",
        "Ticket" => "Tickets",
        _ => return None,
    })
}

fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

fn num(r: &Record, field: &str) -> Option<i64> {
    r.get(field).and_then(Value::as_i64)
}

fn date(r: &Record, field: &str) -> Option<chrono::NaiveDateTime> {
    r.get(field).and_then(Value::as_str).and_then(time::parse_time)
}

fn blank(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        _ => false,
    }
}

/// An input value converted to its field's type, or the error Autotask would give.
fn coerce(field: &Field, v: &Value) -> Result<Value, String> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let bad = || format!("The value {v} is not valid for the field {} ({}).", field.name, field.kind.name());
    let value = match field.kind {
        k if k.is_whole() => match v {
            Value::Number(n) => {
                n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)).map(Value::from)
            }
            Value::String(s) => s.trim().parse::<i64>().ok().map(Value::from),
            _ => None,
        }
        .ok_or_else(bad)?,
        k if k.is_number() => match v {
            Value::Number(n) => n.as_f64().map(Value::from),
            Value::String(s) => s.trim().parse::<f64>().ok().map(Value::from),
            _ => None,
        }
        .ok_or_else(bad)?,
        Kind::Boolean => Value::Bool(
            v.as_bool().ok_or_else(|| format!("The field {} is boolean: send literal true or false.", field.name))?,
        ),
        Kind::DateTime => Value::String(time::format_time(v.as_str().and_then(time::parse_time).ok_or_else(bad)?)),
        _ => match v {
            Value::String(s) => Value::String(s.clone()),
            Value::Number(n) => Value::String(n.to_string()),
            Value::Bool(b) => Value::String(b.to_string()),
            _ => return Err(bad()),
        },
    };
    if field.is_picklist() {
        let text = match &value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if !field.pick(&text).is_some_and(|p| p.active) {
            return Err(format!("The value {text} is not an active picklist value of the field {}.", field.name));
        }
    }
    if field.kind == Kind::String && field.length > 0 {
        if let Value::String(s) = &value {
            if s.chars().count() > field.length as usize {
                return Err(format!("The value of {} is longer than its {} characters.", field.name, field.length));
            }
        }
    }
    Ok(value)
}

impl Database {
    /// An empty database whose ids start after `first_id`.
    pub fn new(first_id: i64) -> Self {
        Self {
            records: schema::entities().iter().map(|e| (e.name, BTreeMap::new())).collect(),
            next_id: first_id,
            company_of_tenant: HashMap::new(),
            attachment_log: VecDeque::new(),
            attachments_blocked_until: None,
        }
    }

    fn table(&self, entity: &str) -> &BTreeMap<i64, Record> {
        static EMPTY: BTreeMap<i64, Record> = BTreeMap::new();
        schema::entity(entity).and_then(|e| self.records.get(e.name)).unwrap_or(&EMPTY)
    }

    fn table_mut(&mut self, entity: &'static str) -> &mut BTreeMap<i64, Record> {
        self.records.entry(entity).or_default()
    }

    pub fn count(&self, entity: &str) -> usize {
        self.table(entity).len()
    }

    pub fn get(&self, entity: &str, id: i64) -> Option<&Record> {
        self.table(entity).get(&id)
    }

    /// Every record of `entity`, by id.
    pub fn all(&self, entity: &str) -> impl Iterator<Item = &Record> {
        self.table(entity).values()
    }

    /// The id the next stored record gets.
    pub fn next_id(&self) -> i64 {
        self.next_id + 1
    }

    /// Stores `record` as it is (the seed), giving it the next id.
    pub fn insert(&mut self, entity: &'static str, mut record: Record) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        record.insert("id".into(), json!(id));
        self.table_mut(entity).insert(id, record);
        id
    }

    /// Stores `record` under the id it carries (the seed's fixed ids such as company 0).
    pub fn insert_with_id(&mut self, entity: &'static str, id: i64, mut record: Record) {
        record.insert("id".into(), json!(id));
        self.next_id = self.next_id.max(id);
        self.table_mut(entity).insert(id, record);
    }

    /// `body` with its keys mapped to the entity's field names and values typed; unknown keys
    /// are ignored, read-only fields too (except `id`, which updates need).
    fn input(entity: &Entity, body: &Value, errors: &mut Vec<String>) -> Record {
        let mut out = Record::new();
        let Some(obj) = body.as_object() else {
            errors.push(format!("The body must be a {} object.", entity.name));
            return out;
        };
        for (k, v) in obj {
            let Some(field) = entity.field(k) else { continue };
            if field.read_only && field.name != "id" {
                continue;
            }
            match coerce(field, v) {
                Ok(v) => {
                    out.insert(field.name.to_string(), v);
                }
                Err(e) => errors.push(e),
            }
        }
        out
    }

    /// Required fields, references and the entity's own rules over a complete record.
    fn check(&self, entity: &Entity, r: &Record, errors: &mut Vec<String>) {
        for f in entity.fields.iter().filter(|f| f.required && !f.read_only) {
            if blank(r.get(f.name)) {
                errors.push(format!("Value does not exist for the required field {}.", f.name));
            }
        }
        for f in &entity.fields {
            let (Some(reference), Some(id)) = (f.reference, num(r, f.name)) else { continue };
            if let Some(table) = store_name(reference) {
                if self.get(table, id).is_none() {
                    errors.push(format!("Reference value on field: {} of type: {reference} does not exist.", f.name));
                }
            }
        }
        match entity.name {
            "Contracts" => {
                if let (Some(start), Some(end)) = (date(r, "startDate"), date(r, "endDate")) {
                    if end < start {
                        errors.push("The contract's endDate cannot be before its startDate.".into());
                    }
                }
                let recurring = entity.pick_value("contractType", "Recurring Service");
                if num(r, "contractType") == Some(recurring) && blank(r.get("contractPeriodType")) {
                    errors.push("Value does not exist for the required field contractPeriodType.".into());
                }
            }
            "Tickets" => {
                if blank(r.get("queueID")) && blank(r.get("assignedResourceID")) {
                    errors.push("A ticket needs a queueID or an assignedResourceID.".into());
                }
                if !blank(r.get("assignedResourceID")) && blank(r.get("assignedResourceRoleID")) {
                    errors.push("Value does not exist for the required field assignedResourceRoleID.".into());
                }
            }
            "TicketNotes" if blank(r.get("title")) && blank(r.get("description")) => {
                errors.push("Value does not exist for the required field description.".into());
            }
            _ => {}
        }
    }

    /// Creates a record (`POST /{Entity}` or `POST /{Parent}/{id}/{Child}`); returns its id.
    pub fn create(
        &mut self,
        entity: &'static Entity,
        body: &Value,
        parent: Option<(&Child, i64)>,
    ) -> Result<i64, ApiError> {
        if entity.name == "ContractServiceAdjustments" {
            return self.adjust(body, parent.map(|(_, id)| id));
        }
        let mut errors = Vec::new();
        let mut r = Self::input(entity, body, &mut errors);
        r.remove("id");
        if let Some((child, parent_id)) = parent {
            self.link_parent(child, parent_id, &mut r)?;
        }
        for f in entity.fields.iter().filter(|f| !f.required && !f.read_only) {
            if r.contains_key(f.name) {
                continue;
            }
            let default = f
                .picklist
                .iter()
                .find(|p| p.default && p.active)
                .map(|p| p.value.parse::<i64>().map(Value::from).unwrap_or_else(|_| json!(p.value)));
            r.insert(f.name.to_string(), default.unwrap_or(Value::Null));
        }
        let stamp = json!(time::format_time(now()));
        match entity.name {
            "Companies" => {
                if blank(r.get("isActive")) {
                    r.insert("isActive".into(), json!(true));
                }
                r.insert("createDate".into(), stamp.clone());
                r.insert("lastActivityDate".into(), stamp);
            }
            "Services" => {
                if blank(r.get("isActive")) {
                    r.insert("isActive".into(), json!(true));
                }
                r.insert("lastModifiedDate".into(), stamp);
            }
            "Contracts" => {
                if blank(r.get("isDefaultContract")) {
                    r.insert("isDefaultContract".into(), json!(false));
                }
                r.insert("lastModifiedDateTime".into(), stamp);
            }
            "Tickets" => {
                r.insert("createDate".into(), stamp.clone());
                r.insert("lastActivityDate".into(), stamp);
            }
            "TicketNotes" => {
                r.insert("createDateTime".into(), stamp.clone());
                r.insert("lastActivityDate".into(), stamp);
                r.insert("creatorResourceID".into(), json!(API_RESOURCE_ID));
            }
            "TicketAttachments" => {
                r.insert("attachDate".into(), stamp);
            }
            _ => {}
        }
        self.check(entity, &r, &mut errors);
        if !errors.is_empty() {
            return Err(ApiError::invalid(errors));
        }
        match entity.name {
            "ContractServices" => return self.add_contract_service(r),
            "TicketAttachments" => self.accept_attachment(&mut r)?,
            _ => {}
        }
        let id = self.insert(entity.name, r);
        if entity.name == "Tickets" {
            let number = format!("T{}.{:04}", chrono::Utc::now().format("%Y%m%d"), self.count("Tickets"));
            if let Some(t) = self.table_mut("Tickets").get_mut(&id) {
                t.insert("ticketNumber".into(), json!(number));
            }
        }
        Ok(id)
    }

    /// Sets the parent link of a child created or updated through its parent's URL.
    fn link_parent(&self, child: &Child, parent_id: i64, r: &mut Record) -> Result<(), ApiError> {
        if self.get(child.parent, parent_id).is_none() {
            return Err(ApiError::not_found(format!("No {} with id {parent_id} was found.", child.parent)));
        }
        if let Some(given) = num(r, child.parent_field) {
            if given != parent_id {
                return Err(ApiError::one(format!(
                    "The {} {given} in the body does not match the {parent_id} in the URL.",
                    child.parent_field
                )));
            }
        }
        r.insert(child.parent_field.to_string(), json!(parent_id));
        Ok(())
    }

    fn contract_service_of(&self, contract_id: i64, service_id: i64) -> Option<i64> {
        self.all("ContractServices")
            .find(|cs| num(cs, "contractID") == Some(contract_id) && num(cs, "serviceID") == Some(service_id))
            .and_then(|cs| num(cs, "id"))
    }

    /// A contract service and its units row (0 units over the contract's term).
    fn add_contract_service(&mut self, mut r: Record) -> Result<i64, ApiError> {
        let (Some(contract_id), Some(service_id)) = (num(&r, "contractID"), num(&r, "serviceID")) else {
            return Err(ApiError::one("Value does not exist for the required field serviceID."));
        };
        if self.contract_service_of(contract_id, service_id).is_some() {
            return Err(ApiError::one(format!("The service {service_id} is already on the contract {contract_id}.")));
        }
        let service = self.get("Services", service_id).cloned().unwrap_or_default();
        for (field, from) in [("unitPrice", "unitPrice"), ("unitCost", "unitCost")] {
            if blank(r.get(field)) {
                r.insert(field.into(), service.get(from).cloned().unwrap_or(Value::Null));
            }
        }
        let price = r.get("unitPrice").cloned().unwrap_or(Value::Null);
        r.insert("adjustedPrice".into(), price.clone());
        r.insert("internalCurrencyUnitPrice".into(), price.clone());
        r.insert("internalCurrencyAdjustedPrice".into(), price);
        let id = self.insert("ContractServices", r);
        let contract = self.get("Contracts", contract_id).cloned().unwrap_or_default();
        let contract_service = self.get("ContractServices", id).cloned().unwrap_or_default();
        self.insert_units(&contract, &contract_service, 0);
        Ok(id)
    }

    /// The units row of a contract service over its contract's term, priced as the service is.
    fn insert_units(&mut self, contract: &Record, contract_service: &Record, units: i64) {
        let price = contract_service.get("unitPrice").cloned().unwrap_or(Value::Null);
        let cost = contract_service.get("unitCost").cloned().unwrap_or(Value::Null);
        let mut row = Record::new();
        row.insert("contractID".into(), contract_service.get("contractID").cloned().unwrap_or(Value::Null));
        row.insert("contractServiceID".into(), contract_service.get("id").cloned().unwrap_or(Value::Null));
        row.insert("serviceID".into(), contract_service.get("serviceID").cloned().unwrap_or(Value::Null));
        row.insert("startDate".into(), contract.get("startDate").cloned().unwrap_or(Value::Null));
        row.insert("endDate".into(), contract.get("endDate").cloned().unwrap_or(Value::Null));
        row.insert("units".into(), json!(units));
        row.insert("internalCurrencyPrice".into(), price.clone());
        row.insert("price".into(), price);
        row.insert("cost".into(), cost);
        row.insert("approveAndPostDate".into(), Value::Null);
        row.insert("vendorCompanyID".into(), Value::Null);
        self.insert("ContractServiceUnits", row);
    }

    /// Seeds a contract service with `units` (the seed's way of saying what adjustments made).
    pub fn seed_contract_service(&mut self, contract_id: i64, service_id: i64, units: i64) -> i64 {
        let service = self.get("Services", service_id).cloned().unwrap_or_default();
        let mut r = Record::new();
        r.insert("contractID".into(), json!(contract_id));
        r.insert("serviceID".into(), json!(service_id));
        r.insert("unitPrice".into(), service.get("unitPrice").cloned().unwrap_or(Value::Null));
        r.insert("unitCost".into(), service.get("unitCost").cloned().unwrap_or(Value::Null));
        r.insert("invoiceDescription".into(), service.get("invoiceDescription").cloned().unwrap_or(Value::Null));
        r.insert("internalDescription".into(), Value::Null);
        r.insert("quoteItemID".into(), Value::Null);
        let id = self.add_contract_service(r).unwrap_or_default();
        if let Some(row) =
            self.table_mut("ContractServiceUnits").values_mut().find(|u| num(u, "contractServiceID") == Some(id))
        {
            row.insert("units".into(), json!(units));
        }
        id
    }

    /// `POST /ContractServiceAdjustments`: changes a contract service's units by `unitChange`,
    /// creating the contract service when it is not on the contract yet.
    fn adjust(&mut self, body: &Value, contract_from_url: Option<i64>) -> Result<i64, ApiError> {
        let entity = schema::entity("ContractServiceAdjustments").expect("adjustments are in the schema");
        let mut errors = Vec::new();
        let mut r = Self::input(entity, body, &mut errors);
        r.remove("id");
        if let Some(contract_id) = contract_from_url {
            let child = schema::child("Contracts", "ServiceAdjustments").expect("adjustments are a child of contracts");
            self.link_parent(child, contract_id, &mut r)?;
        }
        self.check(entity, &r, &mut errors);
        if !errors.is_empty() {
            return Err(ApiError::invalid(errors));
        }
        let contract_id = num(&r, "contractID").unwrap_or_default();
        let service_id = num(&r, "serviceID").unwrap_or_default();
        let change = num(&r, "unitChange").unwrap_or_default();
        let contract = self.get("Contracts", contract_id).cloned().unwrap_or_default();
        let effective = date(&r, "effectiveDate").unwrap_or_default();
        if let (Some(start), Some(end)) = (date(&contract, "startDate"), date(&contract, "endDate")) {
            if effective.date() < start.date() || effective.date() > end.date() {
                return Err(ApiError::one(format!(
                    "The effectiveDate {} is outside the contract's period {} to {}.",
                    effective.date(),
                    start.date(),
                    end.date()
                )));
            }
        }
        let contract_service_id = match self.contract_service_of(contract_id, service_id) {
            Some(cs) => {
                let on = |u: &Record| {
                    date(u, "startDate").is_none_or(|s| s.date() <= effective.date())
                        && date(u, "endDate").is_none_or(|e| e.date() >= effective.date())
                };
                let rows = self.table_mut("ContractServiceUnits");
                let mut matching: Vec<&mut Record> =
                    rows.values_mut().filter(|u| num(u, "contractServiceID") == Some(cs)).collect();
                let row_index = matching.iter().position(|u| on(u)).unwrap_or(0);
                if let Some(row) = matching.get_mut(row_index) {
                    let units = num(row, "units").unwrap_or(0) + change;
                    if units < 0 {
                        return Err(ApiError::one(format!("The adjustment would leave {units} units of service {service_id} on contract {contract_id}; units cannot be negative.")));
                    }
                    row.insert("units".into(), json!(units));
                }
                cs
            }
            None => {
                if change < 0 {
                    return Err(ApiError::one(format!("The adjustment would leave {change} units of service {service_id} on contract {contract_id}; units cannot be negative.")));
                }
                let mut cs = Record::new();
                cs.insert("contractID".into(), json!(contract_id));
                cs.insert("serviceID".into(), json!(service_id));
                cs.insert("unitPrice".into(), r.get("adjustedUnitPrice").cloned().unwrap_or(Value::Null));
                cs.insert("unitCost".into(), r.get("adjustedUnitCost").cloned().unwrap_or(Value::Null));
                cs.insert("invoiceDescription".into(), Value::Null);
                cs.insert("internalDescription".into(), Value::Null);
                cs.insert("quoteItemID".into(), Value::Null);
                let id = self.add_contract_service(cs)?;
                if let Some(row) = self
                    .table_mut("ContractServiceUnits")
                    .values_mut()
                    .find(|u| num(u, "contractServiceID") == Some(id))
                {
                    row.insert("units".into(), json!(change));
                }
                id
            }
        };
        r.insert("contractServiceID".into(), json!(contract_service_id));
        for f in &entity.fields {
            r.entry(f.name.to_string()).or_insert(Value::Null);
        }
        r.remove("id");
        Ok(self.insert("ContractServiceAdjustments", r))
    }

    /// Checks an attachment's size and the five-minute volume; records its size.
    fn accept_attachment(&mut self, r: &mut Record) -> Result<(), ApiError> {
        let is_file = r.get("attachmentType").and_then(Value::as_str) == Some("FILE_ATTACHMENT");
        let size = match r.get("data").and_then(Value::as_str) {
            Some(data) => STANDARD
                .decode(data.trim())
                .map_err(|_| ApiError::one("The attachment's data is not valid base64."))?
                .len(),
            None if is_file => return Err(ApiError::one("Value does not exist for the required field data.")),
            None => 0,
        };
        if size > MAX_ATTACHMENT_BYTES {
            return Err(ApiError::one(format!(
                "The attachment is {size} bytes; the API accepts files of at most 7 MB."
            )));
        }
        let now = Instant::now();
        if let Some(until) = self.attachments_blocked_until {
            if until > now {
                return Err(ApiError::one(
                    "Attachment uploads are blocked for 5 minutes: more than 10,000,000 bytes were sent in 5 minutes.",
                ));
            }
            self.attachments_blocked_until = None;
        }
        while self.attachment_log.front().is_some_and(|(t, _)| now.duration_since(*t) > ATTACHMENT_WINDOW) {
            self.attachment_log.pop_front();
        }
        let recent: usize = self.attachment_log.iter().map(|(_, n)| n).sum();
        if recent + size > ATTACHMENT_BYTES_PER_5_MIN {
            self.attachments_blocked_until = Some(now + ATTACHMENT_WINDOW);
            return Err(ApiError::one(
                "Attachment uploads are blocked for 5 minutes: more than 10,000,000 bytes were sent in 5 minutes.",
            ));
        }
        self.attachment_log.push_back((now, size));
        r.insert("fileSize".into(), json!(size));
        Ok(())
    }

    /// `PATCH /{Entity}` or `PATCH /{Parent}/{id}/{Child}`: changes the fields sent.
    pub fn update(
        &mut self,
        entity: &'static Entity,
        body: &Value,
        parent: Option<(&Child, i64)>,
    ) -> Result<i64, ApiError> {
        let mut errors = Vec::new();
        let mut changes = Self::input(entity, body, &mut errors);
        let Some(id) = num(&changes, "id") else {
            return Err(ApiError::one("Value does not exist for the required field id."));
        };
        let Some(existing) = self.get(entity.name, id).cloned() else {
            return Err(ApiError::not_found(format!("No {} with id {id} was found.", entity.name)));
        };
        if let Some((child, parent_id)) = parent {
            if num(&existing, child.parent_field) != Some(parent_id) {
                return Err(ApiError::not_found(format!(
                    "No {} with id {id} was found on {} {parent_id}.",
                    entity.name, child.parent
                )));
            }
        }
        // A contract service stays on its contract and service.
        if entity.name == "ContractServices" {
            for f in ["contractID", "serviceID"] {
                if changes.get(f).is_some_and(|v| Some(v) != existing.get(f)) {
                    errors.push(format!("The field {f} cannot be changed on an existing contract service."));
                }
            }
        }
        if let Some(child) = parent {
            changes.remove(child.0.parent_field);
        }
        let mut r = existing;
        for (k, v) in changes {
            r.insert(k, v);
        }
        self.check(entity, &r, &mut errors);
        if !errors.is_empty() {
            return Err(ApiError::invalid(errors));
        }
        let stamp = json!(time::format_time(now()));
        for f in ["lastModifiedDate", "lastModifiedDateTime", "lastActivityDate"] {
            if r.contains_key(f) {
                r.insert(f.into(), stamp.clone());
            }
        }
        self.table_mut(entity.name).insert(id, r);
        Ok(id)
    }

    /// Deletes a child record (only attachments allow it).
    pub fn delete_child(&mut self, child: &Child, parent_id: i64, id: i64) -> Result<i64, ApiError> {
        let entity = schema::entity(child.entity).expect("children are in the schema");
        if entity.name != "TicketAttachments" {
            return Err(ApiError::not_allowed(format!("{} cannot be deleted.", entity.name)));
        }
        match self.get(entity.name, id) {
            Some(r) if num(r, child.parent_field) == Some(parent_id) => {
                self.table_mut(entity.name).remove(&id);
                Ok(id)
            }
            _ => Err(ApiError::not_found(format!(
                "No {} with id {id} was found on {} {parent_id}.",
                entity.name, child.parent
            ))),
        }
    }

    /// Whether `entity` may be written at its own URL (not only through a parent).
    pub fn top_level_writes(entity: &Entity) -> (bool, bool) {
        match entity.access {
            Access::Full => (true, true),
            Access::CreateOnly => (true, false),
            Access::ChildWrites | Access::ReadOnly => (false, false),
        }
    }

    /// The seeded term of a contract, for tests and summaries.
    pub fn contract_term(&self, contract_id: i64) -> Option<(NaiveDate, NaiveDate)> {
        let c = self.get("Contracts", contract_id)?;
        Some((date(c, "startDate")?.date(), date(c, "endDate")?.date()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use schema::entity;

    fn db() -> Database {
        let mut db = Database::new(100);
        db.insert_with_id(
            "Companies",
            0,
            json!({"companyName": "Us", "companyType": 5, "isActive": true}).as_object().unwrap().clone(),
        );
        db.insert(
            "Companies",
            json!({"companyName": "Blue Harbor", "companyType": 1, "isActive": true}).as_object().unwrap().clone(),
        );
        db.insert("Services", json!({"name": "M365 BP (P1Y, billed monthly)", "unitPrice": 26.4, "unitCost": 22.0, "periodType": 3, "isActive": true}).as_object().unwrap().clone());
        db
    }

    fn contract(db: &mut Database) -> i64 {
        db.create(entity("Contracts").unwrap(), &json!({"companyID": 101, "contractName": "Blue Harbor - Microsoft annual term from 2026-03-01",
            "contractType": 7, "status": "1", "startDate": "2026-03-01", "endDate": "2027-02-28T00:00:00", "contractPeriodType": 2,
            "timeReportingRequiresStartAndStopTimes": 0}), None).unwrap()
    }

    #[test]
    fn validation_speaks_like_autotask() {
        let mut db = db();
        let contracts = entity("Contracts").unwrap();
        let err = db.create(contracts, &json!({"companyID": 101, "contractType": 7, "status": 1, "startDate": "2026-03-01", "endDate": "2026-02-01"}), None).unwrap_err();
        assert_eq!(err.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            err.errors.contains(&"Value does not exist for the required field contractName.".to_string()),
            "{err:?}"
        );
        assert!(err.errors.iter().any(|e| e.contains("endDate cannot be before")), "{err:?}");
        assert!(err.errors.iter().any(|e| e.contains("contractPeriodType")), "{err:?}");
        let err = db.create(contracts, &json!({"companyID": 999, "contractName": "x", "contractType": 2, "status": 1, "startDate": "2026-03-01", "endDate": "2026-04-01"}), None).unwrap_err();
        assert!(err.errors.iter().any(|e| e.contains("companyID of type: Company does not exist")), "{err:?}");
        assert!(
            err.errors.iter().any(|e| e.contains("not an active picklist value of the field contractType")),
            "{err:?}"
        );
    }

    #[test]
    fn adjustments_move_units_and_create_missing_services() {
        let mut db = db();
        let c = contract(&mut db);
        let child = schema::child("contracts", "services").unwrap();
        let cs = db.create(entity("ContractServices").unwrap(), &json!({"serviceID": 102}), Some((child, c))).unwrap();
        let units = |db: &Database| {
            db.all("ContractServiceUnits")
                .find(|u| num(u, "contractServiceID") == Some(cs))
                .and_then(|u| num(u, "units"))
        };
        assert_eq!(units(&db), Some(0));
        let adj = entity("ContractServiceAdjustments").unwrap();
        db.create(
            adj,
            &json!({"contractID": c, "serviceID": 102, "effectiveDate": "2026-05-01", "unitChange": 12}),
            None,
        )
        .unwrap();
        assert_eq!(units(&db), Some(12));
        let err = db
            .create(
                adj,
                &json!({"contractID": c, "serviceID": 102, "effectiveDate": "2026-05-01", "unitChange": -13}),
                None,
            )
            .unwrap_err();
        assert!(err.errors[0].contains("negative"), "{err:?}");
        assert_eq!(units(&db), Some(12));
        let err = db
            .create(
                adj,
                &json!({"contractID": c, "serviceID": 102, "effectiveDate": "2028-05-01", "unitChange": 1}),
                None,
            )
            .unwrap_err();
        assert!(err.errors[0].contains("outside the contract's period"), "{err:?}");

        // A service not on the contract yet is added by the adjustment.
        let s2 = db.insert(
            "Services",
            json!({"name": "Visio", "unitPrice": 18.0, "periodType": 3}).as_object().unwrap().clone(),
        );
        db.create(adj, &json!({"contractID": c, "serviceID": s2, "effectiveDate": "2026-03-01", "unitChange": 4, "adjustedUnitPrice": 17.5}), None).unwrap();
        let added = db.all("ContractServices").find(|r| num(r, "serviceID") == Some(s2)).unwrap().clone();
        assert_eq!(added["unitPrice"], json!(17.5));
        let row = db.all("ContractServiceUnits").find(|u| num(u, "serviceID") == Some(s2)).unwrap();
        assert_eq!(row["units"], json!(4));
        assert_eq!(row["startDate"], json!("2026-03-01T00:00:00Z"));
        assert_eq!(db.count("ContractServiceAdjustments"), 2);
    }

    #[test]
    fn attachments_are_limited_in_size_and_volume() {
        let mut db = db();
        let ticket = db
            .create(
                entity("Tickets").unwrap(),
                &json!({"companyID": 101, "title": "Report", "status": 1, "priority": 2, "queueID": 5}),
                None,
            )
            .unwrap();
        let child = schema::child("Tickets", "Attachments").unwrap();
        let attach = |db: &mut Database, bytes: usize| {
            let body = json!({"title": "f.bin", "attachmentType": "FILE_ATTACHMENT", "publish": 1, "data": STANDARD.encode(vec![1u8; bytes])});
            db.create(entity("TicketAttachments").unwrap(), &body, Some((child, ticket)))
        };
        assert!(attach(&mut db, MAX_ATTACHMENT_BYTES + 1).unwrap_err().errors[0].contains("7 MB"));
        for _ in 0..3 {
            attach(&mut db, 3_000_000).unwrap();
        }
        assert!(attach(&mut db, 1_000_001).unwrap_err().errors[0].contains("blocked for 5 minutes"));
        assert!(attach(&mut db, 10).is_err(), "blocked, even for a small file");
        let stored = db.all("TicketAttachments").next().unwrap();
        assert_eq!((stored["fileSize"].clone(), stored["parentID"].clone()), (json!(3_000_000), json!(ticket)));
    }
}
