//! Integrations configured in the app: saved values over the defaults, the environment winning,
//! secrets encrypted and never returned, the clients rebuilt at once on every instance, the
//! secrets key checked at start and rotated; and "Test connection", one harmless call in words.

use reqwest::StatusCode;
use serde_json::json;

use server::{config::Source, Application, Config};

use crate::helpers::{restart_with, sim_env, spawn_app, spawn_app_with};

#[tokio::test]
async fn an_admin_tests_each_connection_and_hears_what_happened_in_words() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin").await;
    let integrations = app.ok(&admin, "settings/integrations", &[]).await;
    let testable: Vec<&str> = integrations
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["testable"] == true)
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        testable,
        [
            "partner_center",
            "graph",
            "autotask",
            "pax8",
            "connectwise",
            "halo",
            "smtp",
            "datto_rmm",
            "huntress",
            "ninjaone",
            "sentinelone",
            "automate",
            "duo",
            "auvik"
        ]
    );
    // Each billing tool answers its test against the simulator, in words.
    for (key, said) in [
        ("datto_rmm", "read the site list"),
        ("huntress", "read the organization list"),
        ("ninjaone", "read the organization list"),
        ("sentinelone", "read the site list"),
        ("automate", "read the client list"),
        ("duo", "read the child account list"),
        ("auvik", "read the tenant list"),
    ] {
        let answer = app.ok(&admin, "settings/test_connection", &[("key", key)]).await;
        assert_eq!(answer["ok"], true, "{key}: {answer}");
        assert!(answer["message"].as_str().unwrap().contains(said), "{key}: {answer}");
    }

    let pc = app.ok(&admin, "settings/test_connection", &[("key", "partner_center")]).await;
    assert_eq!(pc["ok"], true, "{pc}");
    assert!(pc["message"].as_str().unwrap().contains("read the customer list"), "{pc}");
    let autotask = app.ok(&admin, "settings/test_connection", &[("key", "autotask")]).await;
    assert_eq!(autotask["ok"], true, "{autotask}");

    // Graph works inside customer tenants: none is known before the first sync.
    let before = app.call(&admin, "settings/test_connection", &[("key", "graph")]).await;
    assert_eq!(before.status(), StatusCode::CONFLICT);
    assert!(before.text().await.unwrap().contains("run the licence sync"));
    app.sync_all(&admin).await;
    let graph = app.ok(&admin, "settings/test_connection", &[("key", "graph")]).await;
    assert_eq!(graph["ok"], true, "{graph}");
    assert!(graph["message"].as_str().unwrap().contains("licence(s)"), "{graph}");

    // A refusal is reported, not thrown: Autotask's words, the page stays usable.
    seatsync_testkit::faults(
        &app.sim,
        json!([{"path": "/ATServicesRest/V1.0/Companies/query", "kind": "status", "status": 401}]),
    )
    .await;
    let refused = app.ok(&admin, "settings/test_connection", &[("key", "autotask")]).await;
    assert_eq!(refused["ok"], false, "{refused}");
    assert!(refused["message"].as_str().unwrap().starts_with("Autotask PSA answered:"), "{refused}");

    // Pax8, ConnectWise and HaloPSA, configured here, each say what they read.
    let checks = [
        ("pax8", "read the company list"),
        ("connectwise", "the server runs version"),
        ("halo", "ticket type(s)"),
        ("smtp", "signed in as seatsync@northwind-msp.example; nothing was sent"),
    ];
    for (key, said) in checks {
        let test = app.ok(&admin, "settings/test_connection", &[("key", key)]).await;
        assert_eq!(test["ok"], true, "{key}: {test}");
        assert!(test["message"].as_str().unwrap().contains(said), "{key}: {test}");
    }
    assert!(app.sim.sim.mail.lock().unwrap().is_empty(), "a connection test sends nothing");
    // The mail server refusing the sign-in is said in its words.
    seatsync_testkit::faults(&app.sim, json!([{"path": "smtp", "method": "AUTH", "kind": "status", "status": 535}]))
        .await;
    let refused = app.ok(&admin, "settings/test_connection", &[("key", "smtp")]).await;
    assert_eq!(refused["ok"], false, "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("535"), "{refused}");
    // Not an integration at all.
    let unknown = app.call(&admin, "settings/test_connection", &[("key", "nope")]).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

/// The Autotask credentials the simulator accepts.
const AUTOTASK_USER: &str = "seatsync-api@northwind-msp.example";
const AUTOTASK_SECRET: &str = "sim-autotask-secret";
const AUTOTASK_CODE: &str = "SEATSYNCSIMTRACKING";

fn without_autotask_credentials(pairs: &mut Vec<(String, String)>) {
    pairs.retain(|(k, _)| {
        !matches!(
            k.as_str(),
            "SEATSYNC_AUTOTASK_USERNAME" | "SEATSYNC_AUTOTASK_SECRET" | "SEATSYNC_AUTOTASK_INTEGRATION_CODE"
        )
    });
}

fn autotask_credentials() -> serde_json::Value {
    json!({"key": "autotask", "changes": [
        {"field": "username", "value": AUTOTASK_USER},
        {"field": "secret", "value": AUTOTASK_SECRET},
        {"field": "integration_code", "value": AUTOTASK_CODE},
    ]})
}

fn field<'a>(detail: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    detail["fields"].as_array().unwrap().iter().find(|f| f["name"] == name).unwrap()
}

