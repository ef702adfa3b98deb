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
    /// A user who is none of the callers: blocking them or ending their sessions changes no
    /// caller's answers.
    bystander_id: String,
    tenant_id: String,
    company_id: String,
    offer_key: String,
    group_key: String,
    sku_id: String,
    pax8_company_id: String,
    /// An e-mail whose answer was lost.
    uncertain_email_id: String,
    /// An API token's record.
    api_token_id: String,
}

/// A licensing CSV in Microsoft's format.
const CSV: &str = "Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names\nMicrosoft 365 Business Premium,SPB,cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46,EXCHANGE_S_STANDARD,9aaf7827-d63c-4b61-89c3-182f06f82e5c,Exchange Online (Plan 1)\n";

const ENDPOINTS: &[Endpoint] = &[
    Endpoint { path: "me", needs: None, form: |_| vec![] },
    Endpoint { path: "settings/readiness", needs: Some(Role::Viewer), form: |_| vec![] },
    Endpoint { path: "settings/integrations", needs: Some(Role::Admin), form: |_| vec![] },
    Endpoint { path: "settings/test_connection", needs: Some(Role::Admin), form: |_| vec![("key", "autotask".into())] },
    Endpoint { path: "settings/integration", needs: Some(Role::Admin), form: |_| vec![("key", "pax8".into())] },
    Endpoint {
        path: "settings/test_email",
        needs: Some(Role::Admin),
        form: |_| vec![("to", "matrix@northwind-msp.example".into())],
    },
    Endpoint { path: "settings/psa_companies", needs: Some(Role::Admin), form: |_| vec![("psa", "halo".into())] },
    Endpoint {
        path: "settings/test_ticket",
        needs: Some(Role::Admin),
        form: |f| vec![("psa", "autotask".into()), ("company_id", f.company_id.clone())],
    },
    Endpoint { path: "settings/ticket_defaults", needs: Some(Role::Admin), form: |_| vec![] },
    Endpoint { path: "settings/cw_defaults", needs: Some(Role::Admin), form: |_| vec![] },
    Endpoint { path: "settings/cw_statuses", needs: Some(Role::Admin), form: |_| vec![("board_id", "24".into())] },
    Endpoint {
        path: "settings/save_cw_defaults",
        needs: Some(Role::Admin),
        form: |_| vec![("board_id", "24".into()), ("status_id", "71".into())],
    },
    Endpoint { path: "settings/halo_defaults", needs: Some(Role::Admin), form: |_| vec![] },
    Endpoint {
        path: "settings/save_halo_defaults",
        needs: Some(Role::Admin),
        form: |_| vec![("ticket_type_id", "21".into())],
    },
    Endpoint {
        path: "settings/test_ticket",
        needs: Some(Role::Admin),
        form: |_| vec![("psa", "halo".into()), ("company_id", "12".into())],
    },
    Endpoint {
        path: "settings/test_ticket",
        needs: Some(Role::Admin),
        form: |_| vec![("psa", "connectwise".into()), ("company_id", "250".into())],
    },
    Endpoint { path: "users/list", needs: Some(Role::Admin), form: |_| vec![] },
    Endpoint {
        path: "users/set_role",
        needs: Some(Role::Admin),
        form: |f| vec![("user_id", f.viewer_id.clone()), ("role", "viewer".into())],
    },
    Endpoint {
        path: "users/set_blocked",
        needs: Some(Role::Admin),
        form: |f| vec![("user_id", f.bystander_id.clone()), ("blocked", "true".into())],
    },
    Endpoint {
        path: "users/sign_out_everywhere",
        needs: Some(Role::Admin),
        form: |f| vec![("user_id", f.bystander_id.clone())],
    },
    Endpoint { path: "users/history", needs: Some(Role::Admin), form: |f| vec![("user_id", f.bystander_id.clone())] },
    Endpoint {
        path: "users/grant_role",
        needs: Some(Role::Admin),
        form: |_| vec![("email", "starter@northwind-msp.example".into()), ("role", "editor".into())],
    },
    Endpoint {
        path: "users/withdraw_grant",
        needs: Some(Role::Admin),
        form: |_| vec![("email", "starter@northwind-msp.example".into())],
    },
    Endpoint { path: "licences/tenants", needs: Some(Role::Viewer), form: |_| vec![] },
    Endpoint { path: "licences/tenant", needs: Some(Role::Viewer), form: |f| vec![("tenant_id", f.tenant_id.clone())] },
    Endpoint { path: "licences/sync_status", needs: Some(Role::Viewer), form: |_| vec![] },
    Endpoint { path: "licences/closing_windows", needs: Some(Role::Viewer), form: |_| vec![] },
    Endpoint { path: "dashboard/summary", needs: Some(Role::Viewer), form: |_| vec![] },
    Endpoint { path: "contracts/differing", needs: Some(Role::Viewer), form: |_| vec![] },
    Endpoint {
        path: "licences/history",
        needs: Some(Role::Viewer),
        form: |f| vec![("tenant_id", f.tenant_id.clone())],
    },
    Endpoint { path: "licences/sync", needs: Some(Role::Editor), form: |f| vec![("tenant_id", f.tenant_id.clone())] },
    Endpoint { path: "overview/tenants", needs: Some(Role::Viewer), form: |_| vec![] },
    Endpoint { path: "overview/history", needs: Some(Role::Viewer), form: |_| vec![] },
    Endpoint { path: "overview/export", needs: Some(Role::Viewer), form: |_| vec![] },
    Endpoint {
        path: "overview/spare_seats",
        needs: Some(Role::Editor),
        form: |f| vec![("tenant_id", f.tenant_id.clone()), ("spare_seats", "1".into())],
    },
    Endpoint { path: "products/catalog", needs: Some(Role::Admin), form: |_| vec![] },
    Endpoint {
        path: "products/override",
        needs: Some(Role::Admin),
        form: |f| vec![("sku_id", f.sku_id.clone()), ("name", "Premium".into()), ("monthly_cost", "22".into())],
    },
    Endpoint { path: "settings/mapping", needs: Some(Role::Admin), form: |_| vec![] },
    Endpoint { path: "settings/billing_codes", needs: Some(Role::Admin), form: |_| vec![] },
    Endpoint {
        path: "settings/save_mapping",
        needs: Some(Role::Admin),
        form: |_| {
            vec![
                ("service_name_template", "{product} ({term}, billed {billing})".into()),
                ("contract_name_template", "{company} - Microsoft {term_label} term from {start}".into()),
                ("adjustment_date", "today".into()),
                ("service_billing_code_id", "".into()),
                ("time_reporting_requires_start_stop", "false".into()),
                ("contract_grouping", "aligned_terms".into()),
            ]
        },
    },
    Endpoint { path: "mapping/customers", needs: Some(Role::Viewer), form: |_| vec![] },
    Endpoint { path: "mapping/offers", needs: Some(Role::Viewer), form: |_| vec![] },
    Endpoint {
        path: "mapping/history",
        needs: Some(Role::Viewer),
        form: |f| vec![("kind", "tenant".into()), ("key", f.tenant_id.clone())],
    },
    Endpoint { path: "mapping/companies", needs: Some(Role::Editor), form: |_| vec![] },
    Endpoint { path: "mapping/services", needs: Some(Role::Editor), form: |_| vec![] },
    Endpoint { path: "mapping/refresh", needs: Some(Role::Editor), form: |_| vec![] },
    Endpoint { path: "mapping/template_drafts", needs: Some(Role::Editor), form: |_| vec![] },
    Endpoint {
        path: "mapping/company_draft",
        needs: Some(Role::Editor),
        form: |f| vec![("tenant_id", f.tenant_id.clone())],
    },
    Endpoint {
        path: "mapping/service_draft",
        needs: Some(Role::Editor),
        form: |f| vec![("offer_key", f.offer_key.clone())],
    },
    Endpoint {
        path: "mapping/save_tenant",
        needs: Some(Role::Editor),
        form: |f| {
            vec![
                ("tenant_id", f.tenant_id.clone()),
                ("action", "map".into()),
                ("company_id", f.company_id.clone()),
                ("version", "0".into()),
            ]
        },
    },
    Endpoint {
        path: "mapping/save_offer",
        needs: Some(Role::Editor),
        form: |f| vec![("offer_key", f.offer_key.clone()), ("action", "ignore".into()), ("version", "0".into())],
    },
    Endpoint {
        path: "mapping/dismiss_suggestion",
        needs: Some(Role::Editor),
        form: |f| vec![("tenant_id", f.tenant_id.clone()), ("company_id", f.company_id.clone())],
    },
    Endpoint {
        path: "mapping/create_service",
        needs: Some(Role::Editor),
        form: |f| {
            vec![
                ("offer_key", f.offer_key.clone()),
                ("name", "Role matrix service".into()),
                ("unit_price", "10".into()),
                ("unit_cost", "8".into()),
                ("version", "0".into()),
            ]
        },
    },
    Endpoint {
        path: "contracts/tenant",
        needs: Some(Role::Viewer),
        form: |f| vec![("tenant_id", f.tenant_id.clone())],
    },
    Endpoint { path: "contracts/sync_status", needs: Some(Role::Viewer), form: |_| vec![] },
    Endpoint {
        path: "contracts/refresh",
        needs: Some(Role::Editor),
        form: |f| vec![("tenant_id", f.tenant_id.clone())],
    },
    Endpoint {
        path: "contracts/create",
        needs: Some(Role::Editor),
        form: |f| vec![("tenant_id", f.tenant_id.clone()), ("group_key", f.group_key.clone())],
    },
    Endpoint {
        path: "contracts/update",
        needs: Some(Role::Editor),
        form: |f| vec![("tenant_id", f.tenant_id.clone()), ("group_key", f.group_key.clone())],
    },
    Endpoint { path: "contracts/sync", needs: Some(Role::Editor), form: |_| vec![("dry_run", "true".into())] },
    Endpoint { path: "jobs/list", needs: Some(Role::Viewer), form: |_| vec![] },
    Endpoint { path: "alerts/view", needs: Some(Role::Viewer), form: |_| vec![] },
    Endpoint {
        path: "alerts/make_link",
        needs: Some(Role::Editor),
        form: |_| vec![("tenant", "00000000-0000-0000-0000-000000000000".into())],
    },
    Endpoint {
        path: "alerts/ignore_sku",
        needs: Some(Role::Editor),
        form: |_| vec![("part_number", "ROLE_MATRIX_TEST".into()), ("category", "other".into())],
    },
    Endpoint {
        path: "alerts/unignore_sku",
        needs: Some(Role::Editor),
        form: |_| vec![("part_number", "ROLE_MATRIX_TEST".into())],
    },
    Endpoint {
        path: "alerts/exclude",
        needs: Some(Role::Editor),
        form: |f| vec![("tenant", f.tenant_id.clone()), ("excluded", "false".into())],
    },
    Endpoint { path: "alerts/licences_of", needs: Some(Role::Viewer), form: |f| vec![("tenant", f.tenant_id.clone())] },
    Endpoint {
        path: "alerts/set_allowance",
        needs: Some(Role::Editor),
        form: |f| vec![("tenant", f.tenant_id.clone()), ("sku", f.sku_id.clone())],
    },
    Endpoint { path: "alerts/open_link", needs: Some(Role::Editor), form: |_| vec![("token", "not-a-link".into())] },
    Endpoint { path: "alerts/confirm_link", needs: Some(Role::Editor), form: |_| vec![("token", "not-a-link".into())] },
    Endpoint {
        path: "alerts/save_settings",
        needs: Some(Role::Admin),
        form: |_| vec![("renewal_notice_days", "30".into())],
    },
    Endpoint {
        path: "alerts/save_email",
        needs: Some(Role::Admin),
        form: |_| vec![("mode", "Off".into()), ("to", "".into())],
    },
    Endpoint { path: "pax8/companies", needs: Some(Role::Viewer), form: |_| vec![] },
    Endpoint {
        path: "pax8/decide",
        needs: Some(Role::Editor),
        form: |f| vec![("company_id", f.pax8_company_id.clone()), ("decide", "Ignore".into())],
    },
    Endpoint { path: "pax8/accept_all", needs: Some(Role::Editor), form: |_| vec![] },
    Endpoint { path: "billing/view", needs: Some(Role::Viewer), form: |_| vec![] },
    Endpoint { path: "billing/csv", needs: Some(Role::Viewer), form: |_| vec![] },
    Endpoint { path: "billing/changes_csv", needs: Some(Role::Viewer), form: |_| vec![] },
    Endpoint { path: "billing/settings", needs: Some(Role::Viewer), form: |_| vec![] },
    Endpoint {
        path: "billing/save_settings",
        needs: Some(Role::Admin),
        form: |_| {
            vec![("frequency", "monthly".into()), ("weekday", "1".into()), ("day", "1".into()), ("hour", "7".into())]
        },
    },
    Endpoint { path: "api_tokens/list", needs: Some(Role::Admin), form: |_| vec![] },
    Endpoint { path: "api_tokens/create", needs: Some(Role::Admin), form: |_| vec![("name", "Role matrix".into())] },
    Endpoint { path: "api_tokens/revoke", needs: Some(Role::Admin), form: |f| vec![("id", f.api_token_id.clone())] },
    Endpoint {
        path: "billing/tool_customers",
        needs: Some(Role::Viewer),
        form: |_| vec![("tool", "datto_rmm".into())],
    },
    Endpoint {
        path: "billing/place_tool_customer",
        needs: Some(Role::Editor),
        form: |_| vec![("tool", "datto_rmm".into()), ("key", "role-matrix-site".into())],
    },
    Endpoint {
        path: "billing/ignore_tool_customer",
        needs: Some(Role::Editor),
        form: |_| vec![("tool", "datto_rmm".into()), ("key", "role-matrix-site".into())],
    },
    Endpoint {
        path: "billing/accept_tool_customers",
        needs: Some(Role::Editor),
        form: |_| vec![("tool", "datto_rmm".into())],
    },
    Endpoint { path: "tickets/psa", needs: Some(Role::Viewer), form: |_| vec![] },
    // ConnectWise for tickets from here on, so its companies can be chosen below.
    Endpoint { path: "tickets/save_psa", needs: Some(Role::Admin), form: |_| vec![("psa", "connectwise".into())] },
    Endpoint { path: "tickets/companies", needs: Some(Role::Viewer), form: |_| vec![] },
    Endpoint {
        path: "tickets/set_company",
        needs: Some(Role::Editor),
        form: |f| vec![("tenant_id", f.tenant_id.clone()), ("company_id", "250".into())],
    },
    Endpoint { path: "tickets/accept_companies", needs: Some(Role::Editor), form: |_| vec![] },
    Endpoint { path: "pax8/products", needs: Some(Role::Viewer), form: |_| vec![] },
    Endpoint {
        path: "pax8/set_product",
        needs: Some(Role::Admin),
        form: |_| vec![("product_name", "Role Matrix Product".into()), ("part_number", "ROLE_MATRIX_TEST".into())],
    },
    Endpoint { path: "jobs/run", needs: Some(Role::Editor), form: |_| vec![("kind", "autotask_refresh".into())] },
    Endpoint {
        path: "jobs/send_again",
        needs: Some(Role::Editor),
        form: |f| vec![("id", f.uncertain_email_id.clone())],
    },
    Endpoint {
        path: "jobs/pause",
        needs: Some(Role::Admin),
        form: |_| vec![("kind", "contract_resume".into()), ("paused", "false".into())],
    },
];

