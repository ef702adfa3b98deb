//! The billing report against PostgreSQL and the simulator over HTTP: the Partner Center,
//! Graph, Autotask and Pax8 data a licence sync, an Autotask refresh and an alert run store,
//! turned into one row per Autotask company with Microsoft 365's and Pax8's columns, zeros and
//! blanks where the rules say, stored, and compared with the report before.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::Arc,
};

use chrono::Utc;
use seatsync_billing::{connectors, BillingReports};
use seatsync_db::PgPool;
use seatsync_domain::billing::{changes, Column, ToolStatus};
use seatsync_domain::{kinds::BillingTool, tool_customers::Decision};
use seatsync_integrations::ClientSlots;
use seatsync_licence_sync::{Scope, Trigger};
use seatsync_sim::SimHandle;
use seatsync_testkit as kit;
use seatsync_vendors::{autotask::Autotask, datto_rmm::DattoRmm, huntress::Huntress, pax8::Pax8, Slot};
use serde_json::json;

struct World {
    pool: PgPool,
    sim: SimHandle,
    slots: ClientSlots,
    billing: Arc<BillingReports>,
}

async fn world(tenants: usize) -> World {
    let pool = kit::fresh_pool(8).await;
    let sim = kit::sim_with_tenants(tenants).await;
    let sync = kit::licence_sync(&pool, &sim, 8);
    sync.run(Trigger::Schedule, Scope::All).await.expect("licence sync");
    let autotask: Arc<dyn Autotask> = kit::autotask(&sim, kit::quick_policy());
    let slots = ClientSlots::default();
    slots.autotask.set(Some(autotask.clone()));
    slots.pax8.set(Some(kit::pax8(&sim, kit::quick_policy()) as Arc<dyn Pax8>));
    seatsync_mapping::Mapping::new(pool.clone(), Slot::new(Some(autotask)))
        .refresh_cache("manual", None)
        .await
        .expect("Autotask's companies read");
    let catalog = seatsync_licences::Catalog::new(pool.clone());
    let billing = BillingReports::new(pool.clone(), connectors(&pool, &slots, &catalog));
    World { pool, sim, slots, billing }
}

async fn map_tenants(w: &World) -> usize {
    kit::map_tenants(&w.pool, &w.sim).await
}

