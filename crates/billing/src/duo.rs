//! Cisco Duo: each child account of the MSP's parent account a customer, its users counted from
//! the account's own summary, under its edition ("Users (Duo Advantage)") where editions are read
//! and Duo allows it, else under "Users". Duo has no read across accounts, so a run costs the
//! account list and one or two requests per account it can place. Duo keeps no PSA link, tenant
//! or domain for an account: each is placed by a person on the Duo accounts page, and one not
//! placed yet is named without a request more.

use seatsync_domain::{
    kinds::BillingTool,
    tool_customers::{CustomerCount, ToolCustomer},
};
use seatsync_vendors::{
    duo::{users_product, ChildAccount, Duo, Edition},
    Slot, VendorError,
};

use crate::{BoxFuture, Connector, ConnectorError, Placement, Reading, ToolReading};

pub(crate) struct DuoCounts {
    client: Slot<dyn Duo>,
}

/// What was read for one child account.
struct AccountCount {
    account: ChildAccount,
    users: i64,
    edition: Option<Edition>,
}

impl DuoCounts {
    pub(crate) fn new(client: Slot<dyn Duo>) -> Self {
        Self { client }
    }

    async fn read(&self, placement: &Placement) -> Result<Reading, ConnectorError> {
        let Some(client) = self.client.get() else { return Err(ConnectorError::NotConfigured) };
        let accounts = client.accounts().await.map_err(|e| ConnectorError::Failed(e.to_string()))?;
        let failed = |account: &ChildAccount, e: VendorError| {
            ConnectorError::Failed(format!("{e} (reading the account '{}')", account.display_name()))
        };
        let mut customers = Vec::with_capacity(accounts.len());
        let mut counted = Vec::new();
        for account in accounts {
            let customer = customer(&account);
            let placed = placement.may_place(BillingTool::Duo, &customer);
            customers.push(customer);
            if !placed {
                continue;
            }
            let users = client.user_count(&account).await.map_err(|e| failed(&account, e))?;
            // A refused edition comes back as none, so only a real failure stops the run: a
            // column that changed name between runs would move the account's users silently.
            let edition = if client.reads_editions() {
                client.edition(&account).await.map_err(|e| failed(&account, e))?
            } else {
                None
            };
            counted.push(AccountCount { account, users, edition });
        }
        Ok(Reading::Customers(ToolReading { tool: BillingTool::Duo, customers, counts: counts(&counted) }))
    }
}

fn customer(account: &ChildAccount) -> ToolCustomer {
    ToolCustomer {
        key: account.account_id.trim().to_string(),
        name: account.display_name().trim().to_string(),
        domains: Vec::new(),
        psa_company: None,
        tenant: None,
    }
}

/// The counts of the accounts read: every one shows its users, 0 or not.
fn counts(counted: &[AccountCount]) -> Vec<CustomerCount> {
    counted
        .iter()
        .map(|c| CustomerCount {
            customer: c.account.account_id.trim().to_string(),
            product: users_product(c.edition.as_ref()),
            count: c.users.max(0),
        })
        .collect()
}

impl Connector for DuoCounts {
    fn tool(&self) -> &'static str {
        BillingTool::Duo.name()
    }

    fn requests_sent(&self) -> Option<u64> {
        self.client.get().map(|c| c.requests_sent())
    }

    fn count<'a>(&'a self, placement: &'a Placement) -> BoxFuture<'a, Result<Reading, ConnectorError>> {
        Box::pin(self.read(placement))
    }
}

#[cfg(test)]
mod tests {
    use std::{
        collections::HashMap,
        sync::{
            atomic::{AtomicUsize, Ordering},
            Arc,
        },
    };

    use seatsync_db::tool_customers::DecisionRow;
    use seatsync_domain::tool_customers::Decision;
    use seatsync_vendors::duo::{ConnectionCheck, InfoSummary, User};

    use super::*;

    fn account(id: &str, name: Option<&str>) -> ChildAccount {
        ChildAccount { account_id: id.into(), name: name.map(str::to_string), api_hostname: None }
    }

    /// Accounts with their users and edition code; one account may fail.
    struct Fake {
        accounts: Vec<(ChildAccount, i64, Option<&'static str>)>,
        editions: bool,
        failing: Option<&'static str>,
        edition_reads: AtomicUsize,
    }

    impl Fake {
        fn new(editions: bool, failing: Option<&'static str>) -> Arc<Self> {
            Arc::new(Self {
                accounts: vec![
                    (account("DA1", Some(" Acme Ltd - MFA ")), 57, Some("PLATFORM")),
                    (account("DA2", Some("Empty Co")), 0, Some("ENTERPRISE")),
                    (account("DA3", None), 4, None),
                ],
                editions,
                failing,
                edition_reads: AtomicUsize::new(0),
            })
        }

        fn users_of(&self, account: &ChildAccount) -> Result<i64, VendorError> {
            if self.failing == Some(account.account_id.as_str()) {
                return Err(VendorError::Status { vendor: "Cisco Duo", status: 500, message: "Internal error".into() });
            }
            Ok(self.accounts.iter().find(|(a, _, _)| a == account).map(|(_, n, _)| *n).unwrap_or(0))
        }
    }

    impl Duo for Fake {
        fn requests_sent(&self) -> u64 {
            0
        }

        fn reads_editions(&self) -> bool {
            self.editions
        }

        fn check(&self) -> BoxFuture<'_, Result<ConnectionCheck, VendorError>> {
            Box::pin(async move { Ok(ConnectionCheck { accounts: self.accounts.len(), first: None }) })
        }

        fn accounts(&self) -> BoxFuture<'_, Result<Vec<ChildAccount>, VendorError>> {
            Box::pin(async move { Ok(self.accounts.iter().map(|(a, _, _)| a.clone()).collect()) })
        }

