//! Delivery against PostgreSQL and the simulator: a ticket with its file and an e-mail with its
//! attachment, each exactly once, also when the answer to the write is lost.

use std::sync::Arc;

use seatsync_delivery::{Delivery, FileAttachment, FollowUp, Outgoing, Recipient, TicketState};
use seatsync_domain::{
    kinds::{DeliveryStatus, FollowUpKind},
    CompanyId,
};
use seatsync_integrations::ClientSlots;
use seatsync_sim::{smtp, SimHandle};
use seatsync_testkit as kit;
use seatsync_vendors::{autotask::Autotask, connectwise::ConnectWise, halo::Halo};
use serde_json::json;

async fn setup() -> (SimHandle, Arc<Delivery>) {
    let (sim, delivery, _) = setup_with_pool().await;
    (sim, delivery)
}

async fn setup_with_pool() -> (SimHandle, Arc<Delivery>, sqlx::PgPool) {
    let sim = kit::sim_with_tenants(3).await;
    let pool = kit::fresh_pool(5).await;
    let slots = ClientSlots::default();
    let autotask: Arc<dyn Autotask> = kit::autotask(&sim, kit::quick_policy());
    slots.autotask.set(Some(autotask));
    slots.mailer.set(Some(kit::mailer(&sim)));
    let connectwise: Arc<dyn ConnectWise> = kit::connectwise(&sim, kit::quick_policy());
    slots.connectwise.set(Some(connectwise));
    let halo: Arc<dyn Halo> = kit::halo(&sim, kit::quick_policy());
    slots.halo.set(Some(halo));
    // Tickets go to the Billing queue, as an Admin chooses on the Autotask page (the simulated
    // Autotask, like the real one, wants a queue or an assigned resource).
    sqlx::query("INSERT INTO app_settings (key, value) VALUES ($1, $2)")
        .bind(seatsync_delivery::TICKET_DEFAULTS_KEY)
        .bind(json!({"queue_id": 29683478}))
        .execute(&pool)
        .await
        .unwrap();
    (sim, Delivery::new(pool.clone(), slots), pool)
}

fn csv(name: &str) -> FileAttachment {
    FileAttachment {
        file_name: name.into(),
        content_type: "text/csv".into(),
        bytes: b"Company,Seats\nContoso,3\n".to_vec(),
    }
}

fn message(key: &str, to: Recipient) -> Outgoing {
    Outgoing {
        dedup_key: key.into(),
        purpose: "Test".into(),
        title: "Unused licences at Contoso".into(),
        text: "Three seats are unused.".into(),
        html: Some("<p>Three seats are unused.</p>".into()),
        attachments: vec![csv("seats.csv")],
        to,
    }
}

async fn first_company(sim: &SimHandle) -> (CompanyId, String) {
    let companies = kit::autotask_records(sim, "Companies").await;
    let c = &companies[0];
    (CompanyId::new(c["id"].as_i64().unwrap()), c["companyName"].as_str().unwrap().to_string())
}

async fn tickets_with(sim: &SimHandle, reference: &str) -> Vec<serde_json::Value> {
    kit::autotask_records(sim, "Tickets")
        .await
        .into_iter()
        .filter(|t| t["title"].as_str().is_some_and(|title| title.contains(reference)))
        .collect()
}

#[tokio::test]
async fn a_ticket_with_its_file_is_opened_once_even_when_answers_are_lost() {
    let (sim, delivery) = setup().await;
    let (company_id, company_name) = first_company(&sim).await;
    let to = Recipient::AutotaskTicket { company_id, company_name };

    // The answers to the ticket and to the file are lost: both were made.
    kit::faults(
        &sim,
        json!([
            {"path": "/ATServicesRest/V1.0/Tickets", "method": "POST", "kind": "lost_response", "times": 1},
            {"path": "/ATServicesRest/V1.0/Tickets/*", "method": "POST", "contains": "Attachments", "kind": "lost_response", "times": 1},
        ]),
    )
    .await;
    let done = delivery.deliver(None, message("alert:contoso:2026-12", to.clone())).await.unwrap();
    assert_eq!(done.status, DeliveryStatus::Delivered, "{done:?}");
    let reference = seatsync_delivery::reference("alert:contoso:2026-12");
    let tickets = tickets_with(&sim, &reference).await;
    assert_eq!(tickets.len(), 1, "exactly one ticket");
    let attachments: Vec<_> = kit::autotask_records(&sim, "TicketAttachments")
        .await
        .into_iter()
        .filter(|a| a["parentID"] == tickets[0]["id"])
        .collect();
    assert_eq!(attachments.len(), 1, "exactly one file");
    assert_eq!(attachments[0]["title"], "seats.csv");
    assert!(done.answer.as_deref().unwrap().starts_with("Ticket T"), "{done:?}");

    // Asked again with the same key: the same delivery, nothing new in Autotask.
    let again = delivery.deliver(None, message("alert:contoso:2026-12", to)).await.unwrap();
    assert_eq!(again.id, done.id);
    assert_eq!(tickets_with(&sim, &reference).await.len(), 1);
}