/// Purchased seats per Autotask company and product, straight from what the sync stored.
async fn purchased(pool: &PgPool) -> BTreeMap<(i64, String), i64> {
    let rows: Vec<(i64, Option<String>, i64)> = sqlx::query_as(
        "SELECT m.company_id, s.sku_id, sum(s.quantity)::bigint FROM subscriptions s
         JOIN tenant_mappings m ON m.tenant_id = s.tenant_id AND m.state = 'mapped'
         WHERE s.removed_at IS NULL AND NOT s.is_trial AND coalesce(lower(s.status), 'active') = 'active'
         GROUP BY m.company_id, s.sku_id",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    rows.into_iter().map(|(c, sku, n)| ((c, sku.unwrap_or_default()), n)).collect()
}

#[tokio::test]
async fn a_report_has_a_row_per_company_with_microsoft_and_pax8_counts_zeros_and_blanks() {
    let w = world(30).await;
    let mapped = map_tenants(&w).await;
    assert!(mapped >= 10, "{mapped}");
    // Pax8 has never been read: the report reads it itself.
    let summary = w.billing.run(None).await.expect("report");
    assert!(summary.tools[1].requests.is_some_and(|n| n >= 2), "{:?}", summary.tools[1]);
    let stored = w.billing.newest().await.unwrap();
    assert_eq!(stored.len(), 1);
    let report = &stored[0].report.0;
    let tools = &stored[0].tools.0;
    assert_eq!(
        tools.iter().map(|t| (t.tool.as_str(), t.status.clone())).collect::<Vec<_>>(),
        [
            ("Microsoft 365", ToolStatus::Ok),
            ("PAX8", ToolStatus::Ok),
            ("Datto RMM", ToolStatus::NotConfigured),
            ("NinjaOne", ToolStatus::NotConfigured),
            ("ConnectWise Automate", ToolStatus::NotConfigured),
            ("Huntress", ToolStatus::NotConfigured),
            ("SentinelOne", ToolStatus::NotConfigured),
            ("Cisco Duo", ToolStatus::NotConfigured),
            ("Auvik", ToolStatus::NotConfigured)
        ]
    );
    let companies = seatsync_db::autotask_cache::companies(&w.pool).await.unwrap();
    assert_eq!(report.companies.len(), companies.iter().filter(|c| c.is_active).count());
    assert_eq!(summary.companies, report.companies.len());

    // Every purchased seat of a mapped tenant is in a "(purchased)" column, and nothing else is.
    let expected: i64 = purchased(&w.pool).await.values().sum();
    let reported: i64 = report
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.tool == "Microsoft 365" && c.product.ends_with("(purchased)"))
        .map(|(i, _)| report.total(i))
        .sum();
    assert_eq!(reported, expected);
    // A mapped company has a number in every Microsoft 365 column (0 where it bought none of
    // that product); a company with no tenant has blanks.
    let mapped_companies: Vec<i64> =
        sqlx::query_scalar("SELECT company_id FROM tenant_mappings WHERE state = 'mapped'")
            .fetch_all(&w.pool)
            .await
            .unwrap();
    let microsoft: Vec<usize> =
        report.columns.iter().enumerate().filter(|(_, c)| c.tool == "Microsoft 365").map(|(i, _)| i).collect();
    let with_tenant = report.companies.iter().find(|c| mapped_companies.contains(&c.id)).unwrap();
    assert!(microsoft.iter().all(|i| report.cell(with_tenant.id, *i).is_some()));
    assert!(microsoft.iter().any(|i| report.cell(with_tenant.id, *i) == Some(0)), "zeros are written as 0");
    let without =
        report.companies.iter().find(|c| !mapped_companies.contains(&c.id)).expect("a company with no tenant");
    assert!(microsoft.iter().all(|i| report.cell(without.id, *i).is_none()));
    // Pax8's columns are there, prefixed, and its quantities add up for the placed companies.
    assert!(report.columns.iter().any(|c| c.tool == "PAX8"), "{:?}", report.columns);

    // The CSV: Company first, the columns in the report's order.
    let csv = String::from_utf8(report.to_csv()).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.starts_with("Company,Microsoft 365 · "), "{header}");
    assert_eq!(csv.lines().count(), report.companies.len() + 1);

    // A seat bought more shows as one changed cell in the next report.
    let subscription: (String, i64) = sqlx::query_as(
        "SELECT s.id, s.quantity FROM subscriptions s JOIN tenant_mappings m ON m.tenant_id = s.tenant_id
         WHERE s.removed_at IS NULL AND NOT s.is_trial AND s.sku_id IS NOT NULL AND lower(coalesce(s.status, 'active')) = 'active'
         ORDER BY s.id LIMIT 1",
    )
    .fetch_one(&w.pool)
    .await
    .unwrap();
    kit::set_subscription(&w.sim, &subscription.0, json!({"quantity": subscription.1 + 3})).await;
    kit::licence_sync(&w.pool, &w.sim, 8).run(Trigger::Schedule, Scope::All).await.unwrap();
    w.billing.run(None).await.unwrap();
    let pair = w.billing.newest().await.unwrap();
    let found = changes(&pair[1].report.0, &pair[0].report.0);
    let purchased_changes: Vec<_> = found.cells.iter().filter(|c| c.column.product.ends_with("(purchased)")).collect();
    assert_eq!(purchased_changes.len(), 1, "{found:?}");
    assert_eq!(purchased_changes[0].after.unwrap() - purchased_changes[0].before.unwrap(), 3);
}

