//! Customer and service mappings through the server functions, against the simulated Autotask.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{spawn_app, TestApp};

/// Signs in, syncs licences and reads Autotask: what every mapping test starts from.
async fn ready() -> (TestApp, reqwest::Client) {
    let app = spawn_app().await;
    let editor = app.signed_in("editor").await;
    app.sync_all(&editor).await;
    app.ok(&editor, "mapping/refresh", &[]).await;
    (app, editor)
}

fn row<'a>(list: &'a Value, tenant_id: &str) -> &'a Value {
    list["rows"].as_array().unwrap().iter().find(|r| r["tenant_id"] == tenant_id).unwrap()
}

async fn seeded_company(app: &TestApp, tenant_id: &str) -> Option<i64> {
    let res = reqwest::get(format!("{}/_sim/autotask-company-of/{tenant_id}", app.sim.base_url)).await.unwrap();
    if !res.status().is_success() {
        return None;
    }
    res.json::<Value>().await.unwrap()["companyId"].as_i64()
}

#[tokio::test]
async fn suggestions_find_the_right_companies_one_to_one() {
    let (app, editor) = ready().await;
    let list = app.ok(&editor, "mapping/customers", &[]).await;
    let rows = list["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().all(|r| r["state"] == "unmapped"));
    let mut suggested = std::collections::HashSet::new();
    let mut right = 0;
    for r in rows {
        if let Some(company) = r["suggestion"]["company_id"].as_i64() {
            assert!(suggested.insert(company), "a company is suggested for one tenant only");
            if seeded_company(&app, r["tenant_id"].as_str().unwrap()).await == Some(company) {
                right += 1;
            }
        }
    }
    assert!(
        right >= 3,
        "most suggestions name the company the MSP typed for that customer ({right} of {})",
        suggested.len()
    );

    // Accept them in bulk; then none is left to suggest.
    let items: Vec<Value> = rows
        .iter()
        .filter_map(|r| {
            r["suggestion"]["company_id"]
                .as_i64()
                .map(|c| serde_json::json!({"tenant_id": r["tenant_id"], "company_id": c, "version": r["version"]}))
        })
        .collect();
    let res = app.call_json(&editor, "mapping/accept_suggestions", serde_json::json!({ "items": items })).await;
    assert_eq!(res.status(), StatusCode::OK);
    let outcomes: Value = res.json().await.unwrap();
    assert!(outcomes.as_array().unwrap().iter().all(|o| o["error"].is_null()), "{outcomes}");
    let after = app.ok(&editor, "mapping/customers", &[]).await;
    let mapped = after["rows"].as_array().unwrap().iter().filter(|r| r["state"] == "mapped").count();
    assert_eq!(mapped, items.len());
    assert!(after["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["state"] == "mapped")
        .all(|r| r["suggestion"].is_null()));
    let history = app
        .ok(&editor, "mapping/history", &[("kind", "tenant"), ("key", items[0]["tenant_id"].as_str().unwrap())])
        .await;
    assert_eq!(history[0]["action"], "accept suggestion");

    // Undo: every accepted tenant is unmapped again and its suggestion comes back, except one a
    // person changed since, which is reported and left as that person made it.
    let accepted: Vec<Value> = outcomes.as_array().unwrap().iter().map(|o| o["row"].clone()).collect();
    let changed = &accepted[0];
    let changed_id = changed["tenant_id"].as_str().unwrap();
    app.ok(
        &editor,
        "mapping/save_tenant",
        &[("tenant_id", changed_id), ("action", "ignore"), ("version", &changed["version"].to_string())],
    )
    .await;
    let undo: Vec<Value> =
        accepted.iter().map(|r| serde_json::json!({"tenant_id": r["tenant_id"], "version": r["version"]})).collect();
    let res = app.call_json(&editor, "mapping/undo_accept", serde_json::json!({ "items": undo })).await;
    assert_eq!(res.status(), StatusCode::OK);
    let undone: Value = res.json().await.unwrap();
    let undone = undone.as_array().unwrap();
    assert!(undone[0]["error"].as_str().is_some_and(|e| e.contains("ignored")), "{}", undone[0]);
    assert!(undone[1..].iter().all(|o| o["row"]["state"] == "unmapped"), "{undone:?}");
    let list = app.ok(&editor, "mapping/customers", &[]).await;
    let rows = list["rows"].as_array().unwrap();
    let row_of = |id: &Value| rows.iter().find(|r| r["tenant_id"] == *id).unwrap();
    assert_eq!(row_of(&changed["tenant_id"])["state"], "ignored", "a later change is never undone");
    for r in &accepted[1..] {
        let now = row_of(&r["tenant_id"]);
        assert_eq!(now["state"], "unmapped");
        assert_eq!(now["suggestion"]["company_id"], r["company_id"], "the suggestion is offered again");
    }
    let history = app
        .ok(&editor, "mapping/history", &[("kind", "tenant"), ("key", accepted[1]["tenant_id"].as_str().unwrap())])
        .await;
    assert_eq!(history[0]["action"], "undo accept");
}

#[tokio::test]
async fn map_change_ignore_undo_and_reset_each_leave_history() {
    let (app, editor) = ready().await;
    let tenant = app.sim.sim.msp().customers[0].tenant_id.clone();
    let companies = app.ok(&editor, "mapping/companies", &[]).await;
    let (a, b) = (companies[1]["id"].to_string(), companies[2]["id"].to_string());
    let save = |action: &'static str, company: Option<String>, version: i64| {
        let (app, editor, tenant) = (&app, &editor, tenant.clone());
        async move {
            let v = version.to_string();
            let mut form = vec![("tenant_id", tenant.as_str()), ("action", action), ("version", v.as_str())];
            if let Some(c) = &company {
                form.push(("company_id", c.as_str()));
            }
            let res = app.call(editor, "mapping/save_tenant", &form).await;
            (res.status(), res.json::<Value>().await.unwrap())
        }
    };
    let (s, r) = save("map", Some(a.clone()), 0).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!((r["state"].as_str(), r["company_id"].to_string()), (Some("mapped"), a.clone()));
    assert!(r["company_url"].as_str().unwrap().contains("OpenAccount"), "a link to the company in Autotask");
    let (_, r) = save("map", Some(b.clone()), 1).await;
    assert_eq!(r["company_id"].to_string(), b);
    let (_, r) = save("ignore", None, 2).await;
    assert_eq!(r["state"], "ignored");
    let (_, r) = save("undo_ignore", None, 3).await;
    assert_eq!(r["state"], "unmapped");
    let (_, r) = save("reset", None, 4).await;
    assert_eq!((r["state"].as_str(), r["version"].as_i64()), (Some("unmapped"), Some(5)));
    // A stale version is refused and nothing is written.
    let (s, r) = save("ignore", None, 2).await;
    assert_eq!(s, StatusCode::CONFLICT, "{r}");
    let history = app.ok(&editor, "mapping/history", &[("kind", "tenant"), ("key", &tenant)]).await;
    let actions: Vec<&str> = history.as_array().unwrap().iter().map(|h| h["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["reset", "undo ignore", "ignore", "change company", "map"]);
    assert!(history[2]["before"].as_str().unwrap().starts_with("Mapped to"));
    assert_eq!(history[2]["after"], "Ignored");
    assert_eq!(history[2]["by"], "Eddie Editor");
    // Mapping to a company Autotask does not have is explained.
    let (s, r) = save("map", Some("999999999".into()), 5).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{r}");
}

#[tokio::test]
async fn the_second_of_two_editors_gets_a_conflict_not_an_overwrite() {
    let (app, editor) = ready().await;
    let admin = app.signed_in("admin").await;
    let tenant = app.sim.sim.msp().customers[1].tenant_id.clone();
    let list = app.ok(&admin, "mapping/customers", &[]).await;
    let version = row(&list, &tenant)["version"].to_string();
    let companies = app.ok(&editor, "mapping/companies", &[]).await;
    let (a, b) = (companies[1]["id"].to_string(), companies[3]["id"].to_string());
    let first = app
        .call(
            &editor,
            "mapping/save_tenant",
            &[("tenant_id", &tenant), ("action", "map"), ("company_id", &a), ("version", &version)],
        )
        .await;
    assert_eq!(first.status(), StatusCode::OK);
    let second = app
        .call(
            &admin,
            "mapping/save_tenant",
            &[("tenant_id", &tenant), ("action", "map"), ("company_id", &b), ("version", &version)],
        )
        .await;
    assert_eq!(second.status(), StatusCode::CONFLICT);
    let message = second.text().await.unwrap();
    assert!(message.contains("Eddie Editor changed the mapping"), "{message}");
    let list = app.ok(&admin, "mapping/customers", &[]).await;
    assert_eq!(row(&list, &tenant)["company_id"].to_string(), a, "the first save stands");
}

#[tokio::test]
async fn a_dismissed_suggestion_never_comes_back_for_that_tenant() {
    let (app, editor) = ready().await;
    let list = app.ok(&editor, "mapping/customers", &[]).await;
    let r = list["rows"].as_array().unwrap().iter().find(|r| !r["suggestion"].is_null()).unwrap().clone();
    let tenant = r["tenant_id"].as_str().unwrap();
    let company = r["suggestion"]["company_id"].to_string();
    app.ok(&editor, "mapping/dismiss_suggestion", &[("tenant_id", tenant), ("company_id", &company)]).await;
    let list = app.ok(&editor, "mapping/customers", &[]).await;
    assert_ne!(row(&list, tenant)["suggestion"]["company_id"].to_string(), company);
    // A reset forgets the dismissal.
    app.ok(&editor, "mapping/save_tenant", &[("tenant_id", tenant), ("action", "reset"), ("version", "0")]).await;
    let list = app.ok(&editor, "mapping/customers", &[]).await;
    assert_eq!(row(&list, tenant)["suggestion"]["company_id"].to_string(), company);
}

/// An Admin chooses, from Autotask's list, the allocation code new services get.
async fn choose_allocation_code(app: &TestApp) -> i64 {
    let admin = app.signed_in("admin").await;
    let codes = app.ok(&admin, "settings/billing_codes", &[]).await;
    let codes = codes.as_array().unwrap();
    assert_eq!(
        (codes[0]["recurring"].as_bool(), codes[1]["recurring"].as_bool(), codes[2]["recurring"].as_bool()),
        (Some(true), Some(true), Some(false)),
        "recurring-service codes come first: {codes:?}"
    );
    let licensing = codes.iter().find(|c| c["name"] == "Microsoft 365 Licensing").unwrap();
    assert_eq!(licensing["use_type"], "Recurring Contract Service");
    let id = licensing["id"].as_i64().unwrap();
    let form = [
        ("service_name_template", "{product} ({term}, billed {billing})"),
        ("contract_name_template", "{company} - Microsoft {term_label} term from {start}"),
        ("adjustment_date", "today"),
        ("service_billing_code_id", &id.to_string()),
        ("time_reporting_requires_start_stop", "false"),
        ("contract_grouping", "aligned_terms"),
    ];
    app.ok(&admin, "settings/save_mapping", &form).await;
    id
}

#[tokio::test]
async fn a_service_needs_an_allocation_code_and_amounts_read_as_people_write_them() {
    let (app, editor) = ready().await;
    let offers = app.ok(&editor, "mapping/offers", &[]).await;
    let mut target = None;
    for o in offers["rows"].as_array().unwrap() {
        let key = o["offer_key"].as_str().unwrap().to_string();
        let draft = app.ok(&editor, "mapping/service_draft", &[("offer_key", &key)]).await;
        if draft["existing_service_id"].is_null() {
            target = Some((key, draft["name"].as_str().unwrap().to_string()));
            break;
        }
    }
    let (key, name) = target.expect("some offer had no service yet");
    let create = |price: &'static str| {
        let (key, name) = (key.clone(), name.clone());
        let app = &app;
        let editor = &editor;
        async move {
            app.call(
                editor,
                "mapping/create_service",
                &[("offer_key", &key), ("name", &name), ("unit_price", price), ("unit_cost", "€ 7"), ("version", "0")],
            )
            .await
        }
    };
    // Autotask requires an allocation code on every service: refused before anything is sent.
    let res = create("12,50").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("allocation code"));
    let services: Vec<Value> =
        reqwest::get(format!("{}/_sim/autotask/services", app.sim.base_url)).await.unwrap().json().await.unwrap();
    assert!(services.iter().all(|s| s["name"] != name.as_str()), "nothing was created");
    let code = choose_allocation_code(&app).await;
    // An amount that reads two ways is a question, not a guess.
    let res = create("1,250").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("did you mean 1250 or 1.25?"));
    let res = create("12,50").await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let services: Vec<Value> =
        reqwest::get(format!("{}/_sim/autotask/services", app.sim.base_url)).await.unwrap().json().await.unwrap();
    let created = services.iter().find(|s| s["name"] == name.as_str()).unwrap();
    assert_eq!(
        (created["unitPrice"].as_f64(), created["unitCost"].as_f64(), created["billingCodeID"].as_i64()),
        (Some(12.5), Some(7.0), Some(code))
    );
}

