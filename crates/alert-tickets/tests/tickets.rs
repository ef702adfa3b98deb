//! The unused-licence tickets against PostgreSQL and the simulator over HTTP: one ticket per
//! tenant with working links, none twice over several runs, a note only when the findings
//! change, closed when nothing is left, a new one after a person closes it, and the note after
//! a link is confirmed, once even when Autotask's answer is lost.

use std::{collections::BTreeMap, sync::Arc};

use chrono::{Duration, Utc};
use seatsync_alert_tickets::{episode_key, AlertTickets};
use seatsync_db::{alert_tickets, licence_alerts, PgPool};
use seatsync_delivery::Delivery;
use seatsync_domain::{
    kinds::{DeliveryStatus, TicketPsa},
    TenantId,
};
use seatsync_integrations::ClientSlots;
use seatsync_licence_alerts::LicenceAlerts;
use seatsync_licence_sync::{Scope, Trigger};
use seatsync_remediation::{Remediation, Signer, Step};
use seatsync_sim::SimHandle;
use seatsync_testkit as kit;
use seatsync_vendors::{autotask::Autotask, connectwise::ConnectWise, halo::Halo, pax8::Pax8};
use serde_json::{json, Value};

const SECRET: &[u8] = b"the session secret of this test installation, long enough";
const PUBLIC_URL: &str = "https://seatsync.msp.example";

struct World {
    pool: PgPool,
    sim: SimHandle,
    alerts: Arc<LicenceAlerts>,
    remediation: Arc<Remediation>,
    tickets: Arc<AlertTickets>,
    autotask: Arc<dyn Autotask>,
}

impl World {
    async fn run(&self) -> seatsync_alert_tickets::TicketSummary {
        let run = self.alerts.run(Utc::now()).await.expect("alert run");
        self.tickets.send_after(run.run_id).await.expect("tickets tended")
    }

    async fn tickets_in_autotask(&self) -> Vec<Value> {
        kit::autotask_records(&self.sim, "tickets")
            .await
            .into_iter()
            .filter(|t| t["title"].as_str().is_some_and(|s| s.starts_with("Unused Microsoft licences")))
            .collect()
    }

    async fn notes_of(&self, ticket_id: i64) -> Vec<Value> {
        kit::autotask_records(&self.sim, "ticketnotes")
            .await
            .into_iter()
            .filter(|n| n["ticketID"].as_i64() == Some(ticket_id))
            .collect()
    }

    /// The Autotask ticket of the tenant's open episode.
    async fn ticket_of(&self, tenant: &TenantId) -> Value {
        let open = alert_tickets::open(&self.pool).await.unwrap();
        let episode = open.iter().find(|t| &t.tenant_id == tenant).expect("an open episode");
        let delivery =
            seatsync_db::deliveries::find_by_key(&self.pool, &episode.delivery_key).await.unwrap().expect("delivered");
        let id = delivery.ticket_id.expect("a ticket id");
        self.tickets_in_autotask().await.into_iter().find(|t| t["id"].as_i64() == Some(id)).expect("in Autotask")
    }
}

async fn world(tenants: usize) -> World {
    let pool = kit::fresh_pool(8).await;
    let sim = kit::sim_with_tenants(tenants).await;
    let sync = kit::licence_sync(&pool, &sim, 8);
    sync.run(Trigger::Schedule, Scope::All).await.expect("licence sync");
    let pax8: Arc<dyn Pax8> = kit::pax8(&sim, kit::quick_policy());
    let autotask: Arc<dyn Autotask> = kit::autotask(&sim, kit::quick_policy());
    let slots = ClientSlots::default();
    slots.licence_sync.set(Some(sync));
    slots.pax8.set(Some(pax8));
    slots.autotask.set(Some(autotask.clone()));
    slots.mailer.set(Some(kit::mailer(&sim)));
    slots.connectwise.set(Some(kit::connectwise(&sim, kit::quick_policy())));
    slots.halo.set(Some(kit::halo(&sim, kit::quick_policy())));
    let catalog = seatsync_licences::Catalog::new(pool.clone());
    let alerts = LicenceAlerts::new(pool.clone(), slots.pax8.clone(), catalog.clone());
    let remediation =
        Remediation::new(pool.clone(), slots.clone(), catalog, Signer::from_session_secret(SECRET), Duration::days(7));
    let delivery = Delivery::new(pool.clone(), slots.clone());
    let tickets = AlertTickets::new(pool.clone(), delivery, remediation.clone(), PUBLIC_URL);
    World { pool, sim, alerts, remediation, tickets, autotask }
}