#[tokio::test]
async fn a_ticket_refused_is_recorded_and_tried_again_without_a_duplicate() {
    let (sim, delivery) = setup().await;
    let (company_id, company_name) = first_company(&sim).await;
    let to = Recipient::AutotaskTicket { company_id, company_name };
    kit::faults(&sim, json!([{"path": "/ATServicesRest/V1.0/Tickets", "method": "POST", "kind": "status", "status": 500, "times": 10}])).await;
    let failed = delivery.deliver(None, message("key-1", to.clone())).await.unwrap();
    assert_eq!(failed.status, DeliveryStatus::Failed);
    assert!(failed.error.as_deref().unwrap().contains("500"), "{failed:?}");
    kit::faults(&sim, json!([])).await;
    let done = delivery.carry(failed.id).await.unwrap();
    assert_eq!(done.status, DeliveryStatus::Delivered, "{done:?}");
    assert_eq!(done.attempts, 2);
    assert_eq!(tickets_with(&sim, &seatsync_delivery::reference("key-1")).await.len(), 1);
}

#[tokio::test]
async fn a_file_over_autotasks_limit_is_refused_before_anything_is_sent() {
    let (sim, delivery) = setup().await;
    let (company_id, company_name) = first_company(&sim).await;
    let mut big = message("big", Recipient::AutotaskTicket { company_id, company_name });
    big.attachments = vec![FileAttachment {
        file_name: "huge.csv".into(),
        content_type: "text/csv".into(),
        bytes: vec![b'x'; 6_500_000],
    }];
    let before = sim.sim.vendor_calls.load(std::sync::atomic::Ordering::Relaxed);
    let refused = delivery.deliver(None, big).await.unwrap_err().to_string();
    assert!(
        refused.contains("huge.csv") && refused.contains("6.5 MB") && refused.contains("nothing was sent"),
        "{refused}"
    );
    assert_eq!(sim.sim.vendor_calls.load(std::sync::atomic::Ordering::Relaxed), before, "no call made");
    assert!(delivery.recent(10).await.unwrap().is_empty(), "nothing recorded");
}

#[tokio::test]
async fn an_email_with_both_bodies_and_its_attachment_is_sent_once() {
    let (sim, delivery) = setup().await;
    let to = Recipient::Email { to: vec!["billing@northwind-msp.example".into()] };
    let done = delivery.deliver(None, message("mail-1", to.clone())).await.unwrap();
    assert_eq!(done.status, DeliveryStatus::Delivered, "{done:?}");
    assert!(done.answer.as_deref().unwrap().starts_with("250"), "{done:?}");
    delivery.deliver(None, message("mail-1", to)).await.unwrap();
    let mail = sim.sim.mail.lock().unwrap().clone();
    assert_eq!(mail.len(), 1, "one message for one key");
    assert_eq!(mail[0].to, ["billing@northwind-msp.example"]);
    assert_eq!(mail[0].authenticated_as.as_deref(), Some(smtp::SMTP_USERNAME));
    assert!(mail[0].data.contains("text/html") && mail[0].data.contains("seats.csv"), "{}", mail[0].data);
}

