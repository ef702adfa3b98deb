//! Typed ids for the records SeatSync joins: an Autotask company, service and contract id are all
//! integers, and a Microsoft tenant, SKU and subscription id are all GUID strings; passing one
//! where another belongs is a bug the compiler should catch. Each id travels unchanged: serde sees
//! the bare number or string, so pages, URLs and JSON keep their shape, and with the `sqlx`
//! feature (the `db` crate's) a column decodes straight into the id. The field is public so tests
//! and patterns can write `ServiceId(3)`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Declares an id held as Autotask's integer.
macro_rules! number_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
        pub struct $name(pub i64);

        impl $name {
            pub const fn new(id: i64) -> Self {
                Self(id)
            }

            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                Self(id)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }
    };
}

/// Declares an id held as Microsoft's text (a GUID, kept as the vendor spelled it).
macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
        pub struct $name(pub String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }

            /// The id in lower case, as SeatSync stores it: Microsoft spells the same GUID in
            /// either case from one answer to the next.
            pub fn to_ascii_lowercase(&self) -> Self {
                Self(self.0.to_ascii_lowercase())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        /// Lets a map keyed by the id be looked up with a plain `&str`.
        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

text_id! {
    /// A Microsoft 365 tenant (a customer of the partner), as Partner Center and Graph name it.
    TenantId
}

text_id! {
    /// A Microsoft licence SKU (Graph's `skuId`).
    SkuId
}

text_id! {
    /// A Partner Center subscription.
    SubscriptionId
}

text_id! {
    /// A Pax8 company (the distributor's record of a customer).
    Pax8CompanyId
}

text_id! {
    /// A Pax8 subscription (the distributor's record of what a customer bought through it).
    Pax8SubscriptionId
}

number_id! {
    /// An Autotask company (the PSA's customer record).
    CompanyId
}

number_id! {
    /// An Autotask service (a billable item of the catalogue).
    ServiceId
}

number_id! {
    /// An Autotask contract.
    ContractId
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_travel_as_their_bare_values() {
        assert_eq!(serde_json::from_str::<CompanyId>("42").unwrap(), CompanyId::new(42));
        assert_eq!(serde_json::to_string(&ContractId::new(7)).unwrap(), "7");
        let tenant = TenantId::new("8f2c");
        assert_eq!(serde_json::to_string(&tenant).unwrap(), "\"8f2c\"");
        assert_eq!(serde_json::from_str::<TenantId>("\"8f2c\"").unwrap(), tenant);
    }
}
