//! The entities the simulated Autotask database holds: their fields, types, picklists and what
//! the API lets a caller do with each, served as `entityInformation` and used to validate input
//! and to type filter values.

use std::sync::OnceLock;

use serde_json::{json, Value};

/// A field's data type, as `entityInformation/fields` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Integer,
    Long,
    Double,
    Decimal,
    String,
    DateTime,
    Boolean,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Integer => "integer",
            Kind::Long => "long",
            Kind::Double => "double",
            Kind::Decimal => "decimal",
            Kind::String => "string",
            Kind::DateTime => "datetime",
            Kind::Boolean => "boolean",
        }
    }

    pub fn is_whole(self) -> bool {
        matches!(self, Kind::Integer | Kind::Long)
    }

    pub fn is_number(self) -> bool {
        matches!(self, Kind::Integer | Kind::Long | Kind::Double | Kind::Decimal)
    }
}

/// One entry of a picklist. Autotask serves `value` as a string even for integer fields.
#[derive(Debug, Clone)]
pub struct Pick {
    pub value: &'static str,
    pub label: &'static str,
    pub active: bool,
    pub default: bool,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub length: u32,
    pub required: bool,
    pub read_only: bool,
    pub reference: Option<&'static str>,
    pub picklist: Vec<Pick>,
}

impl Field {
    fn new(name: &'static str, kind: Kind) -> Self {
        let length = if kind == Kind::String { 100 } else { 0 };
        Self { name, kind, length, required: false, read_only: false, reference: None, picklist: Vec::new() }
    }
    fn req(mut self) -> Self {
        self.required = true;
        self
    }
    fn ro(mut self) -> Self {
        self.read_only = true;
        self
    }
    fn len(mut self, n: u32) -> Self {
        self.length = n;
        self
    }
    fn refs(mut self, entity: &'static str) -> Self {
        self.reference = Some(entity);
        self
    }
    /// `(value, label)` pairs; a label starting with `~` is inactive, one starting with `*` the default.
    fn picks(mut self, values: &[(&'static str, &'static str)]) -> Self {
        self.picklist = values
            .iter()
            .map(|(value, label)| Pick {
                value,
                label: label.trim_start_matches(['~', '*']),
                active: !label.starts_with('~'),
                default: label.starts_with('*'),
            })
            .collect();
        self
    }

    pub fn is_picklist(&self) -> bool {
        !self.picklist.is_empty()
    }

    /// The active entry whose value is `value`.
    pub fn pick(&self, value: &str) -> Option<&Pick> {
        self.picklist.iter().find(|p| p.value == value)
    }

    pub fn pick_labelled(&self, label: &str) -> Option<&Pick> {
        self.picklist.iter().find(|p| p.label.eq_ignore_ascii_case(label))
    }

    /// The field as `entityInformation/fields` lists it.
    pub fn info(&self) -> Value {
        json!({
            "name": self.name,
            "dataType": self.kind.name(),
            "length": self.length,
            "isRequired": self.required,
            "isReadOnly": self.read_only,
            "isQueryable": true,
            "isReference": self.reference.is_some(),
            "referenceEntityType": self.reference.unwrap_or(""),
            "isPickList": self.is_picklist(),
            "picklistValues": if self.is_picklist() {
                Value::Array(self.picklist.iter().enumerate().map(|(i, p)| json!({
                    "value": p.value,
                    "label": p.label,
                    "isDefaultValue": p.default,
                    "sortOrder": i + 1,
                    "parentValue": "",
                    "isActive": p.active,
                    "isSystem": true,
                })).collect())
            } else {
                Value::Null
            },
            "picklistParentValueField": "",
            "isSupportedWebhookField": false,
        })
    }
}

/// What the API lets a caller do with an entity, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Query, get, create and update at `/{Entity}`.
    Full,
    /// Query and get at `/{Entity}`; create and update only through the parent (`/Contracts/{id}/Services`).
    ChildWrites,
    /// Query and get only (ContractServiceUnits).
    ReadOnly,
    /// Create only, never read back (ContractServiceAdjustments).
    CreateOnly,
}