/// Maps every tenant the simulator gives an Autotask company to that company, and files tickets
/// in the Billing queue, as an Admin does (Autotask wants a queue or an assigned resource).
async fn map_tenants(w: &World) {
    sqlx::query("INSERT INTO app_settings (key, value) VALUES ($1, $2)")
        .bind(seatsync_delivery::TICKET_DEFAULTS_KEY)
        .bind(json!({"queue_id": 29683478}))
        .execute(&w.pool)
        .await
        .unwrap();
    kit::map_tenants(&w.pool, &w.sim).await;
}

/// Alerted findings per tenant, as the newest run stored them.
async fn alerted(pool: &PgPool) -> BTreeMap<TenantId, Vec<licence_alerts::Finding>> {
    let mut out: BTreeMap<TenantId, Vec<licence_alerts::Finding>> = BTreeMap::new();
    for f in licence_alerts::findings(pool).await.unwrap().into_iter().filter(|f| f.alert) {
        out.entry(f.tenant_id.clone()).or_default().push(f);
    }
    out
}

/// The tokens of the reduction links in a text.
fn tokens(text: &str) -> Vec<String> {
    let marker = format!("{PUBLIC_URL}/alerts/reduce/");
    text.split(&marker)
        .skip(1)
        .map(|rest| rest.split(|c: char| c.is_whitespace() || c == '<').next().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_run_opens_one_ticket_per_mapped_tenant_with_links_and_never_a_second() {
    let w = world(40).await;
    map_tenants(&w).await;
    let first = w.run().await;
    let found = alerted(&w.pool).await;
    assert!(found.len() >= 3, "the seeded MSP has several tenants to alert: {}", found.len());
    assert_eq!(first.opened + first.unmapped.len(), found.len(), "{first:?}");
    assert!(first.failed.is_empty(), "{first:?}");
    assert!(first.opened >= 3, "{first:?}");
    let made = w.tickets_in_autotask().await;
    assert_eq!(made.len(), first.opened);

    // Each ticket is for the tenant's company, lists its subscriptions and carries working links
    // bound to the ticket.
    let (tenant, findings) =
        found.iter().find(|(_, f)| (2..=4).contains(&f.len())).expect("a tenant with a few findings");
    let ticket = w.ticket_of(tenant).await;
    assert_eq!(ticket["companyID"].as_i64(), kit::company_of(&w.sim, tenant.as_str()).await);
    let text = ticket["description"].as_str().unwrap();
    assert!(text.chars().count() <= 8000);
    for f in findings {
        assert!(text.contains(&f.product), "{} is listed in\n{text}", f.product);
    }
    assert!(text.contains("Reduce all of them:"), "{text}");
    let links = tokens(text);
    assert_eq!(links.len(), findings.len() + 1, "one per subscription and one for all:\n{text}");
    for token in &links {
        let plan = w.remediation.inspect(token).await.expect("the link opens");
        assert_eq!(plan.delivery_key.as_deref(), Some(episode_key(tenant, 1).as_str()));
        assert!(plan.items.iter().any(|i| matches!(i.step, Step::Reduce { .. } | Step::WaitForWindow { .. })));
    }

    // Two more runs: no new ticket, no note (nothing changed).
    for _ in 0..2 {
        let again = w.run().await;
        assert_eq!((again.opened, again.noted, again.closed), (0, 0, 0), "{again:?}");
    }
    assert_eq!(w.tickets_in_autotask().await.len(), first.opened);
    let id = ticket["id"].as_i64().unwrap();
    assert!(w.notes_of(id).await.is_empty());

    // The run is stored with what it did to the tickets.
    let run = licence_alerts::last_run(&w.pool).await.unwrap().unwrap();
    assert_eq!(run.tickets_opened, Some(0));
}

#[tokio::test]
async fn changed_findings_add_one_note_and_nothing_left_closes_the_ticket() {
    let w = world(40).await;
    map_tenants(&w).await;
    w.run().await;
    let found = alerted(&w.pool).await;
    let editor = kit::person(&w.pool, "Eddie Editor").await;
    let (tenant, findings) = found.iter().find(|(_, f)| f.len() > 1).expect("a tenant with two findings");
    let ticket = w.ticket_of(tenant).await;
    let id = ticket["id"].as_i64().unwrap();

    // One licence of the tenant is left out: its findings change, and the ticket says so once.
    licence_alerts::set_sku_excluded(&w.pool, tenant, &findings[0].sku_id, true, Some("grant"), editor).await.unwrap();
    let changed = w.run().await;
    assert_eq!(changed.noted, 1, "{changed:?}");
    let notes = w.notes_of(id).await;
    assert_eq!(notes.len(), 1);
    assert!(notes[0]["title"].as_str().unwrap().starts_with("Unused licences changed"), "{notes:?}");
    assert!(!tokens(notes[0]["description"].as_str().unwrap()).is_empty(), "the note carries new links");
    assert_eq!(w.run().await.noted, 0, "the same findings are not noted again");
    assert_eq!(w.notes_of(id).await.len(), 1);

    // The whole tenant is left out: nothing is reducible any more, so the ticket is closed.
    licence_alerts::set_tenant_excluded(&w.pool, tenant, true, None, editor).await.unwrap();
    let closed = w.run().await;
    assert_eq!(closed.closed, 1, "{closed:?}");
    let complete = w.autotask.complete_status().await.unwrap();
    let after = w.tickets_in_autotask().await.into_iter().find(|t| t["id"].as_i64() == Some(id)).unwrap();
    assert_eq!(after["status"].as_i64(), Some(complete));
    let notes = w.notes_of(id).await;
    assert_eq!(notes.len(), 2);
    assert!(notes[1]["title"].as_str().unwrap().starts_with("Nothing left to reduce"));
    assert!(alert_tickets::open(&w.pool).await.unwrap().iter().all(|t| &t.tenant_id != tenant));

    // Taken back in: a new ticket (a new episode), not the closed one reopened.
    licence_alerts::set_tenant_excluded(&w.pool, tenant, false, None, editor).await.unwrap();
    let reopened = w.run().await;
    assert_eq!(reopened.opened, 1, "{reopened:?}");
    let new_ticket = w.ticket_of(tenant).await;
    assert_ne!(new_ticket["id"], ticket["id"]);
    let open = alert_tickets::open(&w.pool).await.unwrap();
    assert_eq!(open.iter().find(|t| &t.tenant_id == tenant).unwrap().episode, 2);
}

#[tokio::test]
async fn a_ticket_a_person_closes_is_followed_by_a_new_one_while_seats_stay_unused() {
    let w = world(40).await;
    map_tenants(&w).await;
    let first = w.run().await;
    let found = alerted(&w.pool).await;
    let tenant = found.keys().next().unwrap();
    let ticket = w.ticket_of(tenant).await;
    w.autotask.complete_ticket(ticket["id"].as_i64().unwrap()).await.unwrap();
    let next = w.run().await;
    assert_eq!(next.opened, 1, "{next:?}");
    assert_eq!(w.tickets_in_autotask().await.len(), first.opened + 1);
    let episodes = alert_tickets::recent(&w.pool, 100).await.unwrap();
    let closed = episodes.iter().find(|e| &e.tenant_id == tenant && e.episode == 1).unwrap();
    assert_eq!(closed.closed_why.as_deref(), Some("closed in Autotask"));
}

#[tokio::test]
async fn a_confirmed_link_notes_the_ticket_once_even_when_the_answer_is_lost() {
    let w = world(40).await;
    map_tenants(&w).await;
    w.run().await;
    let found = alerted(&w.pool).await;
    let (tenant, _) = found
        .iter()
        .find(|(_, fs)| fs.iter().any(|f| f.timing == seatsync_domain::kinds::FindingTiming::Now))
        .expect("a tenant reducible now");
    let ticket = w.ticket_of(tenant).await;
    let id = ticket["id"].as_i64().unwrap();
    let text = ticket["description"].as_str().unwrap();
    let mut actionable = None;
    for token in tokens(text) {
        if w.remediation.inspect(&token).await.unwrap().actionable() {
            actionable = Some(token);
            break;
        }
    }
    let token = actionable.expect("a link that can be confirmed now");
    let editor = kit::person(&w.pool, "Eddie Editor").await;
    let confirmed = w.remediation.confirm(&token, editor).await.unwrap();
    assert!(confirmed.changes.iter().any(|c| c.status == seatsync_domain::kinds::QuantityChangeStatus::Done));

    // Autotask adds the note but its answer is lost: the note is found, not added again.
    kit::faults(
        &w.sim,
        json!([{"path": "/ATServicesRest/V1.0/Tickets/*", "method": "POST", "contains": "Notes", "kind": "lost_response", "times": 1}]),
    )
    .await;
    let note = w.tickets.note_confirmed(&confirmed, editor, "Eddie Editor").await.unwrap().unwrap();
    kit::faults(&w.sim, json!([])).await;
    assert_eq!(note.status, DeliveryStatus::Delivered, "{note:?}");
    let notes = w.notes_of(id).await;
    assert_eq!(notes.len(), 1, "{notes:?}");
    let body = notes[0]["description"].as_str().unwrap();
    assert!(body.contains("Eddie Editor confirmed") && body.contains("Done."), "{body}");
    // Asked again (a second click, a retry): still one note.
    w.tickets.note_confirmed(&confirmed, editor, "Eddie Editor").await.unwrap();
    assert_eq!(w.notes_of(id).await.len(), 1);
}

#[tokio::test]
async fn without_autotask_no_ticket_is_considered_and_the_run_says_why() {
    let w = world(10).await;
    let slots = ClientSlots::default();
    let delivery = Delivery::new(w.pool.clone(), slots);
    let tickets = AlertTickets::new(w.pool.clone(), delivery, w.remediation.clone(), PUBLIC_URL);
    let run = w.alerts.run(Utc::now()).await.unwrap();
    let summary = tickets.send_after(run.run_id).await.unwrap();
    assert!(summary.skipped.as_deref().is_some_and(|s| s.contains("Autotask is not configured")));
    assert!(w.tickets_in_autotask().await.is_empty());
}

/// Tickets in ConnectWise Manage or HaloPSA, as an Admin chooses: none for a customer without a
/// company there (the run names it), one per customer once an Editor chose its company, none
/// twice, one note when the findings change, closed with a note when nothing is left.
async fn tickets_go_to(psa: TicketPsa, desk: &str, notes: &str) {
    let w = world(40).await;
    let admin = kit::person(&w.pool, "Ada Admin").await;
    seatsync_db::settings::set(&w.pool, seatsync_delivery::TICKET_PSA_KEY, &psa, admin).await.unwrap();
    // Autotask's mappings do not count for another PSA.
    map_tenants(&w).await;
    let none = w.run().await;
    let found = alerted(&w.pool).await;
    assert!(found.len() >= 3, "{}", found.len());
    assert_eq!((none.opened, none.unmapped.len()), (0, found.len()), "{none:?}");

    let companies: Vec<(i64, String)> = match psa {
        TicketPsa::ConnectWise => kit::connectwise(&w.sim, kit::quick_policy())
            .companies()
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect(),
        _ => kit::halo(&w.sim, kit::quick_policy())
            .clients()
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect(),
    };
    let chosen: Vec<seatsync_db::ticket_companies::TicketCompany> = found
        .keys()
        .zip(&companies)
        .map(|(tenant_id, (company_id, name))| seatsync_db::ticket_companies::TicketCompany {
            tenant_id,
            company_id: *company_id,
            company_name: name,
        })
        .collect();
    seatsync_db::ticket_companies::set(&w.pool, psa, &chosen, admin).await.unwrap();
    let first = w.run().await;
    assert_eq!((first.opened, first.unmapped.len()), (found.len(), 0), "{first:?}");
    assert!(first.failed.is_empty(), "{first:?}");
    let tickets = kit::desk_records(&w.sim, desk, "tickets").await;
    assert_eq!(tickets.len(), found.len());
    let ticket_of = |tickets: &[Value], tenant: &TenantId| -> Value {
        let company = chosen.iter().find(|c| c.tenant_id == tenant).unwrap().company_id;
        let of = |t: &&Value| t["company"]["id"].as_i64().or(t["client_id"].as_i64()) == Some(company);
        tickets.iter().find(of).cloned().expect("a ticket for the customer's company")
    };
    for (tenant, findings) in &found {
        let ticket = ticket_of(&tickets, tenant);
        // Halo's is HTML, its text escaped.
        let text = ticket["initialDescription"].as_str().or(ticket["details"].as_str()).unwrap().replace("&amp;", "&");
        assert!(!tokens(&text).is_empty(), "links in\n{text}");
        for f in findings {
            assert!(text.contains(&f.product), "{} in\n{text}", f.product);
        }
    }
    let again = w.run().await;
    assert_eq!((again.opened, again.noted, again.closed), (0, 0, 0), "{again:?}");
    assert_eq!(kit::desk_records(&w.sim, desk, "tickets").await.len(), found.len());

    // One licence of a customer is left out: one note on its ticket.
    let editor = kit::person(&w.pool, "Eddie Editor").await;
    let (tenant, findings) = found.iter().find(|(_, f)| f.len() > 1).expect("a customer with two findings");
    let id = ticket_of(&tickets, tenant)["id"].clone();
    let on_ticket = |all: Vec<Value>| -> Vec<Value> {
        all.into_iter().filter(|n| n["ticketId"] == id || n["ticket_id"] == id).collect()
    };
    licence_alerts::set_sku_excluded(&w.pool, tenant, &findings[0].sku_id, true, None, editor).await.unwrap();
    assert_eq!(w.run().await.noted, 1);
    let said = on_ticket(kit::desk_records(&w.sim, desk, notes).await);
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].to_string().contains("Unused licences changed"), "{said:?}");

    // The whole customer is left out: closed with a note.
    licence_alerts::set_tenant_excluded(&w.pool, tenant, true, None, editor).await.unwrap();
    assert_eq!(w.run().await.closed, 1);
    assert_eq!(on_ticket(kit::desk_records(&w.sim, desk, notes).await).len(), 2);
    let after = kit::desk_records(&w.sim, desk, "tickets").await;
    let closed = after.iter().find(|t| t["id"] == id).unwrap();
    assert!(closed["closedFlag"] == true || closed["status_id"] == 9, "{closed}");
    assert_eq!(w.run().await.closed, 0, "closed once");
}