        fn summary<'a>(&'a self, account: &'a ChildAccount) -> BoxFuture<'a, Result<InfoSummary, VendorError>> {
            Box::pin(
                async move { Ok(InfoSummary { user_count: Some(self.users_of(account)?), ..InfoSummary::default() }) },
            )
        }

        fn user_count<'a>(&'a self, account: &'a ChildAccount) -> BoxFuture<'a, Result<i64, VendorError>> {
            Box::pin(async move { self.users_of(account) })
        }

        fn edition<'a>(&'a self, account: &'a ChildAccount) -> BoxFuture<'a, Result<Option<Edition>, VendorError>> {
            self.edition_reads.fetch_add(1, Ordering::Relaxed);
            Box::pin(async move {
                let code = self.accounts.iter().find(|(a, _, _)| a == account).and_then(|(_, _, code)| *code);
                Ok(code.and_then(Edition::parse))
            })
        }

        fn users<'a>(&'a self, _account: &'a ChildAccount) -> BoxFuture<'a, Result<Vec<User>, VendorError>> {
            Box::pin(async move { Ok(Vec::new()) })
        }
    }

    /// Placed by a person in a company, each of `accounts`.
    fn decided(account: &str, decision: Decision) -> DecisionRow {
        let (decided_company_id, ignored) = match decision {
            Decision::Company(id) => (Some(id), false),
            Decision::Ignored => (None, true),
        };
        DecisionRow { tool: BillingTool::Duo, customer_key: account.into(), decided_company_id, ignored }
    }

    fn placed_and_ignored(placed: &[&str], ignored: &[&str]) -> Placement {
        let decisions = placed
            .iter()
            .map(|a| decided(a, Decision::Company(7)))
            .chain(ignored.iter().map(|a| decided(a, Decision::Ignored)))
            .collect();
        Placement::new(HashMap::new(), decisions)
    }

    fn placed(accounts: &[&str]) -> Placement {
        placed_and_ignored(accounts, &[])
    }

    async fn read(fake: &Arc<Fake>) -> Result<ToolReading, ConnectorError> {
        read_placed(fake, &placed(&["DA1", "DA2", "DA3"])).await
    }

    async fn read_placed(fake: &Arc<Fake>, placement: &Placement) -> Result<ToolReading, ConnectorError> {
        let client: Arc<dyn Duo> = fake.clone();
        match DuoCounts::new(Slot::new(Some(client))).read(placement).await? {
            Reading::Customers(reading) => Ok(reading),
            other => panic!("a tool with customers of its own: {other:?}"),
        }
    }

    fn count(reading: &ToolReading, customer: &str, product: &str) -> Option<i64> {
        reading.counts.iter().find(|c| c.customer == customer && c.product == product).map(|c| c.count)
    }

    #[tokio::test]
    async fn each_account_is_a_customer_with_its_users_under_its_edition_even_when_none() {
        let fake = Fake::new(true, None);
        let reading = read(&fake).await.expect("a reading");
        assert_eq!(reading.tool, BillingTool::Duo);
        assert_eq!(reading.customers.len(), 3);
        assert_eq!(reading.customers[0].key, "DA1");
        assert_eq!(reading.customers[0].name, "Acme Ltd - MFA");
        assert_eq!(reading.customers[2].name, "DA3", "an account without a name goes by its id");
        assert!(reading
            .customers
            .iter()
            .all(|c| c.psa_company.is_none() && c.tenant.is_none() && c.domains.is_empty()));
        assert_eq!(count(&reading, "DA1", "Users (Duo Advantage)"), Some(57));
        assert_eq!(count(&reading, "DA2", "Users (Duo Essentials)"), Some(0), "no users still shows 0");
        assert_eq!(count(&reading, "DA3", "Users"), Some(4), "an edition Duo withholds: plain Users");
        assert_eq!(reading.counts.len(), 3, "one count per account");
        assert_eq!(fake.edition_reads.load(Ordering::Relaxed), 3);
    }

    #[tokio::test]
    async fn an_account_nobody_placed_is_named_without_a_request_and_one_left_out_likewise() {
        let fake = Fake::new(true, None);
        let placement = placed_and_ignored(&["DA1"], &["DA3"]);
        let reading = read_placed(&fake, &placement).await.expect("a reading");
        assert_eq!(reading.customers.len(), 3, "every account is still a customer");
        assert_eq!(reading.counts.len(), 1);
        assert_eq!(count(&reading, "DA1", "Users (Duo Advantage)"), Some(57));
        assert_eq!(fake.edition_reads.load(Ordering::Relaxed), 1, "only the placed account is read");
    }

    #[tokio::test]
    async fn editions_are_not_asked_for_when_turned_off() {
        let fake = Fake::new(false, None);
        let reading = read(&fake).await.expect("a reading");
        assert_eq!(fake.edition_reads.load(Ordering::Relaxed), 0);
        assert!(reading.counts.iter().all(|c| c.product == "Users"));
        assert_eq!(count(&reading, "DA1", "Users"), Some(57));
    }

    #[tokio::test]
    async fn a_failed_account_fails_the_run_naming_the_account() {
        let error = read(&Fake::new(true, Some("DA2"))).await.unwrap_err();
        match error {
            ConnectorError::Failed(words) => {
                assert!(words.contains("Empty Co") && words.contains("Cisco Duo"), "{words}")
            }
            other => panic!("{other:?}"),
        }
        let unset = DuoCounts::new(Slot::empty()).read(&Placement::default()).await.unwrap_err();
        assert_eq!(unset, ConnectorError::NotConfigured);
    }
}