#[tokio::test]
async fn an_admin_sets_autotask_up_in_the_app_and_it_is_used_at_once_secrets_never_leave_encrypted() {
    let app = spawn_app_with(without_autotask_credentials).await;
    let admin = app.signed_in("admin").await;
    let before = app.ok(&admin, "settings/integration", &[("key", "autotask")]).await;
    assert_eq!(before["info"]["configured"], false);
    assert!(before["info"]["missing"].as_array().unwrap().contains(&json!("API user name")), "{before}");
    assert_eq!(field(&before, "zone_url")["source"], "Environment", "the simulator's zone comes from the environment");
    let untested = app.call(&admin, "settings/test_connection", &[("key", "autotask")]).await;
    assert_eq!(untested.status(), StatusCode::BAD_REQUEST);

    // Saved: the answer says "set", never the value.
    let saved = app.call_json(&admin, "settings/save_integration", autotask_credentials()).await;
    assert_eq!(saved.status(), StatusCode::OK);
    let text = saved.text().await.unwrap();
    assert!(!text.contains(AUTOTASK_SECRET) && !text.contains(AUTOTASK_CODE), "{text}");
    let detail: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(detail["info"]["configured"], true, "{detail}");
    let secret = field(&detail, "secret");
    assert_eq!(
        (secret["source"].clone(), secret["is_set"].clone(), secret["value"].clone()),
        (json!("Stored"), json!(true), json!(null))
    );
    assert_eq!(field(&detail, "username")["value"], AUTOTASK_USER);
    assert!(secret["set_by"].as_str().unwrap().contains("Admin"), "{secret}");

    // In the database the secret is ciphertext under a key id, never the value.
    /// A stored value: field, plain value, sealed value, key id.
    type Stored = (String, Option<String>, Option<Vec<u8>>, Option<String>);
    let rows: Vec<Stored> = sqlx::query_as(
        "SELECT field, plain_value, secret_value, key_id FROM integration_values WHERE integration = 'autotask' ORDER BY field",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 3);
    for (name, plain, sealed, key_id) in &rows {
        if name == "username" {
            assert_eq!(plain.as_deref(), Some(AUTOTASK_USER));
            continue;
        }
        let sealed = sealed.as_ref().expect("a secret is stored sealed");
        assert!(plain.is_none() && key_id.is_some(), "{name}");
        let as_text = String::from_utf8_lossy(sealed);
        assert!(!as_text.contains(AUTOTASK_SECRET) && !as_text.contains(AUTOTASK_CODE), "{name} is plain text");
    }
    let audit: Vec<String> =
        sqlx::query_scalar("SELECT coalesce(old_value, '') || coalesce(new_value, '') FROM integration_audit")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(audit.len(), 3);
    assert!(audit.iter().all(|a| !a.contains(AUTOTASK_SECRET) && !a.contains(AUTOTASK_CODE)), "{audit:?}");

    // Used at once, without a restart.
    let test = app.ok(&admin, "settings/test_connection", &[("key", "autotask")]).await;
    assert_eq!(test["ok"], true, "{test}");
    let list = app.call(&admin, "settings/integrations", &[]).await.text().await.unwrap();
    assert!(!list.contains(AUTOTASK_SECRET) && !list.contains("seatsync-demo-secret"), "{list}");

    // The environment wins: its fields cannot be changed here, and the page says where to.
    let env_field =
        json!({"key": "autotask", "changes": [{"field": "zone_url", "value": "https://elsewhere.example/zone"}]});
    let refused = app.call_json(&admin, "settings/save_integration", env_field).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(refused.text().await.unwrap().contains("SEATSYNC_AUTOTASK_ZONE_URL"));
    // A bad value is refused in words, and nothing of the same save is kept.
    let bad = json!({"key": "autotask", "changes": [
        {"field": "username", "value": "someone-else@msp.example"},
        {"field": "hourly_share", "value": "150"},
    ]});
    let refused = app.call_json(&admin, "settings/save_integration", bad).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(refused.text().await.unwrap().contains("between 1 and 100"));
    let detail = app.ok(&admin, "settings/integration", &[("key", "autotask")]).await;
    assert_eq!(field(&detail, "username")["value"], AUTOTASK_USER);

    // A change is in the history with who made it; a secret's change carries no value.
    let change = json!({"key": "autotask", "changes": [{"field": "hourly_share", "value": "40"}]});
    assert_eq!(app.call_json(&admin, "settings/save_integration", change).await.status(), StatusCode::OK);
    let detail = app.ok(&admin, "settings/integration", &[("key", "autotask")]).await;
    let history = detail["history"].as_array().unwrap();
    assert_eq!(history.len(), 4, "{history:?}");
    assert_eq!(history[0]["new_value"], "40");
    assert!(history.iter().filter(|h| h["field"] == "API user secret").all(|h| h["new_value"].is_null()));

    // Removing the secret leaves Autotask unconfigured again, at once.
    let clear = json!({"key": "autotask", "changes": [{"field": "secret", "value": null}]});
    let cleared: serde_json::Value =
        app.call_json(&admin, "settings/save_integration", clear).await.json().await.unwrap();
    assert_eq!(cleared["info"]["configured"], false);
    let untested = app.call(&admin, "settings/test_connection", &[("key", "autotask")]).await;
    assert_eq!(untested.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_wrong_secrets_key_stops_the_start_naming_it_and_a_rotation_re_encrypts_every_secret() {
    let app = spawn_app_with(without_autotask_credentials).await;
    let admin = app.signed_in("admin").await;
    assert_eq!(
        app.call_json(&admin, "settings/save_integration", autotask_credentials()).await.status(),
        StatusCode::OK
    );
    let new_key = "bmV3LWtleS1mb3Itc2VhdHN5bmMtcm90YXRpb24tMzI=";
    let start = |pairs: Vec<(String, String)>| async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let config = Config::load(&Source::from_pairs(pairs).unwrap()).expect("valid configuration");
        Application::build_on(config, listener).await.map(|_| ())
    };
    let env_with = |key: Option<&str>, previous: Option<&str>| {
        let mut pairs = sim_env(&app.sim, &app.database_url, "http://127.0.0.1:9");
        without_autotask_credentials(&mut pairs);
        pairs.retain(|(k, _)| k != "SEATSYNC_SECRETS_KEY");
        if let Some(key) = key {
            pairs.push(("SEATSYNC_SECRETS_KEY".into(), key.into()));
        }
        if let Some(previous) = previous {
            pairs.push(("SEATSYNC_SECRETS_KEY_PREVIOUS".into(), previous.into()));
        }
        pairs
    };

    // Another key, or none: the start stops with the variable's name.
    let wrong = start(env_with(Some(new_key), None)).await.unwrap_err().to_string();
    assert!(wrong.contains("SEATSYNC_SECRETS_KEY") && wrong.contains("SEATSYNC_SECRETS_KEY_PREVIOUS"), "{wrong}");
    let missing = start(env_with(None, None)).await.unwrap_err().to_string();
    assert!(missing.starts_with("SEATSYNC_SECRETS_KEY: is required"), "{missing}");

    // The rotation: the old key as the previous one, the new key as the key.
    let ids = || async {
        sqlx::query_scalar::<_, String>("SELECT DISTINCT key_id FROM integration_values WHERE key_id IS NOT NULL")
            .fetch_all(&app.pool)
            .await
            .unwrap()
    };
    let old_ids = ids().await;
    start(env_with(Some(new_key), Some(seatsync_testkit::TEST_SECRETS_KEY))).await.expect("the rotation starts");
    let new_ids = ids().await;
    assert_eq!(new_ids.len(), 1);
    assert_ne!(old_ids, new_ids);
    // From now on the new key alone opens them, and the old one no longer does.
    let rotated = restart_with(&app, |pairs| {
        without_autotask_credentials(pairs);
        pairs.retain(|(k, _)| k != "SEATSYNC_SECRETS_KEY");
        pairs.push(("SEATSYNC_SECRETS_KEY".into(), new_key.into()));
    })
    .await;
    let admin = rotated.signed_in("admin").await;
    let test = rotated.ok(&admin, "settings/test_connection", &[("key", "autotask")]).await;
    assert_eq!(test["ok"], true, "{test}");
    let detail = rotated.ok(&admin, "settings/integration", &[("key", "autotask")]).await;
    assert_eq!(detail["history"][0]["action"], "rotated", "{detail}");
    assert!(start(env_with(Some(seatsync_testkit::TEST_SECRETS_KEY), None)).await.is_err());
}

#[tokio::test]
async fn a_change_saved_on_one_instance_is_used_by_the_other() {
    let first = spawn_app_with(|pairs| {
        without_autotask_credentials(pairs);
        pairs.push(("SEATSYNC_JOB_POLL_SECONDS".into(), "0.2".into()));
    })
    .await;
    let second = restart_with(&first, |pairs| {
        without_autotask_credentials(pairs);
        pairs.push(("SEATSYNC_JOB_POLL_SECONDS".into(), "0.2".into()));
    })
    .await;
    let on_second = second.signed_in("admin").await;
    let untested = second.call(&on_second, "settings/test_connection", &[("key", "autotask")]).await;
    assert_eq!(untested.status(), StatusCode::BAD_REQUEST);
    let on_first = first.signed_in("admin").await;
    assert_eq!(
        first.call_json(&on_first, "settings/save_integration", autotask_credentials()).await.status(),
        StatusCode::OK
    );
    // The second instance rebuilds its client within its poll interval.
    let mut answer = StatusCode::BAD_REQUEST;
    for _ in 0..50 {
        answer = second.call(&on_second, "settings/test_connection", &[("key", "autotask")]).await.status();
        if answer == StatusCode::OK {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(answer, StatusCode::OK);
}

#[tokio::test]
async fn an_admin_files_tickets_from_autotasks_lists_and_test_sends_arrive_once_listed_on_the_jobs_page() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin").await;
    // The Autotask cache holds the companies to choose from.
    assert_eq!(app.call(&admin, "mapping/refresh", &[]).await.status(), StatusCode::OK);

    // Ticket defaults come from Autotask's picklists, and only their values are accepted.
    let defaults = app.ok(&admin, "settings/ticket_defaults", &[]).await;
    let queue = defaults["fields"].as_array().unwrap().iter().find(|f| f["field"] == "queueID").unwrap();
    let billing =
        queue["options"].as_array().unwrap().iter().find(|o| o["label"] == "Billing").unwrap()["value"].clone();
    let bad = app
        .call_json(&admin, "settings/save_ticket_defaults", json!({"chosen": [{"field": "queueID", "value": 424242}]}))
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let saved = app
        .call_json(&admin, "settings/save_ticket_defaults", json!({"chosen": [{"field": "queueID", "value": billing}]}))
        .await;
    assert_eq!(saved.status(), StatusCode::OK);

    let companies = app.ok(&admin, "mapping/companies", &[]).await;
    let company = companies.as_array().unwrap().iter().find(|c| c["active"] == true).unwrap();
    let company_id = company["id"].to_string();
    let ticket = app.ok(&admin, "settings/test_ticket", &[("psa", "autotask"), ("company_id", &company_id)]).await;
    assert_eq!(ticket["ok"], true, "{ticket}");
    assert!(ticket["message"].as_str().unwrap().starts_with("Sent: Ticket T"), "{ticket}");
    let tickets = seatsync_testkit::autotask_records(&app.sim, "Tickets").await;
    let made: Vec<_> =
        tickets.iter().filter(|t| t["title"].as_str().unwrap_or("").starts_with("SeatSync test ticket")).collect();
    assert_eq!(made.len(), 1);
    assert_eq!(made[0]["queueID"], billing, "filed in the chosen queue");
    let files = seatsync_testkit::autotask_records(&app.sim, "TicketAttachments").await;
    assert!(files.iter().any(|f| f["parentID"] == made[0]["id"] && f["title"] == "seatsync-test.csv"));

    let email = app.ok(&admin, "settings/test_email", &[("to", "ada@northwind-msp.example")]).await;
    assert_eq!(email["ok"], true, "{email}");
    let mail = app.sim.sim.mail.lock().unwrap().clone();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].to, ["ada@northwind-msp.example"]);
    assert!(mail[0].data.contains("seatsync-test.csv"));
    let refused = app.call(&admin, "settings/test_email", &[("to", "not-an-address")]).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);

    // Both are on the Jobs page, which a Viewer reads too.
    let viewer = app.signed_in("viewer").await;
    let jobs = app.ok(&viewer, "jobs/list", &[]).await;
    let deliveries = jobs["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 2, "{deliveries:?}");
    assert_eq!(deliveries[0]["channel"], "email");
    assert_eq!(deliveries[0]["status"], "delivered");
    assert_eq!(deliveries[0]["attachments"], 1);
    assert!(deliveries[1]["answer"].as_str().unwrap().starts_with("Ticket T"));
    assert!(deliveries[1]["requested_by"].as_str().unwrap().contains("Admin"));
}