#[derive(Debug, Clone)]
pub struct Entity {
    /// The name in URLs, e.g. `Contracts`.
    pub name: &'static str,
    pub access: Access,
    pub fields: Vec<Field>,
}

impl Entity {
    /// The field named `name`, compared case-insensitively as Autotask does.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The value of the entry labelled `label` in picklist `field` (for the seed and tests).
    pub fn pick_value(&self, field: &str, label: &str) -> i64 {
        self.field(field)
            .and_then(|f| f.pick_labelled(label))
            .and_then(|p| p.value.parse().ok())
            .unwrap_or_else(|| panic!("{}.{field} has no value labelled {label}", self.name))
    }

    pub fn can_query(&self) -> bool {
        self.access != Access::CreateOnly
    }

    /// `/entityInformation`.
    pub fn info(&self) -> Value {
        json!({"info": {
            "name": self.name,
            "canCreate": self.access != Access::ReadOnly,
            "canDelete": self.name == "TicketAttachments",
            "canQuery": self.can_query(),
            "canUpdate": matches!(self.access, Access::Full | Access::ChildWrites) && self.name != "TicketAttachments",
            "userAccessForCreate": if self.access == Access::ReadOnly { "None" } else { "All" },
            "userAccessForDelete": if self.name == "TicketAttachments" { "All" } else { "None" },
            "userAccessForQuery": if self.can_query() { "All" } else { "None" },
            "userAccessForUpdate": if matches!(self.access, Access::Full | Access::ChildWrites) { "All" } else { "None" },
            "hasUserDefinedFields": matches!(self.name, "Companies" | "Contracts" | "Tickets"),
            "supportsWebhookCallouts": matches!(self.name, "Companies" | "Tickets"),
        }})
    }
}

/// Every entity, by its URL name compared case-insensitively.
pub fn entity(name: &str) -> Option<&'static Entity> {
    entities().iter().find(|e| e.name.eq_ignore_ascii_case(name))
}

pub fn entities() -> &'static [Entity] {
    static ENTITIES: OnceLock<Vec<Entity>> = OnceLock::new();
    ENTITIES.get_or_init(build)
}

use Kind::*;

fn id() -> Field {
    Field::new("id", Long).ro()
}

