//! What an attacker tries: sending the browser elsewhere after sign-in, posting from another
//! site, framing the pages, filling the session store, and writing into the sign-in page or the
//! log. Each test failed on the code before the fixes.

use reqwest::{header, StatusCode};

use crate::helpers::{browser, location, spawn_app, spawn_app_with, TestApp};

/// The sign-in flow as the browser runs it, starting at `login` (a path with its query); where
/// the callback finally sends the browser.
async fn sign_in_from(app: &TestApp, client: &reqwest::Client, login: &str) -> String {
    seatsync_testkit::sign_in_from(client, &app.url, &app.sim.base_url, "editor", login)
        .await
        .unwrap_or_else(|e| panic!("{login}: {e}"))
}

#[tokio::test]
async fn next_never_leads_off_the_site() {
    let app = spawn_app().await;
    for next in [
        "/%09/evil.example/",
        "/%5Cevil.example",
        "//evil.example",
        "https://evil.example/",
        "/ok%0D%0ALocation:%20//evil.example",
        "/%0A/evil.example",
    ] {
        let client = browser();
        let landed = sign_in_from(&app, &client, &format!("/auth/login?next={next}")).await;
        assert_eq!(landed, "/", "next={next} must not be followed");
    }
    let client = browser();
    assert_eq!(
        sign_in_from(&app, &client, "/auth/login?next=/overview%3Fsort%3Dname").await,
        "/overview?sort=name",
        "a local path is followed"
    );
    // The sign-in page builds its link with the same rule.
    let page = browser()
        .get(format!("{}/signin?next=/%09/evil.example/", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("href=\"/auth/login\""), "the sign-in link drops a bad next");
}

#[tokio::test]
async fn state_changing_requests_from_other_sites_are_refused() {
    let app = spawn_app().await;
    let editor = app.signed_in("editor").await;
    app.sync_all(&editor).await;
    let tenant = app.sim.sim.msp().customers[0].tenant_id.clone();
    let spare = |origin: Option<&str>, referer: Option<&str>, fetch_site: Option<&str>| {
        let mut req = editor
            .post(format!("{}/api/overview/spare_seats", app.url))
            .header("Accept", "application/json")
            .form(&[("tenant_id", tenant.as_str()), ("spare_seats", "7")]);
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        if let Some(r) = referer {
            req = req.header(header::REFERER, r);
        }
        if let Some(s) = fetch_site {
            req = req.header("Sec-Fetch-Site", s);
        }
        req.send()
    };
    let other_port = app.url.rsplit_once(':').map(|(host, _)| format!("{host}:1")).unwrap();
    for (origin, referer, site) in [
        (Some(other_port.as_str()), None, None),
        (Some("http://evil.example"), None, None),
        (Some(app.url.as_str()), None, Some("same-site")),
        (Some(app.url.as_str()), None, Some("cross-site")),
        (None, Some("http://evil.example/page"), None),
        (None, None, None),
    ] {
        let res = spare(origin, referer, site).await.unwrap();
        assert_eq!(
            res.status(),
            StatusCode::FORBIDDEN,
            "origin {origin:?}, referer {referer:?}, sec-fetch-site {site:?}"
        );
        let body = res.text().await.unwrap();
        assert!(body.contains("cross-site request protection"), "{body}");
    }
    let spare_now: i32 = sqlx::query_scalar("SELECT spare_seats FROM tenants WHERE tenant_id = $1")
        .bind(&tenant)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(spare_now, 0, "nothing was changed");
    // From SeatSync's own page it works, by Origin or, without one, by Referer.
    assert_eq!(spare(Some(app.url.as_str()), None, Some("same-origin")).await.unwrap().status(), StatusCode::OK);
    assert_eq!(spare(None, Some(&format!("{}/overview", app.url)), None).await.unwrap().status(), StatusCode::OK);
    // Signing out is a change too.
    let res = editor
        .post(format!("{}/auth/logout", app.url))
        .header(header::ORIGIN, "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(app.signed_in_user(&editor).await.is_some(), "still signed in");
}

#[tokio::test]
async fn pages_cannot_be_framed_and_carry_a_policy_hydration_can_live_with() {
    let app = spawn_app().await;
    let viewer = app.signed_in("viewer").await;
    let res = viewer.get(format!("{}/overview", app.url)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers().clone();
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "same-origin");
    assert!(h.get("strict-transport-security").is_none(), "no HSTS over plain http");
    let csp = h["content-security-policy"].to_str().unwrap().to_string();
    for part in ["frame-ancestors 'none'", "base-uri 'none'", "'wasm-unsafe-eval'", "object-src 'none'"] {
        assert!(csp.contains(part), "{csp}");
    }
    assert!(
        csp.contains(&format!(
            "form-action 'self' {}",
            url::Url::parse(&app.sim.authority()).unwrap().origin().ascii_serialization()
        )),
        "{csp}"
    );
    let nonce_of =
        |csp: &str| csp.split("'nonce-").nth(1).and_then(|r| r.split('\'').next()).expect("a nonce").to_string();
    let html = res.text().await.unwrap();
    assert!(html.contains(&format!("nonce=\"{}\"", nonce_of(&csp))), "Leptos' scripts carry the policy's nonce");
    // A kept page comes back with the policy that matches its scripts. (Any commit in the
    // cluster, by a test running beside this one, makes the next request render again.)
    let mut hit = None;
    for _ in 0..50 {
        let res = viewer.get(format!("{}/overview", app.url)).send().await.unwrap();
        if res.headers()["x-seatsync-page-cache"] == "hit" {
            hit = Some(res);
            break;
        }
    }
    let hit = hit.expect("the page is served from the cache");
    let csp = hit.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(
        hit.text().await.unwrap().contains(&format!("nonce=\"{}\"", nonce_of(&csp))),
        "the kept page's nonce is its policy's"
    );
    // Everything else gets a policy that allows nothing.
    let health = browser().get(format!("{}/healthz", app.url)).send().await.unwrap();
    assert_eq!(
        health.headers()["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
    );
    assert_eq!(health.headers()["x-frame-options"], "DENY");
}

#[tokio::test]
async fn over_https_the_browser_is_told_to_stay_on_https() {
    let app = spawn_app_with(|pairs| {
        pairs.retain(|(k, _)| k != "SEATSYNC_PUBLIC_URL");
        pairs.push(("SEATSYNC_PUBLIC_URL".into(), "https://seatsync.msp.example".into()));
    })
    .await;
    let res = browser().get(format!("{}/healthz", app.url)).send().await.unwrap();
    assert_eq!(res.headers()["strict-transport-security"], "max-age=31536000; includeSubDomains");
}

#[tokio::test]
async fn anonymous_visits_store_no_session() {
    let app = spawn_app().await;
    let sessions = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM tower_sessions.session").fetch_one(&app.pool).await.unwrap()
    };
    for _ in 0..50 {
        let res = browser().get(format!("{}/auth/login?next=/overview", app.url)).send().await.unwrap();
        assert!(res.status().is_redirection());
        let cookie = res.headers()[header::SET_COOKIE].to_str().unwrap().to_string();
        assert!(
            cookie.starts_with("seatsync_signin=") && cookie.contains("Max-Age=600") && cookie.contains("HttpOnly"),
            "{cookie}"
        );
        browser().get(format!("{}/signin", app.url)).send().await.unwrap();
    }
    assert_eq!(sessions().await, 0, "nothing is stored for a visitor who has not signed in");
    app.signed_in("viewer").await;
    assert_eq!(sessions().await, 1, "a sign-in stores one session");
}

#[tokio::test]
async fn the_sign_in_page_shows_only_fixed_messages_and_the_log_one_line_each() {
    let app = spawn_app().await;
    let evil = "Your account is locked. Call +1-555-0100 now <script>alert(1)</script>\nINFO server: forged";
    let encoded: String = url::form_urlencoded::byte_serialize(evil.as_bytes()).collect();
    let res = browser()
        .get(format!("{}/auth/callback?error=server_error&error_description={encoded}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/signin?error=refused");
    let res = browser()
        .get(format!("{}/auth/callback?error=access_denied&error_description={encoded}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/signin?error=cancelled");
    // Whatever the address says, only a known code's fixed text is shown.
    let page = browser().get(format!("{}/signin?error={encoded}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("555-0100") && !page.contains("<script>alert"), "the text is not echoed");
    assert!(page.contains("Sign-in did not complete. Start again."));
    let page = browser().get(format!("{}/signin?error=refused", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Microsoft Entra ID refused the sign-in."));
}

#[tokio::test]
async fn an_unreachable_authority_is_not_described_to_a_signed_out_visitor() {
    let app = spawn_app_with(|pairs| {
        pairs.retain(|(k, _)| k != "SEATSYNC_OIDC_AUTHORITY");
        pairs.push(("SEATSYNC_OIDC_AUTHORITY".into(), "http://127.0.0.1:1/secret-tenant/v2.0".into()));
    })
    .await;
    let res = browser().get(format!("{}/auth/login", app.url)).send().await.unwrap();
    assert_eq!(location(&res), "/signin?error=unreachable");
    let page = browser().get(format!("{}{}", app.url, location(&res))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Microsoft's sign-in service did not answer"));
    assert!(!page.contains("secret-tenant") && !page.contains("127.0.0.1:1"), "no authority URL or error chain");
}

#[tokio::test]
async fn a_session_is_written_at_most_once_a_minute() {
    let app = spawn_app().await;
    let viewer = app.signed_in("viewer").await;
    let expiry = || async {
        sqlx::query_scalar::<_, chrono::DateTime<chrono::Utc>>("SELECT expiry_date FROM tower_sessions.session")
            .fetch_one(&app.pool)
            .await
            .unwrap()
    };
    let first = expiry().await;
    for _ in 0..5 {
        assert_eq!(viewer.get(format!("{}/", app.url)).send().await.unwrap().status(), StatusCode::OK);
        app.signed_in_user(&viewer).await.expect("signed in");
    }
    assert_eq!(expiry().await, first, "requests within a minute do not write the session");
    let idle = first - chrono::Utc::now();
    assert!(
        idle > chrono::Duration::minutes(479) && idle <= chrono::Duration::minutes(480),
        "the idle timeout is the session's expiry: {idle}"
    );
}

#[tokio::test]
async fn malformed_requests_are_answered_400_and_unknown_tenants_404() {
    let app = spawn_app().await;
    let editor = app.signed_in("editor").await;
    let res = app.call(&editor, "overview/spare_seats", &[("tenant_id", "x")]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "a missing argument");
    let body = res.text().await.unwrap();
    assert!(body.contains("The request could not be read") && !body.contains("could not be reached"), "{body}");
    let res = app.call(&editor, "overview/spare_seats", &[("tenant_id", "x"), ("spare_seats", "many")]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "an unreadable argument");
    let res =
        app.call(&editor, "mapping/dismiss_suggestion", &[("tenant_id", "no-such-tenant"), ("company_id", "1")]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.json::<serde_json::Value>().await.unwrap(), serde_json::json!({"NotFound": "That tenant"}));
}

#[tokio::test]
async fn a_user_without_a_role_gets_their_dashboard() {
    let app = spawn_app().await;
    let nobody = app.signed_in("norole").await;
    let res = nobody.get(format!("{}/", app.url)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    assert!(page.contains("Your account has no SeatSync role yet"), "the dashboard explains");
}