#[tokio::test]
async fn connectwise_tickets_open_on_the_board_chosen_from_its_lists_once_with_their_file() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin").await;
    let defaults = app.ok(&admin, "settings/cw_defaults", &[]).await;
    let billing =
        defaults["boards"].as_array().unwrap().iter().find(|b| b["label"] == "Billing").unwrap()["value"].clone();
    let statuses = app.ok(&admin, "settings/cw_statuses", &[("board_id", &billing.to_string())]).await;
    let review = statuses.as_array().unwrap().iter().find(|s| s["label"] == "Review").unwrap()["value"].clone();
    // A status of another board, or a board that does not exist, is refused.
    let wrong =
        app.call(&admin, "settings/save_cw_defaults", &[("board_id", &billing.to_string()), ("status_id", "16")]).await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    let saved = app
        .ok(
            &admin,
            "settings/save_cw_defaults",
            &[("board_id", &billing.to_string()), ("status_id", &review.to_string())],
        )
        .await;
    assert_eq!(saved["status_id"], review);

    let companies = app.ok(&admin, "settings/psa_companies", &[("psa", "connectwise")]).await;
    let company = &companies[0];
    let ticket = app
        .ok(&admin, "settings/test_ticket", &[("psa", "connectwise"), ("company_id", &company["id"].to_string())])
        .await;
    assert_eq!(ticket["ok"], true, "{ticket}");
    let tickets: Vec<serde_json::Value> =
        reqwest::get(format!("{}/_sim/connectwise/tickets", app.sim.base_url)).await.unwrap().json().await.unwrap();
    assert_eq!(tickets.len(), 1);
    assert_eq!(
        (tickets[0]["board"]["name"].clone(), tickets[0]["status"]["name"].clone()),
        (json!("Billing"), json!("Review"))
    );
    assert_eq!(tickets[0]["company"]["id"], company["id"]);
    let documents: Vec<serde_json::Value> =
        reqwest::get(format!("{}/_sim/connectwise/documents", app.sim.base_url)).await.unwrap().json().await.unwrap();
    assert_eq!(documents.len(), 1);
    assert_eq!(documents[0]["recordId"], tickets[0]["id"]);
    let jobs = app.ok(&admin, "jobs/list", &[]).await;
    assert_eq!(jobs["deliveries"][0]["channel"], "connectwise");
    assert!(jobs["deliveries"][0]["recipient"].as_str().unwrap().ends_with("(ConnectWise)"));
}

