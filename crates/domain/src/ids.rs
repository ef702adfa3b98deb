//! Typed ids for the PSA's records: an Autotask company, service and contract id are all
//! integers, and passing one where another belongs is a bug the compiler should catch. Each id
//! travels unchanged: serde sees the bare number, so pages, URLs and JSON keep their shape, and
//! with the `sqlx` feature (the `db` crate's) a column decodes straight into the id. The field is
//! public so tests and patterns can write `ServiceId(3)`.

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
    }
}
