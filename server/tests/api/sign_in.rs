//! Sign-in end to end against the simulator's OpenID Connect provider.

use reqwest::header::SET_COOKIE;

use crate::helpers::{browser, location, spawn_app, spawn_app_with};

#[tokio::test]
async fn signing_in_lands_on_the_dashboard_with_the_claimed_role() {
    let app = spawn_app().await;
    let client = app.signed_in("editor").await;
    let me = app.signed_in_user(&client).await.expect("signed in");
    assert_eq!(me["email"], "editor@northwind-msp.example");
    assert_eq!(me["name"], "Eddie Editor");
    assert_eq!(me["role"], "editor");
    let res = client.get(format!("{}/", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Welcome"));
}

#[tokio::test]
async fn the_session_cookie_is_hardened_and_made_only_at_sign_in() {
    let app = spawn_app().await;
    let client = browser();
    let res = client.get(format!("{}/auth/login?next=/users", app.url)).send().await.unwrap();
    let pending =
        res.headers().get(SET_COOKIE).expect("a cookie for the pending sign-in").to_str().unwrap().to_string();
    assert!(
        pending.starts_with("seatsync_signin=") && pending.contains("HttpOnly") && pending.contains("SameSite=Lax"),
        "{pending}"
    );
    assert!(
        pending.contains("Path=/auth") && pending.contains("Max-Age=600"),
        "it lives ten minutes, for the callback only: {pending}"
    );
    assert!(!pending.contains("Secure"), "no Secure flag over plain http: {pending}");

    let authorize = url::Url::parse(&location(&res)).unwrap();
    let mut form: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
    form.push(("user".into(), "viewer".into()));
    let mut page = authorize.clone();
    page.set_query(None);
    let res = client.post(page).form(&form).send().await.unwrap();
    let res = client.get(location(&res)).send().await.unwrap();
    assert_eq!(location(&res), "/users", "returns to the page asked for");
    let cookies: Vec<String> =
        res.headers().get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_string()).collect();
    let session = cookies.iter().find(|c| c.starts_with("seatsync_session=")).expect("a session cookie at sign-in");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"), "{session}");
    assert!(session.contains("Max-Age=28800"), "idle expiry (480 minutes) is set: {session}");
    let cleared = cookies.iter().find(|c| c.starts_with("seatsync_signin=")).expect("the pending sign-in is cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = spawn_app().await;
    let client = app.signed_in("admin").await;
    assert!(app.signed_in_user(&client).await.is_some());
    let res = app.post(&client, "/auth/logout").send().await.unwrap();
    assert_eq!(location(&res), "/signin?signed_out=1");
    assert!(app.signed_in_user(&client).await.is_none());
    let res = client.get(format!("{}/", app.url)).send().await.unwrap();
    assert!(res.status().is_redirection(), "pages need signing in again");
}

async fn refused_with(defect: &str, expected_words: &str) {
    let app = spawn_app().await;
    let res = browser()
        .post(format!("{}/_sim/oidc/next-token", app.sim.base_url))
        .json(&serde_json::json!({"defect": defect}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let (client, landed) = app.sign_in_as("admin").await;
    assert!(landed.starts_with("/signin?error="), "{defect}: landed on {landed}");
    let message = url::form_urlencoded::parse(landed.split_once('?').unwrap().1.as_bytes())
        .find(|(k, _)| k == "error")
        .unwrap()
        .1
        .to_lowercase();
    assert!(message.contains(expected_words), "{defect}: '{message}' should mention '{expected_words}'");
    assert!(app.signed_in_user(&client).await.is_none(), "{defect}: nobody is signed in");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&app.pool).await.unwrap();
    assert_eq!(count, 0, "{defect}: no account is created from a refused token");
}

#[tokio::test]
async fn a_tampered_signature_is_refused() {
    refused_with("tampered_signature", "signature").await;
}

#[tokio::test]
async fn a_wrong_nonce_is_refused() {
    refused_with("wrong_nonce", "nonce").await;
}

#[tokio::test]
async fn a_wrong_audience_is_refused() {
    refused_with("wrong_audience", "audience").await;
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    refused_with("expired", "expired").await;
}

#[tokio::test]
async fn a_wrong_issuer_is_refused() {
    refused_with("wrong_issuer", "issuer").await;
}

#[tokio::test]
async fn a_callback_without_a_started_sign_in_is_refused() {
    let app = spawn_app().await;
    let res = browser().get(format!("{}/auth/callback?code=abc&state=forged", app.url)).send().await.unwrap();
    assert!(location(&res).starts_with("/signin?error="));
}

#[tokio::test]
async fn the_bootstrap_admin_is_admin_at_first_sign_in() {
    let app = spawn_app_with(|pairs| {
        pairs.retain(|(k, _)| k != "SEATSYNC_BOOTSTRAP_ADMIN_EMAIL");
        pairs.push(("SEATSYNC_BOOTSTRAP_ADMIN_EMAIL".into(), "NoRole@Northwind-MSP.example".into()));
    })
    .await;
    let client = app.signed_in("norole").await;
    let me = app.signed_in_user(&client).await.unwrap();
    assert_eq!(me["role"], "admin", "matched case-insensitively, without any role claim");
}

#[tokio::test]
async fn a_user_without_a_role_is_signed_in_but_allowed_nothing() {
    let app = spawn_app().await;
    let client = app.signed_in("norole").await;
    let me = app.signed_in_user(&client).await.unwrap();
    assert!(me["role"].is_null());
    let res = app.call(&client, "settings/readiness", &[]).await;
    assert_eq!(res.status(), 403);
}