#[tokio::test]
async fn tickets_go_to_connectwise_when_the_admin_chooses_it() {
    tickets_go_to(TicketPsa::ConnectWise, "connectwise", "notes").await;
}

#[tokio::test]
async fn tickets_go_to_halo_when_the_admin_chooses_it() {
    tickets_go_to(TicketPsa::Halo, "halo", "actions").await;
}

#[tokio::test]
async fn tenants_without_a_company_are_named_not_ticketed() {
    let w = world(20).await;
    let summary = w.run().await;
    assert_eq!(summary.opened, 0);
    assert_eq!(summary.unmapped.len(), alerted(&w.pool).await.len());
    let run = licence_alerts::last_run(&w.pool).await.unwrap().unwrap();
    assert_eq!(run.tickets_unmapped.unwrap_or_default().len(), summary.unmapped.len());
}

/// E-mails the alerts as an Admin sets it on the Alerts page.
async fn email_alerts(w: &World, mode: &str, to: &[&str]) {
    sqlx::query(
        "INSERT INTO app_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
    )
    .bind(seatsync_licence_alerts::settings::SETTINGS_KEY)
    .bind(json!({"renewal_notice_days": 30, "email": {"mode": mode, "to": to}}))
    .execute(&w.pool)
    .await
    .unwrap();
}