fn build() -> Vec<Entity> {
    // Period types are deliberately not 1..n in label order: a client must read the labels.
    let contract_period = [("2", "Monthly"), ("5", "Quarterly"), ("6", "Semi-Annual"), ("8", "Yearly")];
    let service_period =
        [("3", "*Monthly"), ("4", "Quarterly"), ("7", "Semi-Annual"), ("9", "Yearly"), ("11", "~One-Time")];
    let publish = [("1", "*All Autotask Users"), ("2", "Internal Only")];
    vec![
        Entity {
            name: "Companies",
            access: Access::Full,
            fields: vec![
                id(),
                Field::new("companyName", String).req(),
                Field::new("companyNumber", String).len(50),
                Field::new("companyType", Integer).req().picks(&[
                    ("1", "*Customer"),
                    ("2", "Lead"),
                    ("3", "Prospect"),
                    ("4", "Dead"),
                    ("5", "Our Company"),
                    ("6", "Cancellation"),
                    ("7", "Vendor"),
                    ("8", "Partner"),
                ]),
                Field::new("isActive", Boolean),
                Field::new("ownerResourceID", Integer).req().refs("Resource"),
                Field::new("parentCompanyID", Integer).refs("Company"),
                // Required on create, as Autotask's entity definitions have it.
                Field::new("phone", String).req().len(25),
                Field::new("webAddress", String).len(255),
                Field::new("city", String).len(30),
                Field::new("countryID", Integer).refs("Country"),
                Field::new("createDate", DateTime).ro(),
                Field::new("lastActivityDate", DateTime).ro(),
            ],
        },
        Entity {
            name: "Services",
            access: Access::Full,
            fields: vec![
                id(),
                Field::new("name", String).req().len(150),
                Field::new("description", String).len(400),
                Field::new("invoiceDescription", String).len(1000),
                Field::new("unitPrice", Decimal).req(),
                Field::new("unitCost", Decimal),
                Field::new("periodType", Integer).req().picks(&service_period),
                Field::new("isActive", Boolean),
                // Required by Autotask's entity definition (the SDKs generated from it agree).
                Field::new("billingCodeID", Integer).req().refs("BillingCode"),
                Field::new("vendorCompanyID", Integer).refs("Company"),
                Field::new("markupRate", Double),
                Field::new("serviceLevelAgreementID", Integer),
                Field::new("lastModifiedDate", DateTime).ro(),
            ],
        },
        Entity {
            // The MSP's staff (and its API users); administrators manage them in Autotask.
            name: "Resources",
            access: Access::ReadOnly,
            fields: vec![
                id(),
                Field::new("firstName", String).ro().len(50),
                Field::new("lastName", String).ro().len(50),
                Field::new("email", String).ro().len(254),
                Field::new("userName", String).ro().len(32),
                Field::new("title", String).ro().len(50),
                Field::new("isActive", Boolean).ro(),
            ],
        },
        Entity {
            // Allocation codes; admins manage them in Autotask, the API only reads them.
            name: "BillingCodes",
            access: Access::ReadOnly,
            fields: vec![
                id(),
                Field::new("name", String).ro().len(200),
                Field::new("description", String).ro().len(500),
                Field::new("externalNumber", String).ro().len(100),
                Field::new("isActive", Boolean).ro(),
                Field::new("billingCodeType", Integer).ro(),
                // Not 1..n in label order: a client must read the labels.
                Field::new("useType", Integer).ro().picks(&[
                    ("1", "Work Type"),
                    ("2", "Material"),
                    ("3", "Internal Time"),
                    ("4", "Expense Category"),
                    ("6", "Recurring Contract Service"),
                    ("7", "Milestone"),
                ]),
                Field::new("unitPrice", Decimal).ro(),
                Field::new("unitCost", Decimal).ro(),
                Field::new("taxCategoryID", Integer).ro(),
            ],
        },
        Entity {
            name: "Contracts",
            access: Access::Full,
            fields: vec![
                id(),
                Field::new("companyID", Integer).req().refs("Company"),
                Field::new("contractName", String).req().len(100),
                Field::new("contractNumber", String).len(50),
                Field::new("contractType", Integer).req().picks(&[
                    ("1", "Time and Materials"),
                    ("3", "Fixed Price"),
                    ("4", "Block Hours"),
                    ("6", "Retainer"),
                    ("7", "Recurring Service"),
                    ("8", "Per Ticket"),
                ]),
                Field::new("contractCategory", Integer).picks(&[
                    ("1", "*Standard"),
                    ("2", "Microsoft 365"),
                    ("3", "Managed Services"),
                ]),
                Field::new("status", Integer).req().picks(&[("0", "Inactive"), ("1", "*Active")]),
                Field::new("startDate", DateTime).req(),
                Field::new("endDate", DateTime).req(),
                Field::new("contractPeriodType", Integer).picks(&contract_period),
                Field::new("billingPreference", Integer).picks(&[
                    ("1", "Manual"),
                    ("2", "*Immediately"),
                    ("3", "Timesheet"),
                ]),
                Field::new("description", String).len(2000),
                Field::new("isDefaultContract", Boolean),
                Field::new("setupFee", Decimal),
                Field::new("estimatedRevenue", Decimal),
                Field::new("timeReportingRequiresStartAndStopTimes", Integer).req(),
                Field::new("lastModifiedDateTime", DateTime).ro(),
            ],
        },
        Entity {
            name: "ContractServices",
            access: Access::ChildWrites,
            fields: vec![
                id(),
                Field::new("contractID", Integer).req().refs("Contract"),
                Field::new("serviceID", Integer).req().refs("Service"),
                Field::new("unitPrice", Decimal),
                Field::new("unitCost", Decimal),
                Field::new("adjustedPrice", Decimal).ro(),
                Field::new("internalCurrencyUnitPrice", Decimal).ro(),
                Field::new("internalCurrencyAdjustedPrice", Decimal).ro(),
                Field::new("invoiceDescription", String).len(1000),
                Field::new("internalDescription", String).len(100),
                Field::new("quoteItemID", Long),
            ],
        },
        Entity {
            name: "ContractServiceUnits",
            access: Access::ReadOnly,
            fields: vec![
                id(),
                Field::new("contractID", Integer).ro().refs("Contract"),
                Field::new("contractServiceID", Long).ro().refs("ContractService"),
                Field::new("serviceID", Integer).ro().refs("Service"),
                Field::new("startDate", DateTime).ro(),
                Field::new("endDate", DateTime).ro(),
                Field::new("units", Integer).ro(),
                Field::new("price", Decimal).ro(),
                Field::new("cost", Decimal).ro(),
                Field::new("internalCurrencyPrice", Decimal).ro(),
                Field::new("approveAndPostDate", DateTime).ro(),
                Field::new("vendorCompanyID", Integer).ro().refs("Company"),
            ],
        },
        Entity {
            name: "ContractServiceAdjustments",
            access: Access::CreateOnly,
            fields: vec![
                id(),
                Field::new("contractID", Integer).req().refs("Contract"),
                Field::new("contractServiceID", Long).refs("ContractService"),
                Field::new("serviceID", Integer).req().refs("Service"),
                Field::new("effectiveDate", DateTime).req(),
                Field::new("unitChange", Integer).req(),
                Field::new("adjustedUnitPrice", Decimal),
                Field::new("adjustedUnitCost", Decimal),
                Field::new("allowRepeatService", Boolean),
                Field::new("quoteItemID", Long),
                Field::new("contractServiceBundleID", Long),
            ],
        },
        Entity {
            name: "Tickets",
            access: Access::Full,
            fields: vec![
                id(),
                Field::new("ticketNumber", String).ro().len(50),
                Field::new("companyID", Integer).req().refs("Company"),
                Field::new("title", String).req().len(255),
                Field::new("description", String).len(8000),
                Field::new("status", Integer).req().picks(&[
                    ("1", "*New"),
                    ("5", "Complete"),
                    ("7", "Waiting Customer"),
                    ("8", "In Progress"),
                    ("9", "Waiting Materials"),
                    ("10", "Dispatched"),
                    ("12", "Waiting Vendor"),
                ]),
                Field::new("priority", Integer).req().picks(&[
                    ("1", "High"),
                    ("2", "*Medium"),
                    ("3", "Low"),
                    ("4", "Critical"),
                ]),
                Field::new("queueID", Integer).picks(&[
                    ("5", "Client Portal"),
                    ("6", "Post Sale"),
                    ("8", "Monthly Recurring"),
                    ("29682833", "Level I Support"),
                    ("29683354", "Level II Support"),
                    ("29683478", "Billing"),
                    ("29683480", "~Legacy Licensing"),
                ]),
                Field::new("source", Integer).picks(&[
                    ("-1", "Client Portal"),
                    ("1", "Other"),
                    ("2", "Phone"),
                    ("4", "*Email"),
                    ("6", "Web Portal"),
                    ("8", "Monitoring Alert"),
                ]),
                Field::new("issueType", Integer).picks(&[
                    ("4", "Billing"),
                    ("7", "Licensing"),
                    ("14", "Hardware"),
                    ("18", "Software"),
                ]),
                Field::new("subIssueType", Integer),
                Field::new("ticketType", Integer).picks(&[
                    ("1", "*Service Request"),
                    ("2", "Incident"),
                    ("3", "Problem"),
                    ("4", "Change Request"),
                    ("5", "Alert"),
                ]),
                Field::new("contractID", Integer).refs("Contract"),
                Field::new("assignedResourceID", Integer).refs("Resource"),
                Field::new("assignedResourceRoleID", Integer).refs("Role"),
                Field::new("dueDateTime", DateTime),
                Field::new("createDate", DateTime).ro(),
                Field::new("lastActivityDate", DateTime).ro(),
            ],
        },
        Entity {
            name: "TicketNotes",
            access: Access::ChildWrites,
            fields: vec![
                id(),
                Field::new("ticketID", Integer).req().refs("Ticket"),
                Field::new("title", String).len(250),
                Field::new("description", String).len(32000),
                Field::new("noteType", Integer).req().picks(&[
                    ("1", "*Task Summary"),
                    ("2", "Task Detail"),
                    ("3", "Task Notes"),
                    ("13", "Internal Note"),
                ]),
                Field::new("publish", Integer).req().picks(&publish),
                Field::new("createDateTime", DateTime).ro(),
                Field::new("creatorResourceID", Integer).ro().refs("Resource"),
                Field::new("lastActivityDate", DateTime).ro(),
            ],
        },
        Entity {
            name: "TicketAttachments",
            access: Access::ChildWrites,
            fields: vec![
                id(),
                Field::new("parentID", Integer).req().refs("Ticket"),
                Field::new("title", String).req().len(255),
                Field::new("fullPath", String).len(255),
                Field::new("attachmentType", String).req().picks(&[
                    ("FILE_ATTACHMENT", "*File Attachment"),
                    ("URL", "URL"),
                    ("FOLDER_LINK", "Folder Link"),
                ]),
                Field::new("contentType", String).len(100),
                Field::new("data", String).len(0),
                Field::new("fileSize", Integer).ro(),
                Field::new("publish", Integer).req().picks(&publish),
                Field::new("attachDate", DateTime).ro(),
            ],
        },
    ]
}