#[tokio::test]
async fn a_tool_that_fails_keeps_its_columns_blank_and_is_named() {
    let w = world(12).await;
    map_tenants(&w).await;
    let catalog = seatsync_licences::Catalog::new(w.pool.clone());
    w.billing.run(None).await.unwrap();
    let pax8_columns: Vec<Column> =
        w.billing.newest().await.unwrap()[0].report.0.columns.iter().filter(|c| c.tool == "PAX8").cloned().collect();
    assert!(!pax8_columns.is_empty());
    let blank = |report: &seatsync_domain::billing::Report| {
        pax8_columns.iter().all(|column| {
            let i = report.column_index(column).expect("the column stays");
            report.companies.iter().all(|c| report.cell(c.id, i).is_none())
        })
    };

    // Pax8 fails to answer: its columns are blank rather than last read's, and the failure is
    // named; the other tools are counted.
    kit::faults(&w.sim, json!([{"path": "/v1/subscriptions", "kind": "status", "status": 503, "times": 1000}])).await;
    let summary = w.billing.run(None).await.unwrap();
    kit::faults(&w.sim, json!([])).await;
    let ToolStatus::Failed(why) = &summary.tools[1].status else { panic!("{:?}", summary.tools[1]) };
    assert!(why.contains("Pax8"), "{why}");
    assert!(blank(&w.billing.newest().await.unwrap()[0].report.0));
    assert_eq!(summary.tools[0].status, ToolStatus::Ok);

    // Pax8 is no longer set up: its columns stay, blank for everyone, and the report says so.
    let slots = ClientSlots::default();
    slots.autotask.set(w.slots.autotask.get());
    let without_pax8 = BillingReports::new(w.pool.clone(), connectors(&w.pool, &slots, &catalog));
    let summary = without_pax8.run(None).await.unwrap();
    assert_eq!(summary.tools[1].status, ToolStatus::NotConfigured);
    assert!(blank(&without_pax8.newest().await.unwrap()[0].report.0));
    // Microsoft 365 was still counted.
    assert_eq!(summary.tools[0].status, ToolStatus::Ok);
    assert!(summary.tools[0].companies > 0);
}

/// A column's cell for a company.
fn cell(report: &seatsync_domain::billing::Report, company: i64, tool: &str, product: &str) -> Option<i64> {
    report.column_index(&Column::new(tool, product)).and_then(|i| report.cell(company, i))
}