#[tokio::test]
async fn a_service_is_created_from_the_template_once_and_mapped() {
    let (app, editor) = ready().await;
    choose_allocation_code(&app).await;
    let offers = app.ok(&editor, "mapping/offers", &[]).await;
    let mut created = None;
    for o in offers["rows"].as_array().unwrap() {
        let key = o["offer_key"].as_str().unwrap();
        let draft = app.ok(&editor, "mapping/service_draft", &[("offer_key", key)]).await;
        if draft["existing_service_id"].is_null() {
            let name = draft["name"].as_str().unwrap().to_string();
            assert!(name.starts_with(o["offer_name"].as_str().unwrap()), "named by the template: {name}");
            assert!(
                name.contains(o["term"].as_str().unwrap()) && name.contains(o["billing"].as_str().unwrap()),
                "{name}"
            );
            let res = app
                .call(
                    &editor,
                    "mapping/create_service",
                    &[
                        ("offer_key", key),
                        ("name", &name),
                        ("unit_price", "13.20"),
                        ("unit_cost", "11"),
                        ("version", "0"),
                    ],
                )
                .await;
            assert_eq!(res.status(), StatusCode::OK);
            let r: Value = res.json().await.unwrap();
            assert_eq!((r["state"].as_str(), r["service_name"].as_str()), (Some("mapped"), Some(name.as_str())));
            created = Some((name, key.to_string()));
            break;
        }
    }
    let (name, created_key) = created.expect("some offer had no service yet");
    let services: Vec<Value> =
        reqwest::get(format!("{}/_sim/autotask/services", app.sim.base_url)).await.unwrap().json().await.unwrap();
    let matching: Vec<&Value> = services.iter().filter(|s| s["name"] == name.as_str()).collect();
    assert_eq!(matching.len(), 1);
    assert_eq!(matching[0]["unitPrice"].as_f64(), Some(13.2));
    // Another offer asking for a service of the same name gets the existing one, not a twin.
    let other = offers["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["state"] == "unmapped" && o["offer_key"] != created_key.as_str())
        .unwrap();
    let key = other["offer_key"].as_str().unwrap();
    let r = app
        .ok(
            &editor,
            "mapping/create_service",
            &[("offer_key", key), ("name", &name), ("unit_price", "1"), ("unit_cost", ""), ("version", "0")],
        )
        .await;
    assert_eq!(r["service_name"], name.as_str());
    let services: Vec<Value> =
        reqwest::get(format!("{}/_sim/autotask/services", app.sim.base_url)).await.unwrap().json().await.unwrap();
    assert_eq!(services.iter().filter(|s| s["name"] == name.as_str()).count(), 1);
    // Bad input is explained.
    let res = app
        .call(
            &editor,
            "mapping/create_service",
            &[("offer_key", key), ("name", "x"), ("unit_price", "twelve"), ("unit_cost", ""), ("version", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("is not an amount"));
}

#[tokio::test]
async fn a_products_legacy_and_nce_offers_are_listed_together() {
    let (app, editor) = ready().await;
    let offers = app.ok(&editor, "mapping/offers", &[]).await;
    let rows = offers["rows"].as_array().unwrap();
    let legacy = rows.iter().filter(|r| r["nce"] == false).count();
    assert!(legacy > 0 && legacy < rows.len(), "the seeded MSP sells both: {legacy} legacy of {}", rows.len());
    // Each product's offers form one run in the list, NCE first.
    let names: Vec<(String, bool)> =
        rows.iter().map(|r| (r["offer_name"].as_str().unwrap().to_lowercase(), r["nce"] == true)).collect();
    for (i, (name, nce)) in names.iter().enumerate() {
        let first = names.iter().position(|(n, _)| n == name).unwrap();
        assert!(names[first..=i].iter().all(|(n, _)| n == name), "{name} is listed in one run");
        if *nce {
            assert!(names[first..i].iter().all(|(_, n)| *n), "{name}: NCE offers before legacy ones");
        }
    }
    let a_legacy = rows.iter().find(|r| r["nce"] == false).unwrap();
    assert!(a_legacy["product"].as_str().unwrap().contains('-'), "a legacy offer is named by its GUID");
}

#[tokio::test]
async fn every_unmapped_offer_is_previewed_and_created_from_the_template_in_one_go() {
    let (app, editor) = ready().await;
    choose_allocation_code(&app).await;
    let drafts = app.ok(&editor, "mapping/template_drafts", &[]).await;
    let drafts = drafts.as_array().unwrap();
    let offers = app.ok(&editor, "mapping/offers", &[]).await;
    let unmapped = offers["rows"].as_array().unwrap().iter().filter(|r| r["state"] == "unmapped").count();
    assert_eq!(drafts.len(), unmapped, "one line per unmapped offer");
    for d in drafts {
        let one = app.ok(&editor, "mapping/service_draft", &[("offer_key", d["offer_key"].as_str().unwrap())]).await;
        assert_eq!(d["name"], one["name"], "the preview names what the one-offer form names");
        assert_eq!(d["existing_service_id"], one["existing_service_id"]);
    }
    // Two new services with prices, and a blank price for a name Autotask has: mapped to it.
    let new: Vec<&Value> = drafts.iter().filter(|d| d["existing_service_id"].is_null()).take(2).collect();
    let existing = drafts.iter().find(|d| !d["existing_service_id"].is_null());
    let mut items: Vec<Value> = new
        .iter()
        .map(|d| {
            serde_json::json!({"offer_key": d["offer_key"], "version": d["version"], "name": d["name"], "unit_price": "9,50", "unit_cost": ""})
        })
        .collect();
    if let Some(e) = existing {
        items.push(serde_json::json!({"offer_key": e["offer_key"], "version": e["version"], "name": e["name"], "unit_price": "", "unit_cost": ""}));
    }
    // A new service without a price is refused on its own line; the others go through.
    let unpriced = drafts.iter().filter(|d| d["existing_service_id"].is_null()).nth(2).unwrap();
    items.push(serde_json::json!({"offer_key": unpriced["offer_key"], "version": unpriced["version"], "name": unpriced["name"], "unit_price": "", "unit_cost": ""}));
    let res = app.call_json(&editor, "mapping/create_from_template", serde_json::json!({ "items": items })).await;
    assert_eq!(res.status(), StatusCode::OK);
    let outcomes: Value = res.json().await.unwrap();
    let outcomes = outcomes.as_array().unwrap();
    assert_eq!(outcomes.len(), items.len());
    let (last, done) = outcomes.split_last().unwrap();
    assert!(done.iter().all(|o| o["row"]["state"] == "mapped"), "{done:?}");
    assert!(last["error"].as_str().is_some_and(|e| e.contains("price")), "{last}");
    let services: Vec<Value> =
        reqwest::get(format!("{}/_sim/autotask/services", app.sim.base_url)).await.unwrap().json().await.unwrap();
    for d in &new {
        let made: Vec<&Value> = services.iter().filter(|s| s["name"] == d["name"]).collect();
        assert_eq!(made.len(), 1, "{}", d["name"]);
        assert_eq!(made[0]["unitPrice"].as_f64(), Some(9.5));
    }
    if let Some(e) = existing {
        assert_eq!(services.iter().filter(|s| s["name"] == e["name"]).count(), 1, "no twin of an existing service");
    }
    let after = app.ok(&editor, "mapping/template_drafts", &[]).await;
    assert_eq!(after.as_array().unwrap().len(), drafts.len() - done.len(), "mapped offers leave the preview");
}

#[tokio::test]
async fn a_tenant_without_a_company_gets_one_created_in_autotask_once_and_mapped() {
    let (app, editor) = ready().await;
    let tenants: Vec<String> = app.sim.sim.msp().customers.iter().map(|c| c.tenant_id.clone()).collect();
    let (tenant, other) = (tenants[0].as_str(), tenants[1].as_str());

    // The form comes prefilled from the tenant, with Autotask's staff as owners.
    let draft = app.ok(&editor, "mapping/company_draft", &[("tenant_id", tenant)]).await;
    let list = app.ok(&editor, "mapping/customers", &[]).await;
    let tenant_name = row(&list, tenant)["name"].as_str().unwrap().to_string();
    assert_eq!(draft["name"], tenant_name.as_str());
    // A name no seeded company has (the tenant may have a company under its own name already).
    let name = format!("{tenant_name} Labs");
    assert_eq!(draft["phone_required"], true, "the simulated Autotask requires a phone, as Autotask does");
    let owners = draft["owners"].as_array().unwrap();
    assert!(owners.iter().any(|o| o["name"] == "Dana Whitfield"), "{owners:?}");
    assert!(owners.iter().all(|o| o["name"] != "Tom Becker"), "an inactive resource cannot own a company");
    let owner = owners.iter().find(|o| o["name"] == "Dana Whitfield").unwrap()["id"].as_i64().unwrap();
    let form = |name: &str, phone: &str, version: i64| {
        serde_json::json!({"form": {"tenant_id": tenant, "name": name, "owner_id": owner, "phone": phone,
            "web_address": draft["web_address"].as_str().unwrap_or_default(), "version": version}})
    };

    // Autotask's required phone is asked for before anything is sent.
    let res = app.call_json(&editor, "mapping/create_company", form(&name, "", 0)).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let text = res.text().await.unwrap();
    assert!(text.contains("requires phone"), "{text}");

    // The create's answer is lost: SeatSync looks again instead of creating a twin.
    seatsync_testkit::faults(
        &app.sim,
        serde_json::json!([{"path": "/ATServicesRest/V1.0/Companies", "method": "POST", "kind": "lost_response", "times": 1}]),
    )
    .await;
    let res = app.call_json(&editor, "mapping/create_company", form(&name, "+1 555 0142", 0)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let r: Value = res.json().await.unwrap();
    assert_eq!(r["state"], "mapped");
    assert_eq!(r["company_name"], name.as_str());
    let companies = seatsync_testkit::autotask_records(&app.sim, "Companies").await;
    let created: Vec<&Value> = companies.iter().filter(|c| c["companyName"] == name.as_str()).collect();
    assert_eq!(created.len(), 1, "exactly one company");
    assert_eq!(created[0]["ownerResourceID"].as_i64(), Some(owner));
    assert_eq!(created[0]["phone"], "+1 555 0142");
    assert_eq!(created[0]["id"], r["company_id"]);
    let history = app.ok(&editor, "mapping/history", &[("kind", "tenant"), ("key", tenant)]).await;
    assert_eq!(history[0]["action"], "create company and map", "{history}");

    // A second tenant asking for a company of that name is told to map to the existing one.
    let res = app
        .call_json(&editor, "mapping/create_company", {
            let mut f = form(&name.to_uppercase(), "+1 555 0142", 0);
            f["form"]["tenant_id"] = other.into();
            f
        })
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let text = res.text().await.unwrap();
    assert!(text.contains("already has a company named"), "{text}");
    let companies = seatsync_testkit::autotask_records(&app.sim, "Companies").await;
    assert_eq!(companies.iter().filter(|c| c["companyName"] == name.as_str()).count(), 1);

    // A stale form is refused before Autotask is touched.
    let res = app.call_json(&editor, "mapping/create_company", form("Another Name Ltd", "1", 0)).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let companies = seatsync_testkit::autotask_records(&app.sim, "Companies").await;
    assert!(companies.iter().all(|c| c["companyName"] != "Another Name Ltd"));
}
