//! Every server function, called as every kind of caller: allowed, 401 or 403, decided on the
//! server. This table grows with every feature.

use reqwest::StatusCode;
use seatsync_domain::Role;

use crate::helpers::{browser, spawn_app, TestApp};

/// Who calls.
#[derive(Debug, Clone, Copy)]
enum Caller {
    SignedOut,
    NoRole,
    As(Role),
}

/// A server function, a valid request body for it, and the role it needs (`None`: anyone).
struct Endpoint {
    path: &'static str,
    needs: Option<Role>,
    form: fn(&Fixture) -> Vec<(&'static str, String)>,
}

/// Ids the requests refer to.
struct Fixture {
    viewer_id: String,
    tenant_id: String,
}

const ENDPOINTS: &[Endpoint] = &[
    Endpoint { path: "me", needs: None, form: |_| vec![] },
    Endpoint { path: "settings/readiness", needs: Some(Role::Viewer), form: |_| vec![] },
    Endpoint { path: "settings/integrations", needs: Some(Role::Admin), form: |_| vec![] },
    Endpoint { path: "users/list", needs: Some(Role::Admin), form: |_| vec![] },
    Endpoint { path: "users/set_role", needs: Some(Role::Admin), form: |f| vec![("user_id", f.viewer_id.clone()), ("role", "viewer".into())] },
    Endpoint { path: "licences/tenants", needs: Some(Role::Viewer), form: |_| vec![] },
    Endpoint { path: "licences/tenant", needs: Some(Role::Viewer), form: |f| vec![("tenant_id", f.tenant_id.clone())] },
    Endpoint { path: "licences/sync_status", needs: Some(Role::Viewer), form: |_| vec![] },
    Endpoint { path: "licences/history", needs: Some(Role::Viewer), form: |f| vec![("tenant_id", f.tenant_id.clone())] },
    Endpoint { path: "licences/sync", needs: Some(Role::Editor), form: |f| vec![("tenant_id", f.tenant_id.clone())] },
];

fn expected(needs: Option<Role>, caller: Caller) -> StatusCode {
    match (needs, caller) {
        (None, _) => StatusCode::OK,
        (Some(_), Caller::SignedOut) => StatusCode::UNAUTHORIZED,
        (Some(_), Caller::NoRole) => StatusCode::FORBIDDEN,
        (Some(needed), Caller::As(role)) if role.allows(needed) => StatusCode::OK,
        (Some(_), Caller::As(_)) => StatusCode::FORBIDDEN,
    }
}

async fn client_for(app: &TestApp, caller: Caller) -> reqwest::Client {
    match caller {
        Caller::SignedOut => browser(),
        Caller::NoRole => app.signed_in("norole").await,
        Caller::As(Role::Viewer) => app.signed_in("viewer").await,
        Caller::As(Role::Editor) => app.signed_in("editor").await,
        Caller::As(Role::Admin) => app.signed_in("admin").await,
    }
}

#[tokio::test]
async fn every_server_function_checks_the_role_on_the_server() {
    let app = spawn_app().await;
    let callers = [Caller::SignedOut, Caller::NoRole, Caller::As(Role::Viewer), Caller::As(Role::Editor), Caller::As(Role::Admin)];
    let mut clients = Vec::new();
    for c in callers {
        clients.push((c, client_for(&app, c).await));
    }
    let viewer_id: String = sqlx::query_scalar("SELECT id::text FROM users WHERE email = 'viewer@northwind-msp.example'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let admin = &clients.last().unwrap().1;
    app.sync_all(admin).await;
    let tenant_id = app.sim.sim.msp().customers[0].tenant_id.clone();
    let fixture = Fixture { viewer_id, tenant_id };
    let mut failures = Vec::new();
    for endpoint in ENDPOINTS {
        for (caller, client) in &clients {
            let form = (endpoint.form)(&fixture);
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let res = app.call(client, endpoint.path, &form).await;
            let want = expected(endpoint.needs, *caller);
            // Starting a sync while the previous caller's is still running is refused with 409,
            // which is still "allowed" as far as the role check goes.
            let conflict_ok = endpoint.path == "licences/sync" && want == StatusCode::OK && res.status() == StatusCode::CONFLICT;
            if res.status() != want && !conflict_ok {
                failures.push(format!("{} as {caller:?}: got {}, want {want}", endpoint.path, res.status()));
            } else if want == StatusCode::FORBIDDEN {
                let body = res.text().await.unwrap();
                assert!(body.contains("Forbidden"), "a 403 carries the typed error: {body}");
            }
        }
    }
    assert!(failures.is_empty(), "role matrix mismatches:\n{}", failures.join("\n"));
}

#[tokio::test]
async fn an_admin_override_takes_effect_on_the_next_call() {
    let app = spawn_app().await;
    let viewer = app.signed_in("viewer").await;
    let admin = app.signed_in("admin").await;
    assert_eq!(app.call(&viewer, "users/list", &[]).await.status(), StatusCode::FORBIDDEN);
    let viewer_id: String = sqlx::query_scalar("SELECT id::text FROM users WHERE email = 'viewer@northwind-msp.example'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let res = app.call(&admin, "users/set_role", &[("user_id", &viewer_id), ("role", "admin")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let row: serde_json::Value = res.json().await.unwrap();
    assert_eq!(row["role"], "admin");
    assert_eq!(row["claimed_role"], "viewer");
    assert_eq!(app.call(&viewer, "users/list", &[]).await.status(), StatusCode::OK, "no new sign-in needed");

    // Clearing the override goes back to the claim.
    let res = app.call(&admin, "users/set_role", &[("user_id", &viewer_id)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.call(&viewer, "users/list", &[]).await.status(), StatusCode::FORBIDDEN);

    // Signing in again keeps an override: the claim is refreshed, the override is not touched.
    app.call(&admin, "users/set_role", &[("user_id", &viewer_id), ("role", "editor")]).await;
    let viewer_again = app.signed_in("viewer").await;
    let me = app.signed_in_user(&viewer_again).await.unwrap();
    assert_eq!(me["role"], "editor");
}

#[tokio::test]
async fn an_admin_cannot_change_their_own_role_and_bad_ids_are_explained() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin").await;
    let own_id: String = sqlx::query_scalar("SELECT id::text FROM users WHERE email = 'admin@northwind-msp.example'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let res = app.call(&admin, "users/set_role", &[("user_id", &own_id), ("role", "viewer")]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("cannot change your own role"));
    let res = app.call(&admin, "users/set_role", &[("user_id", "not-a-uuid"), ("role", "viewer")]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = app.call(&admin, "users/set_role", &[("user_id", &uuid::Uuid::new_v4().to_string()), ("role", "viewer")]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