#[tokio::test]
async fn a_pax8_company_is_placed_by_a_person_or_by_its_mapped_tenant() {
    let w = world(12).await;
    // No tenant is mapped yet: every Pax8 company that buys something is named, none is billed.
    let first = w.billing.run(None).await.unwrap();
    let pax8 = first.tools.iter().find(|t| t.tool == "PAX8").unwrap();
    assert_eq!(pax8.status, ToolStatus::Ok);
    let companies = seatsync_db::pax8::companies(&w.pool).await.unwrap();
    let subscriptions = seatsync_db::pax8::subscriptions(&w.pool).await.unwrap();
    let buying: BTreeSet<String> = subscriptions.iter().map(|s| s.company_id.to_string()).collect();
    assert!(buying.len() >= 3, "{buying:?}");
    assert_eq!((pax8.companies, pax8.unplaced.len()), (0, buying.len()));

    // A person places one in an Autotask company (as for a company with no Microsoft tenant):
    // the next report bills its quantities there, product by product.
    let chosen = companies.iter().find(|c| buying.contains(&c.id.to_string())).unwrap();
    let company =
        seatsync_db::autotask_cache::companies(&w.pool).await.unwrap().iter().find(|c| c.is_active).unwrap().id.get();
    let person = kit::person(&w.pool, "Billing Editor").await;
    let key = chosen.id.to_string();
    seatsync_db::tool_customers::decide(
        &w.pool,
        BillingTool::Pax8,
        &[(key.as_str(), Some(Decision::Company(company)))],
        person,
    )
    .await
    .unwrap();
    let second = w.billing.run(None).await.unwrap();
    let pax8 = second.tools.iter().find(|t| t.tool == "PAX8").unwrap();
    assert_eq!((pax8.companies, pax8.unplaced.len()), (1, buying.len() - 1));
    assert!(!pax8.unplaced.contains(&chosen.name), "{:?}", pax8.unplaced);
    let mut expected: BTreeMap<String, i64> = BTreeMap::new();
    for s in subscriptions.iter().filter(|s| s.company_id == chosen.id) {
        *expected.entry(s.product_name.clone().unwrap_or_else(|| s.product_id.clone())).or_default() += s.quantity;
    }
    let report = w.billing.newest().await.unwrap()[0].report.0.clone();
    for (product, quantity) in &expected {
        assert_eq!(cell(&report, company, "PAX8", product), Some(*quantity), "{product}");
    }

    // With the tenants mapped, the companies Pax8's matching linked to a tenant are placed by it.
    map_tenants(&w).await;
    let third = w.billing.run(None).await.unwrap();
    let pax8 = third.tools.iter().find(|t| t.tool == "PAX8").unwrap();
    assert!(pax8.companies > 1, "{pax8:?}");
    let placed_by_tenant = seatsync_db::tool_customers::of_tool(&w.pool, BillingTool::Pax8)
        .await
        .unwrap()
        .iter()
        .filter(|r| r.tenant_id.is_some() && r.decision().is_none())
        .count();
    assert!(placed_by_tenant >= pax8.companies - 1, "{placed_by_tenant} {pax8:?}");
}