#[tokio::test]
async fn an_email_whose_answer_is_lost_is_marked_uncertain_and_never_sent_again() {
    let (sim, delivery) = setup().await;
    kit::faults(&sim, json!([{"path": "smtp", "method": "DATA", "kind": "lost_response", "times": 1}])).await;
    let to = Recipient::Email { to: vec!["billing@northwind-msp.example".into()] };
    let uncertain = delivery.deliver(None, message("mail-lost", to.clone())).await.unwrap();
    assert_eq!(uncertain.status, DeliveryStatus::Uncertain, "{uncertain:?}");
    assert!(uncertain.error.as_deref().unwrap().contains("may have been sent"), "{uncertain:?}");
    // Asked again, carried again: still the one message the server kept.
    delivery.deliver(None, message("mail-lost", to)).await.unwrap();
    delivery.carry(uncertain.id).await.unwrap();
    assert_eq!(sim.sim.mail.lock().unwrap().len(), 1);

    // A person who checked with the recipient sends it again: once, under the same message id.
    let again = delivery.send_again(uncertain.id).await.unwrap();
    assert_eq!(again.status, DeliveryStatus::Delivered, "{again:?}");
    let mail = sim.sim.mail.lock().unwrap().clone();
    assert_eq!(mail.len(), 2);
    let id_of = |data: &str| data.lines().find(|l| l.starts_with("Message-ID:")).map(str::to_string);
    assert_eq!(id_of(&mail[0].data), id_of(&mail[1].data), "a copy is recognisable as one message");
    assert!(id_of(&mail[0].data).is_some());
    match delivery.send_again(uncertain.id).await {
        Err(seatsync_delivery::DeliveryError::Invalid(why)) => assert!(why.contains("delivered"), "{why}"),
        other => panic!("a sent e-mail is not sent again: {other:?}"),
    }
    assert_eq!(sim.sim.mail.lock().unwrap().len(), 2);

    // A refusal the server states is a failure, tried again on request.
    kit::faults(&sim, json!([{"path": "smtp", "method": "RCPT", "kind": "status", "status": 550, "times": 1}])).await;
    let to = Recipient::Email { to: vec!["nobody@northwind-msp.example".into()] };
    let refused = delivery.deliver(None, message("mail-refused", to)).await.unwrap();
    assert_eq!(refused.status, DeliveryStatus::Failed, "{refused:?}");
    assert!(refused.error.as_deref().unwrap().contains("550"), "{refused:?}");
    let sent = delivery.carry(refused.id).await.unwrap();
    assert_eq!(sent.status, DeliveryStatus::Delivered);
    assert_eq!(sim.sim.mail.lock().unwrap().len(), 3, "the two copies above and this one");
}

#[tokio::test]
async fn a_file_that_could_not_be_attached_is_attached_on_the_next_attempt_to_the_same_ticket() {
    let (sim, delivery) = setup().await;
    let (company_id, company_name) = first_company(&sim).await;
    let outgoing = message("stopped", Recipient::AutotaskTicket { company_id, company_name });
    kit::faults(&sim, json!([{"path": "/ATServicesRest/V1.0/Tickets/*", "method": "POST", "contains": "Attachments", "kind": "status", "status": 503, "times": 10}])).await;
    let stopped = delivery.deliver(None, outgoing).await.unwrap();
    assert_eq!(stopped.status, DeliveryStatus::Failed, "the file could not be attached: {stopped:?}");
    kit::faults(&sim, json!([])).await;
    // A failed delivery is not the resume's (it was not interrupted): it is tried again on request.
    assert_eq!(delivery.resume_stale(chrono::Duration::zero()).await.unwrap(), 0);
    let done = delivery.carry(stopped.id).await.unwrap();
    assert_eq!(done.status, DeliveryStatus::Delivered, "{done:?}");
    assert_eq!(
        tickets_with(&sim, &seatsync_delivery::reference("stopped")).await.len(),
        1,
        "the ticket was found, not made again"
    );
    let files = kit::autotask_records(&sim, "TicketAttachments").await;
    assert_eq!(files.iter().filter(|f| f["parentID"] == done.ticket_id.unwrap()).count(), 1);
}

#[tokio::test]
async fn a_delivery_whose_process_stopped_before_sending_is_carried_once_by_the_resume() {
    let (sim, delivery, pool) = setup_with_pool().await;
    // The intent was recorded, then the process stopped before sending anything.
    let to = vec!["billing@northwind-msp.example".to_string()];
    let (id, _) = seatsync_db::deliveries::record_intent(
        &pool,
        seatsync_db::deliveries::NewDelivery {
            dedup_key: "interrupted",
            channel: seatsync_domain::kinds::DeliveryChannel::Email,
            purpose: "Test",
            title: "Billing report",
            text_body: "Attached.",
            html_body: None,
            email_to: Some(&to),
            company_id: None,
            company_name: None,
            reference: &seatsync_delivery::reference("interrupted"),
            requested_by: None,
            attachments: &[("report.csv".into(), "text/csv".into(), b"a,b\n".to_vec())],
        },
    )
    .await
    .unwrap();
    // Not yet stale: left to the process that may still be working on it.
    assert_eq!(delivery.resume_stale(chrono::Duration::minutes(2)).await.unwrap(), 0);
    assert_eq!(delivery.resume_stale(chrono::Duration::zero()).await.unwrap(), 1);
    assert_eq!(delivery.resume_stale(chrono::Duration::zero()).await.unwrap(), 0, "delivered: nothing left");
    let mail = sim.sim.mail.lock().unwrap().clone();
    assert_eq!(mail.len(), 1);
    assert!(mail[0].data.contains("report.csv"));
    let row = delivery.recent(1).await.unwrap().remove(0);
    assert_eq!((row.id, row.status), (id, DeliveryStatus::Delivered));
}