/// Endpoints that may answer 409 to an allowed caller: the role check passed, but an earlier
/// caller in the matrix already did it (saved the same version, started a run) or the state
/// does not allow it (no contract to update yet).
const MAY_CONFLICT: &[&str] = &[
    "licences/sync",
    "mapping/save_tenant",
    "mapping/save_offer",
    "mapping/create_service",
    "contracts/create",
    "contracts/update",
    "contracts/sync",
    "jobs/run",
    "alerts/make_link",
    "alerts/confirm_link",
    "jobs/send_again",
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
    let callers = [
        Caller::SignedOut,
        Caller::NoRole,
        Caller::As(Role::Viewer),
        Caller::As(Role::Editor),
        Caller::As(Role::Admin),
    ];
    let mut clients = Vec::new();
    for c in callers {
        clients.push((c, client_for(&app, c).await));
    }
    let viewer_id: String =
        sqlx::query_scalar("SELECT id::text FROM users WHERE email = 'viewer@northwind-msp.example'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let bystander_id: String = sqlx::query_scalar(
        "INSERT INTO users (id, subject, email, display_name) VALUES (gen_random_uuid(), 'bystander', 'bystander@northwind-msp.example', 'Bea Bystander') RETURNING id::text",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let admin = &clients.last().unwrap().1;
    app.sync_all(admin).await;
    app.ok(admin, "mapping/refresh", &[]).await;
    let tenant_id = app.sim.sim.msp().customers[0].tenant_id.clone();
    let companies = app.ok(admin, "mapping/companies", &[]).await;
    let offers = app.ok(admin, "mapping/offers", &[]).await;
    let contracts = app.ok(admin, "contracts/tenant", &[("tenant_id", &tenant_id)]).await;
    let sku_id: String =
        sqlx::query_scalar("SELECT sku_id FROM sku_consumption LIMIT 1").fetch_one(&app.pool).await.unwrap();
    // A Pax8 company as an alert run would have read it.
    let pax8_company_id: String = sqlx::query_scalar(
        "INSERT INTO pax8_companies (id, name, status, read_at) VALUES ('role-matrix-pax8', 'Role Matrix Co', 'Active', now()) RETURNING id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    // A billing report, as a run stores one (empty: the matrix is about roles).
    sqlx::query(
        "INSERT INTO billing_reports (report, tools, totals) VALUES ('{\"companies\":[],\"columns\":[],\"cells\":{}}', '[]', '{}')",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    // A Datto RMM site as a report run would have read it.
    sqlx::query(
        "INSERT INTO billing_tool_customers (tool, customer_key, name) VALUES ('datto_rmm', 'role-matrix-site', 'Role Matrix Site')",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    // An e-mail whose answer was lost, as the delivery service records one.
    let uncertain_email_id: i64 = sqlx::query_scalar(
        "INSERT INTO deliveries (dedup_key, channel, purpose, title, text_body, email_to, reference, status, error)
         VALUES ('role-matrix-mail', 'email', 'Test e-mail', 'Role matrix', 'Hello', ARRAY['billing@northwind-msp.example'],
                 'SeatSync 0000000000', 'uncertain', 'the answer was lost') RETURNING id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    // An API token's record (its hash made up: the matrix is about roles).
    let api_token_id: i64 = sqlx::query_scalar(
        "INSERT INTO api_tokens (name, token_hash, token_prefix, scope) VALUES ('Role matrix', '\\x00', 'seatsync_xxxxxx', 'billing_read') RETURNING id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let fixture = Fixture {
        api_token_id: api_token_id.to_string(),
        uncertain_email_id: uncertain_email_id.to_string(),
        pax8_company_id,
        viewer_id,
        bystander_id,
        company_id: companies[1]["id"].to_string(),
        offer_key: offers["rows"][0]["offer_key"].as_str().unwrap().to_string(),
        group_key: contracts["groups"][0]["key"].as_str().unwrap().to_string(),
        tenant_id,
        sku_id,
    };
    let mut failures = Vec::new();
    for endpoint in ENDPOINTS {
        for (caller, client) in &clients {
            let form = (endpoint.form)(&fixture);
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let res = app.call(client, endpoint.path, &form).await;
            let want = expected(endpoint.needs, *caller);
            // Starting a sync while the previous caller's is still running is refused with 409,
            // which is still "allowed" as far as the role check goes.
            let conflict_ok =
                MAY_CONFLICT.contains(&endpoint.path) && want == StatusCode::OK && res.status() == StatusCode::CONFLICT;
            if res.status() != want && !conflict_ok {
                failures.push(format!("{} as {caller:?}: got {}, want {want}", endpoint.path, res.status()));
            } else if want == StatusCode::FORBIDDEN {
                let body = res.text().await.unwrap();
                assert!(body.contains("Forbidden"), "a 403 carries the typed error: {body}");
            }
        }
    }
    // The one server function that takes a file.
    for (caller, client) in &clients {
        let res = app.call_upload(client, "products/upload", "names.csv", CSV.as_bytes().to_vec()).await;
        let want = expected(Some(Role::Admin), *caller);
        if res.status() != want {
            failures.push(format!("products/upload as {caller:?}: got {}, want {want}", res.status()));
        }
    }
    for (caller, client) in &clients {
        let res = app.call_json(client, "settings/save_ticket_defaults", serde_json::json!({"chosen": []})).await;
        let want = expected(Some(Role::Admin), *caller);
        if res.status() != want {
            failures.push(format!("settings/save_ticket_defaults as {caller:?}: got {}, want {want}", res.status()));
        }
    }
    // The server functions that take JSON.
    for endpoint in [
        "mapping/accept_suggestions",
        "mapping/accept_service_suggestions",
        "mapping/undo_accept",
        "mapping/undo_accept_services",
        "mapping/create_from_template",
    ] {
        for (caller, client) in &clients {
            let res = app.call_json(client, endpoint, serde_json::json!({"items": []})).await;
            let want = expected(Some(Role::Editor), *caller);
            if res.status() != want {
                failures.push(format!("{endpoint} as {caller:?}: got {}, want {want}", res.status()));
            }
        }
    }
    // Saving an integration: every caller sends a value for HaloPSA's tenant (which the test
    // environment leaves unset); only an Admin's is saved.
    for (caller, client) in &clients {
        let body = serde_json::json!({"key": "halo", "changes": [{"field": "tenant", "value": format!("{caller:?}")}]});
        let res = app.call_json(client, "settings/save_integration", body).await;
        let want = expected(Some(Role::Admin), *caller);
        if res.status() != want {
            failures.push(format!("settings/save_integration as {caller:?}: got {}, want {want}", res.status()));
        }
    }
    let saved: Vec<String> = sqlx::query_scalar(
        "SELECT plain_value FROM integration_values WHERE integration = 'halo' AND field = 'tenant'",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(saved, [format!("{:?}", Caller::As(Role::Admin))], "only the Admin's value is saved");
    // Creating a company: an allowed caller's form without an owner is refused as bad input
    // (400), so the check creates nothing in Autotask; everyone else is refused by role first.
    for (caller, client) in &clients {
        let form = serde_json::json!({"form": {"tenant_id": fixture.tenant_id, "name": "Role Matrix Ltd",
            "owner_id": null, "phone": "", "web_address": "", "version": 0}});
        let res = app.call_json(client, "mapping/create_company", form).await;
        let want = match expected(Some(Role::Editor), *caller) {
            StatusCode::OK => StatusCode::BAD_REQUEST,
            refused => refused,
        };
        if res.status() != want {
            failures.push(format!("mapping/create_company as {caller:?}: got {}, want {want}", res.status()));
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
    let viewer_id: String =
        sqlx::query_scalar("SELECT id::text FROM users WHERE email = 'viewer@northwind-msp.example'")
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
    let res =
        app.call(&admin, "users/set_role", &[("user_id", &uuid::Uuid::new_v4().to_string()), ("role", "viewer")]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