#[tokio::test]
async fn datto_and_huntress_customers_are_placed_counted_and_the_rest_named() {
    let w = world(30).await;
    w.slots.datto_rmm.set(Some(kit::datto_rmm(&w.sim, kit::quick_policy()) as Arc<dyn DattoRmm>));
    w.slots.huntress.set(Some(kit::huntress(&w.sim, kit::quick_policy()) as Arc<dyn Huntress>));
    map_tenants(&w).await;
    let summary = w.billing.run(None).await.expect("report");
    let datto = summary.tools.iter().find(|t| t.tool == "Datto RMM").unwrap();
    let huntress = summary.tools.iter().find(|t| t.tool == "Huntress").unwrap();
    assert_eq!((datto.status.clone(), huntress.status.clone()), (ToolStatus::Ok, ToolStatus::Ok));
    // Each tool's requests are counted as the tool saw them.
    assert_eq!(datto.requests, Some(w.sim.sim.requests_matching("/datto/")));
    assert_eq!(huntress.requests, Some(w.sim.sim.requests_matching("/huntress/")));
    assert_eq!(summary.tools[0].requests, None, "Microsoft 365 is counted from PostgreSQL");
    let report = w.billing.newest().await.unwrap()[0].report.0.clone();
    let truth = kit::billing_tools(&w.sim).await;

    // A Datto site linked to an Autotask company in Datto is counted there: its workstations
    // (desktops and laptops) and servers, deleted devices left out; sites of one company add up.
    let mut expected: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    let mut unlinked = Vec::new();
    for site in truth["dattoRmm"].as_array().unwrap() {
        if site["system"].as_bool().unwrap() {
            continue;
        }
        let categories = &site["categories"];
        let n = |k: &str| categories[k].as_i64().unwrap_or(0);
        match site["autotaskCompanyId"].as_i64() {
            Some(company) => {
                let e = expected.entry(company).or_default();
                e.0 += n("Desktop") + n("Laptop");
                e.1 += n("Server");
            }
            None => unlinked.push(site["name"].as_str().unwrap().to_string()),
        }
    }
    assert!(!expected.is_empty() && !unlinked.is_empty());
    for (company, (workstations, servers)) in &expected {
        assert_eq!(cell(&report, *company, "Datto RMM", "Workstations"), Some(*workstations), "company {company}");
        assert_eq!(cell(&report, *company, "Datto RMM", "Servers"), Some(*servers), "company {company}");
    }
    // The unlinked sites are named (system sites never are), and counted nowhere.
    let mut named = datto.unplaced.clone();
    named.sort();
    unlinked.sort();
    unlinked.dedup();
    assert_eq!(named, unlinked);
    assert!(!named.iter().any(|n| n == "Managed" || n == "OnDemand" || n == "Deleted Devices"));

    // A Huntress organization whose Microsoft tenant is mapped is counted at its company, with
    // the agents Huntress bills (not every agent installed).
    let mut billable: BTreeMap<i64, i64> = BTreeMap::new();
    let mut placed = 0u64;
    for org in truth["huntress"].as_array().unwrap() {
        let Some(tenant) = org["identityTenantId"].as_str() else { continue };
        let Some(company) = kit::company_of(&w.sim, tenant).await else { continue };
        *billable.entry(company).or_default() += org["billableAgents"].as_i64().unwrap();
        placed += 1;
    }
    // Huntress's usage is asked for the placed organizations alone: the rest are only named.
    let usage_requests = w.sim.sim.requests_matching("/huntress/v1/organizations/");
    assert_eq!(usage_requests, placed);
    assert!(!billable.is_empty());
    for (company, agents) in &billable {
        assert_eq!(cell(&report, *company, "Huntress", "Agents"), Some(*agents), "company {company}");
    }
    let fewer = truth["huntress"].as_array().unwrap().iter().any(|o| o["billableAgents"] != o["agents"]);
    assert!(fewer, "some organizations have agents Huntress does not bill");
    assert!(huntress.unplaced.iter().any(|n| n == "Northwind MSP"), "{:?}", huntress.unplaced);

    // A person places an unlinked site in its company and leaves the MSP's own site out: the next
    // report counts the first there and names neither.
    let mut chosen = None;
    for s in truth["dattoRmm"].as_array().unwrap() {
        if !s["autotaskCompanyId"].is_null() || s["system"].as_bool().unwrap() {
            continue;
        }
        if let Some(company) = match s["tenantId"].as_str() {
            Some(tenant) => kit::company_of(&w.sim, tenant).await,
            None => None,
        } {
            chosen = Some((s.clone(), company));
            break;
        }
    }
    let (site, company) = chosen.expect("an unlinked site of a customer with a company");
    let internal =
        truth["dattoRmm"].as_array().unwrap().iter().find(|s| s["name"] == "Northwind MSP (internal)").unwrap();
    let person = kit::person(&w.pool, "Billing Editor").await;
    let decided = seatsync_db::tool_customers::decide(
        &w.pool,
        BillingTool::DattoRmm,
        &[
            (site["uid"].as_str().unwrap(), Some(Decision::Company(company))),
            (internal["uid"].as_str().unwrap(), Some(Decision::Ignored)),
        ],
        person,
    )
    .await
    .unwrap();
    assert_eq!(decided, 2);
    let again = w.billing.run(None).await.unwrap();
    assert_eq!(
        w.sim.sim.requests_matching("/huntress/v1/organizations/"),
        usage_requests,
        "run again within the hour, the usages read are kept"
    );
    let datto = again.tools.iter().find(|t| t.tool == "Datto RMM").unwrap();
    assert!(!datto.unplaced.iter().any(|n| n == site["name"].as_str().unwrap() || n == "Northwind MSP (internal)"));
    assert_eq!(datto.note.as_deref(), Some("1 site left out as not billed"));
    let report = w.billing.newest().await.unwrap()[0].report.0.clone();
    let n = |k: &str| site["categories"][k].as_i64().unwrap_or(0);
    let linked = expected.get(&company).copied().unwrap_or_default();
    assert_eq!(cell(&report, company, "Datto RMM", "Workstations"), Some(linked.0 + n("Desktop") + n("Laptop")));
    let history = seatsync_db::tool_customers::history(&w.pool, BillingTool::DattoRmm, 10).await.unwrap();
    assert_eq!(history.len(), 2);
}

