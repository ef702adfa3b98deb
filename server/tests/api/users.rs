//! Revoking access: blocking, signing out everywhere, roles given before a first sign-in, and the
//! history of it all, each effective on the very next request.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{location, spawn_app, TestApp};

async fn user_id(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar("SELECT id::text FROM users WHERE email = $1").bind(email).fetch_one(&app.pool).await.unwrap()
}

fn user<'a>(list: &'a Value, email: &str) -> &'a Value {
    list["users"].as_array().unwrap().iter().find(|u| u["email"] == email).unwrap()
}

#[tokio::test]
async fn a_blocked_user_is_signed_out_at_once_and_cannot_sign_in() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin").await;
    let editor = app.signed_in("editor").await;
    let id = user_id(&app, "editor@northwind-msp.example").await;
    app.ok(&admin, "users/set_blocked", &[("user_id", &id), ("blocked", "true")]).await;

    // The very next request ends the session and says why.
    let res = editor.get(format!("{}/overview", app.url)).send().await.unwrap();
    assert_eq!(location(&res), "/signin?error=blocked&next=%2Foverview");
    assert_eq!(app.call(&editor, "overview/tenants", &[]).await.status(), StatusCode::UNAUTHORIZED);
    let (_, landed) = app.sign_in_as("editor").await;
    assert_eq!(landed, "/signin?error=blocked", "sign-in is refused");
    let page = reqwest::get(format!("{}{landed}", app.url)).await.unwrap().text().await.unwrap();
    assert!(page.contains("blocked by an Admin"));
    let list = app.ok(&admin, "users/list", &[]).await;
    assert!(user(&list, "editor@northwind-msp.example")["blocked_at"].is_string());

    app.ok(&admin, "users/set_blocked", &[("user_id", &id), ("blocked", "false")]).await;
    let again = app.signed_in("editor").await;
    assert_eq!(app.call(&again, "overview/tenants", &[]).await.status(), StatusCode::OK);

    // An Admin cannot lock themselves out.
    let own = user_id(&app, "admin@northwind-msp.example").await;
    let res = app.call(&admin, "users/set_blocked", &[("user_id", &own), ("blocked", "true")]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_of_the_user() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin").await;
    let laptop = app.signed_in("viewer").await;
    let phone = app.signed_in("viewer").await;
    let id = user_id(&app, "viewer@northwind-msp.example").await;
    app.ok(&admin, "users/sign_out_everywhere", &[("user_id", &id)]).await;
    for client in [&laptop, &phone] {
        assert!(app.signed_in_user(client).await.is_none(), "every session ended");
    }
    let res = laptop.get(format!("{}/", app.url)).send().await.unwrap();
    assert!(location(&res).starts_with("/signin"), "{}", location(&res));
    let fresh = app.signed_in("viewer").await;
    assert!(app.signed_in_user(&fresh).await.is_some(), "a new sign-in works");
    assert!(app.signed_in_user(&admin).await.is_some(), "nobody else is signed out");
}

#[tokio::test]
async fn a_role_given_before_the_first_sign_in_applies_and_the_history_says_who_did_what() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin").await;
    let message =
        app.ok(&admin, "users/grant_role", &[("email", "NoRole@Northwind-MSP.example"), ("role", "editor")]).await;
    assert!(message.as_str().unwrap().contains("from their first sign-in"), "{message}");
    let list = app.ok(&admin, "users/list", &[]).await;
    assert_eq!(list["pending"][0]["email"], "norole@northwind-msp.example");
    assert_eq!(list["pending"][0]["granted_by"], "Ada Admin");
    let res = app.call(&admin, "users/grant_role", &[("email", "not an address"), ("role", "editor")]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // Entra ID grants Nico nothing; the pre-assignment makes him an Editor from the start.
    let nico = app.signed_in("norole").await;
    assert_eq!(app.signed_in_user(&nico).await.unwrap()["role"], "editor");
    let list = app.ok(&admin, "users/list", &[]).await;
    assert!(list["pending"].as_array().unwrap().is_empty(), "used up");
    let row = user(&list, "norole@northwind-msp.example");
    assert_eq!(row["role_origin"], serde_json::json!({"Override": "pre_assigned"}));
    let ada = user(&list, "admin@northwind-msp.example");
    assert_eq!(ada["role_origin"], "IdentityProvider");

    // An Admin changes it later; the history tells the whole story, newest first.
    let id = row["id"].as_str().unwrap().to_string();
    app.ok(&admin, "users/set_role", &[("user_id", &id), ("role", "viewer")]).await;
    let history = app.ok(&admin, "users/history", &[("user_id", &id)]).await;
    let changes: Vec<&str> = history.as_array().unwrap().iter().map(|e| e["change"].as_str().unwrap()).collect();
    assert_eq!(changes, vec!["override_set", "pre_assignment_applied", "pre_assigned"]);
    let set = &history[0];
    assert_eq!(
        (set["by"].as_str(), set["what"].as_str()),
        (Some("Ada Admin"), Some("Role set to Viewer (was Editor)"))
    );

    // A role given to an address already in use applies at once; a waiting one can be withdrawn.
    let message =
        app.ok(&admin, "users/grant_role", &[("email", "norole@northwind-msp.example"), ("role", "admin")]).await;
    assert!(message.as_str().unwrap().contains("from their next request"), "{message}");
    assert_eq!(app.signed_in_user(&nico).await.unwrap()["role"], "admin");
    app.ok(&admin, "users/grant_role", &[("email", "starter@northwind-msp.example"), ("role", "viewer")]).await;
    app.ok(&admin, "users/withdraw_grant", &[("email", "starter@northwind-msp.example")]).await;
    assert!(app.ok(&admin, "users/list", &[]).await["pending"].as_array().unwrap().is_empty());
    let res = app.call(&admin, "users/withdraw_grant", &[("email", "starter@northwind-msp.example")]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_claims_seen_at_sign_in_are_kept_in_the_history() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin").await;
    app.signed_in("editor").await;
    let id = user_id(&app, "editor@northwind-msp.example").await;
    let history = app.ok(&admin, "users/history", &[("user_id", &id)]).await;
    assert_eq!(history.as_array().unwrap().len(), 1);
    assert_eq!(history[0]["what"], "Entra ID grants Editor (was no role)");
    // The same claim at the next sign-in adds nothing.
    app.signed_in("editor").await;
    assert_eq!(app.ok(&admin, "users/history", &[("user_id", &id)]).await.as_array().unwrap().len(), 1);
}