#[tokio::test]
async fn halo_tickets_open_as_the_type_chosen_from_its_list_once_with_their_file() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin").await;
    let defaults = app.ok(&admin, "settings/halo_defaults", &[]).await;
    let billing =
        defaults["ticket_types"].as_array().unwrap().iter().find(|t| t["label"] == "Billing").unwrap()["value"].clone();
    let wrong = app.call(&admin, "settings/save_halo_defaults", &[("ticket_type_id", "999")]).await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    let saved = app.ok(&admin, "settings/save_halo_defaults", &[("ticket_type_id", &billing.to_string())]).await;
    assert_eq!(saved["ticket_type_id"], billing);
    let clients = app.ok(&admin, "settings/psa_companies", &[("psa", "halo")]).await;
    let client = &clients[0];
    let ticket =
        app.ok(&admin, "settings/test_ticket", &[("psa", "halo"), ("company_id", &client["id"].to_string())]).await;
    // A client Halo does not have is refused in words.
    let unknown = app.call(&admin, "settings/test_ticket", &[("psa", "halo"), ("company_id", "999999")]).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert!(unknown.text().await.unwrap().contains("That HaloPSA client"));
    assert_eq!(ticket["ok"], true, "{ticket}");
    let tickets: Vec<serde_json::Value> =
        reqwest::get(format!("{}/_sim/halo/tickets", app.sim.base_url)).await.unwrap().json().await.unwrap();
    assert_eq!(tickets.len(), 1);
    assert_eq!(
        (tickets[0]["tickettype_name"].clone(), tickets[0]["client_id"].clone()),
        (json!("Billing"), client["id"].clone())
    );
    assert!(tickets[0]["details"].as_str().unwrap().starts_with("<p>"), "Halo gets HTML");
    let files: Vec<serde_json::Value> =
        reqwest::get(format!("{}/_sim/halo/attachments", app.sim.base_url)).await.unwrap().json().await.unwrap();
    assert_eq!(files.len(), 1);
}