#[tokio::test]
async fn a_duo_account_costs_requests_only_once_a_person_places_it() {
    let w = world(12).await;
    map_tenants(&w).await;
    w.slots.duo.set(Some(kit::duo(&w.sim, kit::quick_policy()) as Arc<dyn seatsync_vendors::duo::Duo>));
    let first = w.billing.run(None).await.unwrap();
    let duo = first.tools.iter().find(|t| t.tool == "Cisco Duo").unwrap();
    assert_eq!(duo.status, ToolStatus::Ok);
    let truth = kit::billing_tools(&w.sim).await;
    let accounts = truth["duo"].as_array().unwrap();
    assert_eq!(duo.unplaced.len(), accounts.len(), "nobody placed an account yet: every one is named");
    assert_eq!(duo.requests, Some(1), "the account list alone");

    // A person places one account in its customer's company: the next report counts its users.
    let account = accounts.iter().find(|a| a["tenantId"].is_string()).unwrap();
    let company = kit::company_of(&w.sim, account["tenantId"].as_str().unwrap()).await.unwrap();
    let person = kit::person(&w.pool, "Billing Editor").await;
    let key = account["accountId"].as_str().unwrap();
    seatsync_db::tool_customers::decide(&w.pool, BillingTool::Duo, &[(key, Some(Decision::Company(company)))], person)
        .await
        .unwrap();
    let second = w.billing.run(None).await.unwrap();
    let duo = second.tools.iter().find(|t| t.tool == "Cisco Duo").unwrap();
    assert_eq!(duo.unplaced.len(), accounts.len() - 1);
    let report = w.billing.newest().await.unwrap()[0].report.0.clone();
    let (product, users) = account["counts"].as_object().unwrap().iter().next().unwrap();
    assert_eq!(cell(&report, company, "Cisco Duo", product), users.as_i64());
}

#[tokio::test]
async fn suspended_datto_devices_are_counted_unless_the_settings_leave_them_out() {
    let w = world(20).await;
    map_tenants(&w).await;
    let truth = kit::billing_tools(&w.sim).await;
    let mut linked: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for site in truth["dattoRmm"].as_array().unwrap() {
        let Some(company) = site["autotaskCompanyId"].as_i64() else { continue };
        let n = |counts: &serde_json::Value| {
            ["Desktop", "Laptop"].iter().map(|k| counts[*k].as_i64().unwrap_or(0)).sum::<i64>()
        };
        let e = linked.entry(company).or_default();
        e.0 += n(&site["categories"]);
        e.1 += n(&site["suspended"]);
    }
    assert!(linked.values().any(|(_, suspended)| *suspended > 0), "some linked site has a suspended workstation");
    for count_suspended in [true, false] {
        w.slots
            .datto_rmm
            .set(Some(kit::datto_rmm_counting(&w.sim, kit::quick_policy(), count_suspended) as Arc<dyn DattoRmm>));
        w.billing.run(None).await.unwrap();
        let report = w.billing.newest().await.unwrap()[0].report.0.clone();
        for (company, (all, suspended)) in &linked {
            let expected = if count_suspended { *all } else { all - suspended };
            assert_eq!(cell(&report, *company, "Datto RMM", "Workstations"), Some(expected), "company {company}");
        }
    }
}