impl World {
    /// A run and its e-mails, as the alert job does them, `job` naming the job run.
    async fn run_and_email(&self, job: &str) -> Option<seatsync_alert_tickets::email::EmailSummary> {
        let run = self.alerts.run(Utc::now()).await.expect("alert run");
        self.tickets.email_after(run.run_id, job).await.expect("e-mails sent")
    }

    fn mail(&self) -> Vec<seatsync_sim::smtp::ReceivedMail> {
        self.sim.sim.mail.lock().unwrap().clone()
    }
}

#[tokio::test]
async fn each_customer_is_e_mailed_once_until_its_findings_change() {
    let w = world(40).await;
    assert_eq!(w.run_and_email("job-0").await, None, "e-mail is off by default");
    assert!(w.mail().is_empty());

    email_alerts(&w, "PerCustomer", &["billing@northwind-msp.example"]).await;
    let first = w.run_and_email("job-1").await.unwrap();
    let found = alerted(&w.pool).await;
    assert_eq!(first.sent, found.len(), "{first:?}");
    assert!(first.failed.is_empty(), "{first:?}");
    let mail = w.mail();
    assert_eq!(mail.len(), found.len());
    assert!(mail.iter().all(|m| m.to == ["billing@northwind-msp.example"]));
    for tenant in seatsync_db::tenants::list(&w.pool).await.unwrap() {
        let Some(findings) = found.get(&tenant.tenant_id) else { continue };
        let message = mail
            .iter()
            .find(|m| m.text().unwrap().contains(&format!("licences that {} pays for", tenant.name)))
            .unwrap_or_else(|| panic!("an e-mail for {}", tenant.name));
        let links = tokens(&message.text().unwrap());
        let expected = findings.len() + usize::from(findings.len() > 1);
        assert_eq!(links.len(), expected, "a link per subscription and one for all: {:?}", message.text());
        // The links work like a ticket's, without a ticket to note.
        let plan = w.remediation.inspect(&links[0]).await.unwrap();
        assert!(plan.items.iter().all(|i| !matches!(i.step, Step::Nothing { .. })), "{plan:?}");
        assert_eq!(plan.delivery_key, None);
    }

    // The same findings the next day: nothing new to say. The same job again (taken over after
    // a crash): nothing sent twice.
    let again = w.run_and_email("job-2").await.unwrap();
    assert_eq!((again.sent, again.failed.len()), (0, 0));
    w.run_and_email("job-1").await.unwrap();
    assert_eq!(w.mail().len(), found.len());

    // One customer's seats change: that customer alone is e-mailed again.
    let (tenant, f) = found
        .iter()
        .find_map(|(t, fs)| fs.iter().find(|f| f.reducible >= 2).map(|f| (t, f)))
        .expect("a finding with seats to spare after one more user");
    // One more user of the licence: its target goes up by one.
    reqwest::Client::new()
        .post(format!("{}/_sim/graph/{}/assigned", w.sim.base_url, f.tenant_id))
        .json(&json!({"skuId": f.sku_id.as_str(), "consumed": f.assigned + 1}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let sync = kit::licence_sync(&w.pool, &w.sim, 8);
    sync.run(Trigger::Schedule, Scope::All).await.expect("licence sync");
    let changed = w.run_and_email("job-3").await.unwrap();
    assert_eq!(changed.sent, 1, "{changed:?}");
    let name = seatsync_db::tenants::find(&w.pool, tenant).await.unwrap().name;
    assert!(w.mail().last().unwrap().text().unwrap().contains(&format!("licences that {name} pays for")));
}

#[tokio::test]
async fn the_digest_lists_every_customer_in_one_e_mail_per_run() {
    let w = world(40).await;
    email_alerts(&w, "Digest", &["billing@northwind-msp.example", "owner@northwind-msp.example"]).await;
    let sent = w.run_and_email("job-1").await.unwrap();
    assert_eq!((sent.sent, sent.failed.len()), (1, 0), "{sent:?}");
    let mail = w.mail();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].to, ["billing@northwind-msp.example", "owner@northwind-msp.example"]);
    let found = alerted(&w.pool).await;
    let text = mail[0].text().unwrap();
    for tenant in seatsync_db::tenants::list(&w.pool).await.unwrap() {
        if found.contains_key(&tenant.tenant_id) {
            assert!(text.contains(&format!("== {}:", tenant.name)), "{} listed", tenant.name);
        }
    }
    assert_eq!(tokens(&text).len(), found.len(), "one link per customer");
    let run: (Option<i32>, Option<Vec<String>>) =
        sqlx::query_as("SELECT emails_sent, email_failed FROM licence_alert_runs ORDER BY id DESC LIMIT 1")
            .fetch_one(&w.pool)
            .await
            .unwrap();
    assert_eq!(run, (Some(1), Some(vec![])), "stored on the run for the Alerts page");

    // Each run sends its digest; the same job run taken over does not send it again.
    w.run_and_email("job-1").await.unwrap();
    assert_eq!(w.mail().len(), 1);
    w.run_and_email("job-2").await.unwrap();
    assert_eq!(w.mail().len(), 2);
}