async fn connectwise_received(sim: &SimHandle, what: &str) -> Vec<serde_json::Value> {
    reqwest::get(format!("{}/_sim/connectwise/{what}", sim.base_url)).await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn a_connectwise_ticket_with_its_document_is_opened_once_even_when_answers_are_lost() {
    let (sim, delivery, pool) = setup_with_pool().await;
    // The Billing board and its first status, as an Admin chose them.
    sqlx::query("INSERT INTO app_settings (key, value) VALUES ($1, $2)")
        .bind(seatsync_delivery::CONNECTWISE_DEFAULTS_KEY)
        .bind(json!({"board_id": 24, "status_id": 71}))
        .execute(&pool)
        .await
        .unwrap();
    kit::faults(
        &sim,
        json!([
            {"path": "/v4_6_release/apis/3.0/service/tickets", "method": "POST", "kind": "lost_response", "times": 1},
            {"path": "/v4_6_release/apis/3.0/system/documents", "method": "POST", "kind": "lost_response", "times": 1},
        ]),
    )
    .await;
    let mut outgoing = message("cw-1", Recipient::ConnectWiseTicket { company_id: 250, company_name: "First".into() });
    outgoing.title =
        "A very long title that goes on and on about unused licences at a customer with a long name".into();
    let done = delivery.deliver(None, outgoing.clone()).await.unwrap();
    assert_eq!(done.status, DeliveryStatus::Delivered, "{done:?}");
    let tickets = connectwise_received(&sim, "tickets").await;
    assert_eq!(tickets.len(), 1, "exactly one ticket");
    let summary = tickets[0]["summary"].as_str().unwrap();
    assert!(
        summary.chars().count() <= 100 && summary.ends_with(&format!("[{}]", seatsync_delivery::reference("cw-1"))),
        "{summary}"
    );
    assert_eq!(tickets[0]["board"]["name"], "Billing");
    let documents = connectwise_received(&sim, "documents").await;
    assert_eq!(documents.len(), 1, "exactly one document");
    assert_eq!(
        (documents[0]["recordId"].clone(), documents[0]["fileName"].clone()),
        (tickets[0]["id"].clone(), json!("seats.csv"))
    );
    assert_eq!(done.answer.as_deref(), Some(format!("Ticket #{}", tickets[0]["id"]).as_str()));

    // The same key again: nothing new.
    delivery.deliver(None, outgoing).await.unwrap();
    assert_eq!(connectwise_received(&sim, "tickets").await.len(), 1);

    // A file over the configured limit is refused before any call.
    let mut big = message("cw-big", Recipient::ConnectWiseTicket { company_id: 250, company_name: "First".into() });
    big.attachments = vec![FileAttachment {
        file_name: "big.csv".into(),
        content_type: "text/csv".into(),
        bytes: vec![b'x'; 1_500_000],
    }];
    let refused = delivery.deliver(None, big).await.unwrap_err().to_string();
    assert!(
        refused.contains("SEATSYNC_CONNECTWISE_MAX_ATTACHMENT_MB") && refused.contains("nothing was sent"),
        "{refused}"
    );
}

async fn halo_received(sim: &SimHandle, what: &str) -> Vec<serde_json::Value> {
    reqwest::get(format!("{}/_sim/halo/{what}", sim.base_url)).await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn a_halo_ticket_in_html_with_its_attachment_is_opened_once_even_when_answers_are_lost() {
    let (sim, delivery, pool) = setup_with_pool().await;
    sqlx::query("INSERT INTO app_settings (key, value) VALUES ($1, $2)")
        .bind(seatsync_delivery::HALO_DEFAULTS_KEY)
        .bind(json!({"ticket_type_id": 21}))
        .execute(&pool)
        .await
        .unwrap();
    kit::faults(
        &sim,
        json!([
            {"path": "/api/Tickets", "method": "POST", "kind": "lost_response", "times": 1},
            {"path": "/api/Attachment", "method": "POST", "kind": "lost_response", "times": 1},
        ]),
    )
    .await;
    let mut outgoing = message("halo-1", Recipient::HaloTicket { client_id: 12, client_name: "First".into() });
    outgoing.html = None;
    outgoing.text = "Three seats <unused>.\nSee the file.".into();
    let done = delivery.deliver(None, outgoing.clone()).await.unwrap();
    assert_eq!(done.status, DeliveryStatus::Delivered, "{done:?}");
    let tickets = halo_received(&sim, "tickets").await;
    assert_eq!(tickets.len(), 1, "exactly one ticket");
    assert_eq!(tickets[0]["tickettype_name"], "Billing");
    assert_eq!(tickets[0]["details"], "<p>Three seats &lt;unused&gt;.<br>See the file.</p>", "text made safe HTML");
    let files = halo_received(&sim, "attachments").await;
    assert_eq!(files.len(), 1, "exactly one attachment");
    assert_eq!(
        (files[0]["ticket_id"].clone(), files[0]["filename"].clone()),
        (tickets[0]["id"].clone(), json!("seats.csv"))
    );
    delivery.deliver(None, outgoing).await.unwrap();
    assert_eq!(halo_received(&sim, "tickets").await.len(), 1);

    let mut big = message("halo-big", Recipient::HaloTicket { client_id: 12, client_name: "First".into() });
    big.attachments = vec![FileAttachment {
        file_name: "big.csv".into(),
        content_type: "text/csv".into(),
        bytes: vec![b'x'; 1_500_000],
    }];
    let refused = delivery.deliver(None, big).await.unwrap_err().to_string();
    assert!(refused.contains("SEATSYNC_HALO_MAX_ATTACHMENT_MB"), "{refused}");
}

fn note(key: &str, kind: FollowUpKind) -> FollowUp {
    FollowUp { dedup_key: key.into(), kind, title: "Seats changed".into(), text: "Two seats <fewer>.".into() }
}

/// A note and a close on a ConnectWise or Halo ticket, each made once even when the PSA's answer
/// is lost, with the ticket read back as open and then closed.
async fn follow_ups_on(psa: &str, to: Recipient, notes: &str, note_path: &str, close: serde_json::Value) {
    let (sim, delivery) = setup().await;
    let ticket = delivery.deliver(None, message(&format!("{psa}-ticket"), to)).await.unwrap();
    assert_eq!(ticket.status, DeliveryStatus::Delivered, "{ticket:?}");
    let key = ticket.dedup_key.clone();
    assert_eq!(delivery.ticket_state(&key).await.unwrap(), TicketState::Open);

    kit::faults(&sim, json!([{"path": note_path, "method": "POST", "kind": "lost_response", "times": 1}])).await;
    let noted = delivery.follow_up(&key, None, note(&format!("{key}:n1"), FollowUpKind::Note)).await.unwrap();
    assert_eq!(noted.status, DeliveryStatus::Delivered, "the lost answer is settled by reading the notes: {noted:?}");
    delivery.follow_up(&key, None, note(&format!("{key}:n1"), FollowUpKind::Note)).await.unwrap();
    let added = kit::desk_records(&sim, psa, notes).await;
    assert_eq!(added.len(), 1, "one note, never two: {added:?}");
    let body = added[0].to_string();
    assert!(
        body.contains(&seatsync_delivery::reference(&format!("{key}:n1"))),
        "the note carries its reference: {body}"
    );
    assert!(body.contains("Seats changed") && body.contains("fewer"), "{body}");

    kit::faults(&sim, json!([close])).await;
    let closed = delivery.follow_up(&key, None, note(&format!("{key}:closed"), FollowUpKind::Close)).await.unwrap();
    assert_eq!(closed.status, DeliveryStatus::Delivered, "{closed:?}");
    assert_eq!(kit::desk_records(&sim, psa, notes).await.len(), 2);
    assert_eq!(delivery.ticket_state(&key).await.unwrap(), TicketState::Closed);
    let states = delivery.ticket_states(&[key.clone(), "never-made".into()]).await.unwrap();
    assert_eq!((states[&key].clone(), states["never-made"].clone()), (TicketState::Closed, TicketState::NotMade));
}

#[tokio::test]
async fn a_connectwise_ticket_is_noted_and_closed_once_even_when_answers_are_lost() {
    let to = Recipient::ConnectWiseTicket { company_id: 250, company_name: "First".into() };
    // The close's answer is lost: the ticket is read back and found closed.
    let close = json!({"path": "/v4_6_release/apis/3.0/service/tickets/10001", "method": "PATCH", "kind": "lost_response", "times": 1});
    follow_ups_on("connectwise", to, "notes", "/v4_6_release/apis/3.0/service/tickets/10001/notes", close).await;
}

#[tokio::test]
async fn a_halo_ticket_is_noted_and_closed_once_even_when_answers_are_lost() {
    let to = Recipient::HaloTicket { client_id: 12, client_name: "First".into() };
    let close = json!({"path": "/api/Tickets", "method": "POST", "kind": "lost_response", "times": 1});
    follow_ups_on("halo", to, "actions", "/api/Actions", close).await;
}