#[tokio::test]
async fn each_report_goes_out_once_as_a_ticket_and_an_email_with_its_csv_files_and_log() {
    use seatsync_domain::{
        billing_delivery::{BillingDelivery, TicketCompany},
        kinds::TicketPsa,
    };
    let w = world(8).await;
    map_tenants(&w).await;
    w.slots.mailer.set(Some(kit::mailer(&w.sim)));
    sqlx::query("INSERT INTO app_settings (key, value) VALUES ($1, $2)")
        .bind(seatsync_delivery::TICKET_DEFAULTS_KEY)
        .bind(json!({"queue_id": 29683478}))
        .execute(&w.pool)
        .await
        .unwrap();
    let delivery = seatsync_delivery::Delivery::new(w.pool.clone(), w.slots.clone());
    let admin = kit::person(&w.pool, "Billing Admin").await;
    // Nothing set: nothing sent.
    let first = w.billing.run(None).await.unwrap();
    assert!(w.billing.deliver(&delivery, first.report_id).await.unwrap().is_empty());

    let wanted = BillingDelivery {
        ticket_company: Some(TicketCompany { id: 0, name: "Northwind MSP".into() }),
        ticket_psa: Some(TicketPsa::Autotask),
        email_to: vec!["billing@northwind-msp.example".into()],
    };
    seatsync_db::settings::set(&w.pool, seatsync_billing::delivery::DELIVERY_KEY, &wanted, admin).await.unwrap();
    let sent = w.billing.deliver(&delivery, first.report_id).await.unwrap();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent.iter().all(|s| s.ok), "{sent:?}");
    assert!(sent[0].said.starts_with("ticket T"), "{sent:?}");

    let made = billing_tickets(&w.sim).await;
    assert_eq!(made.len(), 1);
    let month = Utc::now().format("%B %Y").to_string();
    assert!(made[0]["title"].as_str().unwrap().contains(&month), "{}", made[0]["title"]);
    assert_eq!(made[0]["companyID"], 0);
    let text = made[0]["description"].as_str().unwrap();
    assert!(text.contains("- Microsoft 365: counted"), "{text}");
    assert!(text.contains("- Datto RMM: not set up"), "the log names every tool: {text}");
    let day = Utc::now().format("%Y-%m-%d");
    assert_eq!(files_of(&w.sim, &made[0]).await, [format!("billing-report-{day}.csv")]);
    {
        let mail = w.sim.sim.mail.lock().unwrap().clone();
        assert_eq!(mail.len(), 1);
        assert_eq!(mail[0].to, ["billing@northwind-msp.example"]);
        assert!(mail[0].data.contains(&format!("billing-report-{day}.csv")), "{}", mail[0].data);
    }

    // Sent again (a run taken over): nothing new anywhere.
    let again = w.billing.deliver(&delivery, first.report_id).await.unwrap();
    assert!(again.iter().all(|s| s.ok));
    assert_eq!(billing_tickets(&w.sim).await.len(), 1);
    assert_eq!(w.sim.sim.mail.lock().unwrap().len(), 1);

    // The next report goes out too, with what changed since the first.
    let second = w.billing.run(None).await.unwrap();
    w.billing.deliver(&delivery, second.report_id).await.unwrap();
    let made = billing_tickets(&w.sim).await;
    assert_eq!(made.len(), 2);
    let newest = made.into_iter().max_by_key(|t| t["id"].as_i64().unwrap()).unwrap();
    let mut files = files_of(&w.sim, &newest).await;
    files.sort();
    assert_eq!(files, [format!("billing-changes-{day}.csv"), format!("billing-report-{day}.csv")]);
    assert_eq!(w.sim.sim.mail.lock().unwrap().len(), 2);
}

/// The billing report's tickets in the simulated Autotask.
async fn billing_tickets(sim: &SimHandle) -> Vec<serde_json::Value> {
    kit::autotask_records(sim, "Tickets")
        .await
        .into_iter()
        .filter(|t| t["title"].as_str().is_some_and(|t| t.starts_with("Billing Reconciliation ")))
        .collect()
}

/// The names of a ticket's files.
async fn files_of(sim: &SimHandle, ticket: &serde_json::Value) -> Vec<String> {
    kit::autotask_records(sim, "TicketAttachments")
        .await
        .into_iter()
        .filter(|a| a["parentID"] == ticket["id"])
        .map(|a| a["title"].as_str().unwrap().to_string())
        .collect()
}