#[tokio::test]
async fn a_mail_server_that_refuses_is_said_on_the_run_and_tried_again_next_run() {
    let w = world(12).await;
    email_alerts(&w, "PerCustomer", &["billing@northwind-msp.example"]).await;
    kit::faults(&w.sim, json!([{"path": "smtp", "method": "RCPT", "kind": "status", "status": 550, "times": 1000}]))
        .await;
    let refused = w.run_and_email("job-1").await.unwrap();
    assert_eq!(refused.sent, 0);
    assert!(!refused.failed.is_empty(), "{refused:?}");
    assert!(refused.failed[0].contains("550"), "the server's words: {refused:?}");
    kit::faults(&w.sim, json!([])).await;
    let retried = w.run_and_email("job-2").await.unwrap();
    assert_eq!(retried.sent, refused.failed.len(), "{retried:?}");
}

#[tokio::test]
async fn seats_waiting_for_a_pax8_company_get_a_ticket_when_the_admin_asks() {
    let w = world(40).await;
    map_tenants(&w).await;
    let off = w.run().await;
    assert!(off.failed.is_empty(), "{off:?}");
    let found = alerted(&w.pool).await;
    let mut waiting: BTreeMap<TenantId, Vec<licence_alerts::PassedOver>> = BTreeMap::new();
    for p in licence_alerts::passed_over(&w.pool).await.unwrap() {
        if p.reason == "no_channel" && p.unused > 0 {
            waiting.entry(p.tenant_id.clone()).or_default().push(p);
        }
    }
    assert!(!waiting.is_empty(), "the seeded Pax8 has companies waiting for a person");
    let mut with_company = Vec::new();
    for tenant in waiting.keys() {
        if kit::company_of(&w.sim, tenant.as_str()).await.is_some() {
            with_company.push(tenant.clone());
        }
    }
    let only_waiting: Vec<&TenantId> = with_company.iter().filter(|t| !found.contains_key(*t)).collect();
    let both: Vec<&TenantId> = with_company.iter().filter(|t| found.contains_key(*t)).collect();
    assert!(!only_waiting.is_empty() || !both.is_empty(), "a waiting customer billed in Autotask");

    sqlx::query(
        "INSERT INTO app_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
    )
    .bind(seatsync_licence_alerts::settings::SETTINGS_KEY)
    .bind(json!({"renewal_notice_days": 30, "ticket_waiting": true}))
    .execute(&w.pool)
    .await
    .unwrap();
    let on = w.run().await;
    assert!(on.failed.is_empty(), "{on:?}");
    assert_eq!(on.opened, only_waiting.len(), "a ticket for each customer with only waiting seats: {on:?}");
    assert_eq!(on.noted, both.len(), "a note where the ticket is open already: {on:?}");
    for tenant in &only_waiting {
        let ticket = w.ticket_of(tenant).await;
        let text = ticket["description"].as_str().unwrap();
        assert!(text.contains("Waiting for the customer's Pax8 company to be confirmed"), "{text}");
        assert!(!text.contains("/alerts/reduce/"), "no link for seats nobody can change yet: {text}");
        assert!(text.contains(&format!("{PUBLIC_URL}/alerts/pax8-companies")), "{text}");
        for p in &waiting[*tenant] {
            assert!(text.contains(&format!("- {}:", p.part_number.as_deref().unwrap())), "{text}");
        }
    }
    // Nothing changed: nothing more to say.
    let again = w.run().await;
    assert_eq!((again.opened, again.noted, again.closed), (0, 0, 0), "{again:?}");
}