/// Where a child route's segment points: `/Contracts/{id}/Services` acts on ContractServices,
/// linked to its parent by `contractID`.
pub struct Child {
    pub parent: &'static str,
    pub segment: &'static str,
    pub entity: &'static str,
    pub parent_field: &'static str,
    pub can_create: bool,
    pub can_update: bool,
}

pub const CHILDREN: &[Child] = &[
    Child {
        parent: "Contracts",
        segment: "Services",
        entity: "ContractServices",
        parent_field: "contractID",
        can_create: true,
        can_update: true,
    },
    Child {
        parent: "Contracts",
        segment: "ServiceUnits",
        entity: "ContractServiceUnits",
        parent_field: "contractID",
        can_create: false,
        can_update: false,
    },
    Child {
        parent: "Contracts",
        segment: "ServiceAdjustments",
        entity: "ContractServiceAdjustments",
        parent_field: "contractID",
        can_create: true,
        can_update: false,
    },
    Child {
        parent: "Tickets",
        segment: "Notes",
        entity: "TicketNotes",
        parent_field: "ticketID",
        can_create: true,
        can_update: true,
    },
    Child {
        parent: "Tickets",
        segment: "Attachments",
        entity: "TicketAttachments",
        parent_field: "parentID",
        can_create: true,
        can_update: false,
    },
];

pub fn child(parent: &str, segment: &str) -> Option<&'static Child> {
    CHILDREN.iter().find(|c| c.parent.eq_ignore_ascii_case(parent) && c.segment.eq_ignore_ascii_case(segment))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picklists_are_read_by_label() {
        let contracts = entity("contracts").unwrap();
        assert_eq!(contracts.pick_value("contractType", "Recurring Service"), 7);
        assert_eq!(contracts.pick_value("contractPeriodType", "monthly"), 2);
        assert_eq!(entity("Services").unwrap().pick_value("periodType", "Monthly"), 3);
        let info = contracts.field("CONTRACTTYPE").unwrap().info();
        assert_eq!(info["picklistValues"][4]["value"], "7", "values are strings");
        assert!(entity("Tickets").unwrap().field("queueID").unwrap().pick("29683480").is_some_and(|p| !p.active));
    }
}