#[tokio::test]
async fn a_ticket_autotask_refused_goes_out_later_with_fresh_contents_and_links() {
    let w = world(40).await;
    map_tenants(&w).await;
    kit::faults(
        &w.sim,
        json!([{"path": "/ATServicesRest/V1.0/Tickets", "method": "POST", "kind": "status", "status": 400, "times": 100000}]),
    )
    .await;
    let refused = w.run().await;
    kit::faults(&w.sim, json!([])).await;
    assert_eq!(refused.opened, 0, "{refused:?}");
    assert!(!refused.failed.is_empty(), "{refused:?}");
    assert!(w.tickets_in_autotask().await.is_empty());

    // Meanwhile one licence of a customer is left out.
    let found = alerted(&w.pool).await;
    let open = alert_tickets::open(&w.pool).await.unwrap();
    let (tenant, findings) = found
        .iter()
        .find(|(t, f)| {
            let skus: std::collections::BTreeSet<_> = f.iter().map(|x| &x.sku_id).collect();
            skus.len() > 2 && open.iter().any(|o| &o.tenant_id == *t)
        })
        .expect("a refused ticket with three licences or more");
    let key = open.iter().find(|o| &o.tenant_id == tenant).unwrap().delivery_key.clone();
    let first = seatsync_db::deliveries::find_by_key(&w.pool, &key).await.unwrap().unwrap();
    let old_links = tokens(&first.text_body);
    let editor = kit::person(&w.pool, "Eddie Editor").await;
    licence_alerts::set_sku_excluded(&w.pool, tenant, &findings[0].sku_id, true, None, editor).await.unwrap();

    let later = w.run().await;
    assert!(later.failed.is_empty(), "{later:?}");
    assert_eq!(later.opened, refused.failed.len(), "every refused ticket is made now: {later:?}");
    let now = alerted(&w.pool).await;
    let listed = &now[tenant];
    let ticket = w.ticket_of(tenant).await;
    let links = tokens(ticket["description"].as_str().unwrap());
    assert_eq!(links.len(), listed.len() + 1, "today's findings, each with a link, and one for all");
    assert!(links.iter().all(|l| !old_links.contains(l)), "links nobody saw are not sent stale");
    assert!(w.notes_of(ticket["id"].as_i64().unwrap()).await.is_empty(), "no change note on a ticket just made");
    // Nothing changed since: nothing more.
    let again = w.run().await;
    assert_eq!((again.opened, again.noted), (0, 0), "{again:?}");
}
