//! The simulated Autotask over real HTTP: queries and paging, validation, the thread limit and
//! the hourly threshold, contract service adjustments, attachments, lost responses, and the
//! `/_sim/` steering endpoints.

use std::time::{Duration, Instant};

use seatsync_sim::{spawn, SimConfig, SimHandle};
use serde_json::{json, Value};

async fn sim_with(config: SimConfig) -> SimHandle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    spawn(config, listener).await.unwrap()
}

async fn sim(tenants: usize) -> SimHandle {
    sim_with(SimConfig { tenants, ..SimConfig::default() }).await
}

/// A client for `/ATServicesRest/V1.0/` with the three auth headers.
struct At {
    http: reqwest::Client,
    root: String,
    base: String,
}

impl At {
    fn new(s: &SimHandle) -> Self {
        Self {
            http: reqwest::Client::new(),
            root: format!("{}/ATServicesRest/V1.0", s.base_url),
            base: s.base_url.clone(),
        }
    }

    fn req(&self, method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, url)
            .header("ApiIntegrationCode", "SEATSYNCSIMTRACKING")
            .header("UserName", "seatsync-api@northwind-msp.example")
            .header("Secret", "sim-autotask-secret")
            .header("Content-Type", "application/json")
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = if path.starts_with("http") { path.to_string() } else { format!("{}/{path}", self.root) };
        let mut req = self.req(method, &url);
        if let Some(b) = body {
            req = req.body(b.to_string());
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    async fn query(&self, entity: &str, filter: Value) -> Vec<Value> {
        let (status, body) = self.post(&format!("{entity}/query"), json!({ "filter": filter })).await;
        assert_eq!(status, 200, "{body}");
        body["items"].as_array().unwrap().clone()
    }

    async fn control(&self, path: &str) -> Value {
        self.http.get(format!("{}/_sim/{path}", self.base)).send().await.unwrap().json().await.unwrap()
    }

    async fn faults(&self, rules: Value) {
        let res =
            self.http.post(format!("{}/_sim/faults", self.base)).json(&json!({ "rules": rules })).send().await.unwrap();
        assert_eq!(res.status(), 204);
    }
}

fn ids(items: &[Value]) -> Vec<i64> {
    items.iter().map(|i| i["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn filters_with_in_or_and_nested_groups() {
    let s = sim(30).await;
    let at = At::new(&s);
    let all = at.query("Companies", json!([{"op": "gte", "field": "id", "value": 0}])).await;
    assert_eq!(all.len(), s.sim.msp().autotask.count("Companies"));
    let picked: Vec<i64> = ids(&all).into_iter().skip(3).step_by(4).collect();

    let got = at.query("Companies", json!([{"op": "in", "field": "ID", "value": picked}])).await;
    assert_eq!(ids(&got), picked);
    let got = at.query("Companies", json!([{"op": "notIn", "field": "id", "value": picked}])).await;
    assert_eq!(got.len(), all.len() - picked.len());

    let name = all[5]["companyName"].as_str().unwrap().to_string();
    let prefix: String = name.chars().take(4).collect();
    let nested = json!([
        {"op": "eq", "field": "isActive", "value": true},
        {"op": "or", "items": [
            {"op": "eq", "field": "companyName", "value": name.to_uppercase()},
            {"op": "and", "items": [{"op": "beginsWith", "field": "companyName", "value": prefix}, {"op": "eq", "field": "id", "value": picked[0]}]},
        ]},
    ]);
    let got = at.query("Companies", nested.clone()).await;
    let mut expected = vec![all[5]["id"].as_i64().unwrap()];
    if all.iter().find(|c| c["id"] == picked[0]).unwrap()["companyName"].as_str().unwrap().starts_with(&prefix)
        && picked[0] != expected[0]
    {
        expected.push(picked[0]);
        expected.sort();
    }
    assert_eq!(ids(&got), expected);

    // The same query by GET with ?search=, and counted; paths in any casing.
    let search: String =
        url::form_urlencoded::byte_serialize(json!({"filter": nested}).to_string().as_bytes()).collect();
    let (status, body) = at.get(&format!("companies/QUERY?search={search}")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ids(body["items"].as_array().unwrap()), expected);
    let (_, count) = at
        .send(
            reqwest::Method::POST,
            &format!("{}/atservicesrest/v1.0/COMPANIES/query/count", s.base_url),
            Some(json!({"filter": [{"op": "in", "field": "id", "value": picked}]})),
        )
        .await;
    assert_eq!(count, json!({"queryCount": picked.len()}));

    // Dates compare as dates, whatever their text.
    let contracts = at.query("Contracts", json!([{"op": "gte", "field": "id", "value": 0}])).await;
    let start = contracts[0]["startDate"].as_str().unwrap()[..10].to_string();
    let got = at.query("Contracts", json!([{"op": "eq", "field": "startDate", "value": start}, {"op": "lte", "field": "startDate", "value": format!("{start}T00:00:00.000")}])).await;
    assert!(got.iter().any(|c| c["id"] == contracts[0]["id"]));
}

#[tokio::test]
async fn pages_follow_next_page_urls_and_fields_can_be_limited() {
    let s = sim(40).await;
    let at = At::new(&s);
    let total = s.sim.msp().autotask.count("Companies");
    let per_page = total.div_ceil(3);
    let body = json!({"filter": [{"op": "gte", "field": "id", "value": 0}], "includeFields": ["CompanyName"], "MaxRecords": per_page});
    let (status, mut page) = at.post("Companies/query", body.clone()).await;
    assert_eq!(status, 200, "{page}");
    let mut seen = Vec::new();
    let mut pages = Vec::new();
    loop {
        let items = page["items"].as_array().unwrap();
        for item in items {
            let keys: Vec<&String> = item.as_object().unwrap().keys().collect();
            assert_eq!(keys, ["companyName", "id"], "only the included fields and id");
        }
        seen.extend(ids(items));
        assert_eq!(page["pageDetails"]["count"], items.len());
        assert_eq!(page["pageDetails"]["requestCount"], per_page);
        pages.push(page.clone());
        let Some(next) = page["pageDetails"]["nextPageUrl"].as_str() else { break };
        assert!(
            next.starts_with(&format!("{}/ATServicesRest/V1.0/Companies/query/next?paging=", s.base_url)),
            "{next}"
        );
        // Re-POST the same body to the next page's URL, as the documents say.
        let (status, next_page) = at.post(next, body.clone()).await;
        assert_eq!(status, 200, "{next_page}");
        page = next_page;
    }
    assert_eq!(pages.len(), 3);
    assert_eq!(seen.len(), total);
    let mut sorted = seen.clone();
    sorted.dedup();
    assert_eq!(sorted, seen, "ascending ids, none twice");
    assert!(pages[0]["pageDetails"]["prevPageUrl"].is_null());

    // A GET of a next page URL works as well, and prevPageUrl leads back.
    let next = pages[0]["pageDetails"]["nextPageUrl"].as_str().unwrap();
    let (status, second) = at.get(next).await;
    assert_eq!(status, 200);
    assert_eq!(second["items"], pages[1]["items"]);
    let prev = pages[2]["pageDetails"]["prevPageUrl"].as_str().unwrap();
    let (_, back) = at.get(prev).await;
    assert_eq!(back["items"], pages[1]["items"]);
}

#[tokio::test]
async fn bad_queries_and_writes_get_errors_bodies_with_500() {
    let s = sim(5).await;
    let at = At::new(&s);
    let expect_500 = |(status, body): (u16, Value), text: &str| {
        assert_eq!(status, 500, "{body}");
        let errors: Vec<String> =
            body["errors"].as_array().unwrap().iter().map(|e| e.as_str().unwrap().to_string()).collect();
        assert!(errors.iter().any(|e| e.contains(text)), "{errors:?} lacks {text}");
    };
    expect_500(at.post("Companies/query", json!({})).await, "filter is required");
    expect_500(
        at.post("Companies/query", json!({"filter": [{"op": "eq", "field": "colour", "value": 1}]})).await,
        "Unable to find colour in the Companies entity.",
    );
    expect_500(
        at.post("Companies/query", json!({"filter": [{"op": "similar", "field": "id", "value": 1}]})).await,
        "not a valid filter operator",
    );
    expect_500(
        at.post(
            "Companies/query",
            json!({"filter": [{"op": "in", "field": "id", "value": (0..501).collect::<Vec<_>>()}]}),
        )
        .await,
        "500 or fewer",
    );

    let company = s.sim.msp().autotask.company_of_tenant.values().next().copied().unwrap();
    let contract = json!({"companyID": company, "contractType": 7, "status": 1, "startDate": "2026-01-01T00:00:00", "endDate": "2026-12-31T00:00:00", "contractPeriodType": 2, "timeReportingRequiresStartAndStopTimes": 0});
    expect_500(
        at.post("Contracts", contract.clone()).await,
        "Value does not exist for the required field contractName.",
    );
    let mut bad = contract.clone();
    bad["contractName"] = json!("x");
    bad["contractType"] = json!(2);
    expect_500(at.post("Contracts", bad).await, "not an active picklist value of the field contractType");
    let mut bad = contract.clone();
    bad["contractName"] = json!("x");
    bad["companyID"] = json!(42);
    expect_500(at.post("Contracts", bad).await, "companyID of type: Company does not exist");
    let mut bad = contract.clone();
    bad["contractName"] = json!("x");
    bad["endDate"] = json!("2025-12-31");
    expect_500(at.post("Contracts", bad).await, "endDate cannot be before");
    let mut bad = contract.clone();
    bad["contractName"] = json!("x");
    bad.as_object_mut().unwrap().remove("timeReportingRequiresStartAndStopTimes");
    expect_500(
        at.post("Contracts", bad).await,
        "Value does not exist for the required field timeReportingRequiresStartAndStopTimes.",
    );
    // Every service names an allocation code, and an existing one.
    let service = json!({"name": "Needs a code", "unitPrice": 5, "periodType": 3});
    expect_500(
        at.post("Services", service.clone()).await,
        "Value does not exist for the required field billingCodeID.",
    );
    let mut bad = service.clone();
    bad["billingCodeID"] = json!(999_999);
    expect_500(at.post("Services", bad).await, "billingCodeID of type: BillingCode does not exist");
    let mut bad = contract.clone();
    bad["contractName"] = json!("x");
    bad.as_object_mut().unwrap().remove("contractPeriodType");
    expect_500(at.post("Contracts", bad).await, "required field contractPeriodType");
    expect_500(
        at.post("Tickets", json!({"companyID": company, "title": "Seats", "status": 1, "priority": 2})).await,
        "queueID or an assignedResourceID",
    );

    // Where the documents do not allow a write, there is no such endpoint.
    let (status, body) = at.post("ContractServices", json!({"contractID": 1, "serviceID": 2})).await;
    assert_eq!(status, 405, "{body}");
    assert!(body["errors"][0].as_str().unwrap().contains("/Contracts/{id}/Services"));
    assert_eq!(
        at.post("ContractServiceUnits/query", json!({"filter": [{"op": "gte", "field": "id", "value": 0}]})).await.0,
        200
    );
    assert_eq!(at.send(reqwest::Method::PATCH, "ContractServiceUnits", Some(json!({"id": 1}))).await.0, 405);

    // Unknown ids are 404 with an errors body; a missing secret is 401 with a text body.
    let (status, body) = at.get("Contracts/12345").await;
    assert_eq!(status, 404);
    assert!(body["errors"].is_array());
    let res = reqwest::Client::new()
        .post(format!("{}/ATServicesRest/V1.0/Companies/query", s.base_url))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.text().await.unwrap(), "Unauthorized");

    let (status, created) = at
        .post("Contracts", {
            let mut c = contract.clone();
            c["contractName"] = json!("Created by a test");
            c
        })
        .await;
    assert_eq!(status, 200, "{created}");
    let id = created["itemId"].as_i64().unwrap();
    let (_, got) = at.get(&format!("Contracts/{id}")).await;
    assert_eq!(got["item"]["contractName"], "Created by a test");
    assert_eq!(got["item"]["startDate"], "2026-01-01T00:00:00Z");
    let (status, updated) = at.send(reqwest::Method::PATCH, "Contracts", Some(json!({"id": id, "status": 0}))).await;
    assert_eq!((status, updated), (200, json!({"itemId": id})));
    let (_, got) = at.get(&format!("Contracts/{id}")).await;
    assert_eq!(
        (got["item"]["status"].clone(), got["item"]["contractName"].clone()),
        (json!(0), json!("Created by a test"))
    );
}

#[tokio::test]
async fn entity_information_lists_fields_and_string_picklist_values() {
    let s = sim(2).await;
    let at = At::new(&s);
    let (_, fields) = at.get("Contracts/entityInformation/fields").await;
    let field = |name: &str| fields["fields"].as_array().unwrap().iter().find(|f| f["name"] == name).unwrap().clone();
    let kind = field("contractType");
    assert_eq!(kind["isPickList"], true);
    let recurring =
        kind["picklistValues"].as_array().unwrap().iter().find(|v| v["label"] == "Recurring Service").unwrap();
    assert_eq!(recurring["value"], "7");
    assert_eq!(field("startDate")["dataType"], "datetime");
    assert_eq!(field("companyID")["referenceEntityType"], "Company");
    let (_, info) = at.get("ContractServiceUnits/entityInformation").await;
    assert_eq!((info["info"]["canQuery"].clone(), info["info"]["canCreate"].clone()), (json!(true), json!(false)));
    let (_, info) = at.get("ContractServiceAdjustments/entityInformation").await;
    assert_eq!((info["info"]["canQuery"].clone(), info["info"]["canCreate"].clone()), (json!(false), json!(true)));
}

#[tokio::test]
async fn more_than_three_requests_in_flight_per_endpoint_are_refused() {
    let s = sim(3).await;
    let at = At::new(&s);
    at.faults(json!([{"path": "/ATServicesRest/V1.0/Companies/query", "kind": "latency", "ms": 600}])).await;
    let body = json!({"filter": [{"op": "gte", "field": "id", "value": 0}]});
    let calls = (0..8).map(|_| async {
        let res = at
            .req(reqwest::Method::POST, &format!("{}/Companies/query", at.root))
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let retry_after = res.headers().get("Retry-After").is_some();
        (res.status().as_u16(), retry_after, res.json::<Value>().await.unwrap())
    });
    // Another endpoint is not affected while Companies is busy.
    let other = async {
        tokio::time::sleep(Duration::from_millis(150)).await;
        at.post("Contracts/query", body.clone()).await.0
    };
    let (results, other) = tokio::join!(futures_join_all(calls), other);
    assert_eq!(other, 200);
    let ok = results.iter().filter(|(s, _, _)| *s == 200).count();
    let refused: Vec<_> = results.iter().filter(|(s, _, _)| *s == 429).collect();
    assert_eq!((ok, refused.len()), (3, 5), "{results:?}");
    for (_, retry_after, body) in refused {
        assert!(!retry_after, "Autotask sends no Retry-After");
        assert!(body["errors"][0].as_str().unwrap().contains("Thread limit"), "{body}");
    }
    let usage = at.control("autotask-usage").await;
    assert_eq!(usage["refusedThreadLimit"], 5);
}

/// `futures::future::join_all` without the dependency: spawns nothing, polls all together.
async fn futures_join_all<F: std::future::Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futures.into_iter().map(|f| Box::pin(f)).collect();
    let mut out: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, slot) in pinned.iter_mut().zip(out.iter_mut()) {
            if slot.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *slot = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(|o| o.unwrap()).collect()
}

#[tokio::test]
async fn the_hourly_threshold_slows_then_refuses() {
    let s = sim_with(SimConfig { tenants: 2, autotask_hourly_limit: 10, ..SimConfig::default() }).await;
    let at = At::new(&s);
    let zone = at
        .http
        .get(format!("{}/ATServicesRest/V1.0/zoneInformation?user=seatsync-api@northwind-msp.example", s.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(zone.status(), 200, "zone discovery is not counted");
    let mut last = Duration::ZERO;
    for i in 1..=10 {
        let started = Instant::now();
        let (status, body) = at.get("ThresholdInformation").await;
        assert_eq!(status, 200);
        assert_eq!(
            body,
            json!({"externalRequestThreshold": 10, "requestThresholdTimeframe": 60, "currentTimeframeRequestCount": i})
        );
        last = started.elapsed();
    }
    assert!(last >= Duration::from_millis(250), "near the threshold Autotask adds latency: {last:?}");
    let (status, body) =
        at.post("Companies/query", json!({"filter": [{"op": "gte", "field": "id", "value": 0}]})).await;
    assert_eq!(status, 429);
    assert!(body["errors"][0].as_str().unwrap().contains("threshold"), "{body}");
    let res = at.http.post(format!("{}/_sim/autotask/reset-usage", s.base_url)).send().await.unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(at.get("ThresholdInformation").await.1["currentTimeframeRequestCount"], 1);
}

#[tokio::test]
async fn adjustments_change_units_and_add_missing_contract_services() {
    let s = sim(4).await;
    let at = At::new(&s);
    let company = s.sim.msp().autotask.company_of_tenant.values().next().copied().unwrap();
    let services = at.query("Services", json!([{"op": "gte", "field": "id", "value": 0}])).await;
    let (a, b) = (services[0]["id"].as_i64().unwrap(), services[1]["id"].as_i64().unwrap());
    let (_, created) = at.post("Contracts", json!({"companyID": company, "contractName": "Units test", "contractType": 7, "status": 1,
        "startDate": "2026-02-01T00:00:00", "endDate": "2027-01-31T00:00:00", "contractPeriodType": 2, "timeReportingRequiresStartAndStopTimes": 0})).await;
    let contract = created["itemId"].as_i64().unwrap();

    let (status, cs) =
        at.post(&format!("Contracts/{contract}/Services"), json!({"serviceID": a, "unitPrice": 20.0})).await;
    assert_eq!(status, 200, "{cs}");
    let cs = cs["itemId"].as_i64().unwrap();
    let units = || async {
        let (status, body) = at.get(&format!("Contracts/{contract}/ServiceUnits")).await;
        assert_eq!(status, 200, "{body}");
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| (u["serviceID"].as_i64().unwrap(), u["units"].as_i64().unwrap()))
            .collect::<Vec<_>>()
    };
    assert_eq!(units().await, vec![(a, 0)]);
    let adjust = |service: i64, change: i64| {
        at.post("ContractServiceAdjustments", json!({"contractID": contract, "serviceID": service, "effectiveDate": "2026-03-01T00:00:00", "unitChange": change, "adjustedUnitPrice": 19.5}))
    };
    assert_eq!(adjust(a, 7).await.0, 200);
    assert_eq!(
        at.post(
            &format!("Contracts/{contract}/ServiceAdjustments"),
            json!({"serviceID": a, "effectiveDate": "2026-03-01", "unitChange": -2})
        )
        .await
        .0,
        200
    );
    assert_eq!(units().await, vec![(a, 5)]);
    let (status, body) = adjust(a, -6).await;
    assert_eq!(status, 500);
    assert!(body["errors"][0].as_str().unwrap().contains("negative"), "{body}");

    // A service not on the contract: the adjustment creates the contract service.
    assert_eq!(adjust(b, 3).await.0, 200);
    assert_eq!(units().await, vec![(a, 5), (b, 3)]);
    let on_contract =
        at.query("ContractServices", json!([{"op": "eq", "field": "contractID", "value": contract}])).await;
    assert_eq!(on_contract.len(), 2);
    assert_eq!(on_contract[1]["unitPrice"], 19.5);
    assert_eq!(on_contract[0]["id"], cs);
    let adjustments: Value = at.control("autotask/contractServiceAdjustments").await;
    assert_eq!(adjustments.as_array().unwrap().len(), 3);
    assert!(adjustments.as_array().unwrap().iter().all(|a| a["contractServiceID"].is_i64()));

    // The same service twice on one contract is refused; so is a change of its service.
    let (status, body) = at.post(&format!("Contracts/{contract}/Services"), json!({"serviceID": a})).await;
    assert_eq!(status, 500, "{body}");
    let (status, _) = at
        .send(
            reqwest::Method::PATCH,
            &format!("Contracts/{contract}/Services"),
            Some(json!({"id": cs, "unitPrice": 21.0})),
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_lost_response_still_writes() {
    let s = sim(3).await;
    let at = At::new(&s);
    at.faults(
        json!([{"path": "/ATServicesRest/V1.0/Contracts", "method": "POST", "kind": "lost_response", "times": 1}]),
    )
    .await;
    let company = s.sim.msp().autotask.company_of_tenant.values().next().copied().unwrap();
    let res = at
        .req(reqwest::Method::POST, &format!("{}/Contracts", at.root))
        .body(json!({"companyID": company, "contractName": "Lost on the way back", "contractType": 7, "status": 1, "startDate": "2026-02-01", "endDate": "2027-01-31", "contractPeriodType": 2, "timeReportingRequiresStartAndStopTimes": 0}).to_string())
        .timeout(Duration::from_millis(500))
        .send()
        .await;
    assert!(res.unwrap_err().is_timeout());
    let contracts = at.control("autotask/contracts").await;
    assert!(contracts.as_array().unwrap().iter().any(|c| c["contractName"] == "Lost on the way back"));
    // The lost request holds none of the endpoint's threads.
    let body = json!({"filter": [{"op": "gte", "field": "id", "value": 0}]});
    let results = futures_join_all((0..3).map(|_| at.post("Contracts/query", body.clone()))).await;
    assert!(results.iter().all(|(s, _)| *s == 200));
}

#[tokio::test]
async fn ticket_attachments_keep_their_data_to_the_child_route() {
    use base64::{engine::general_purpose::STANDARD, Engine};
    let s = sim(2).await;
    let at = At::new(&s);
    let company = s.sim.msp().autotask.company_of_tenant.values().next().copied().unwrap();
    let (status, t) = at
        .post(
            "Tickets",
            json!({"companyID": company, "title": "Licence report", "status": 1, "priority": 2, "queueID": 29683478}),
        )
        .await;
    assert_eq!(status, 200, "{t}");
    let ticket = t["itemId"].as_i64().unwrap();
    let (status, n) = at
        .post(&format!("Tickets/{ticket}/Notes"), json!({"description": "Seats changed", "noteType": 1, "publish": 1}))
        .await;
    assert_eq!(status, 200, "{n}");
    let data = STANDARD.encode(b"tenant,seats\nA,3\n");
    let (status, a) = at.post(&format!("Tickets/{ticket}/Attachments"), json!({"title": "report.csv", "fullPath": "report.csv", "attachmentType": "FILE_ATTACHMENT", "contentType": "text/csv", "publish": 1, "data": data})).await;
    assert_eq!(status, 200, "{a}");
    let id = a["itemId"].as_i64().unwrap();
    let (_, one) = at.get(&format!("Tickets/{ticket}/Attachments/{id}")).await;
    assert_eq!(one["item"]["data"], data);
    assert_eq!(one["item"]["fileSize"], 17);
    let listed = at.query("TicketAttachments", json!([{"op": "eq", "field": "parentID", "value": ticket}])).await;
    assert!(listed[0]["data"].is_null());
    let big = STANDARD.encode(vec![0u8; 7 * 1024 * 1024 + 1]);
    let (status, body) = at
        .post(
            &format!("Tickets/{ticket}/Attachments"),
            json!({"title": "big.bin", "attachmentType": "FILE_ATTACHMENT", "publish": 1, "data": big}),
        )
        .await;
    assert_eq!(status, 500);
    assert!(body["errors"][0].as_str().unwrap().contains("7 MB"), "{body}");
}

#[tokio::test]
async fn steering_subscriptions_and_company_lookups() {
    let s = sim(12).await;
    let at = At::new(&s);
    let msp = s.sim.msp().clone();
    let (tenant, company) = msp.autotask.company_of_tenant.iter().next().map(|(t, c)| (t.clone(), *c)).unwrap();
    assert_eq!(at.control(&format!("autotask-company-of/{tenant}")).await["companyId"], company);
    let without = msp.customers.iter().find(|c| !msp.autotask.company_of_tenant.contains_key(&c.tenant_id));
    let unknown = without.map(|c| c.tenant_id.clone()).unwrap_or_else(|| "00000000-0000-0000-0000-000000000000".into());
    let res = at.http.get(format!("{}/_sim/autotask-company-of/{unknown}", s.base_url)).send().await.unwrap();
    assert_eq!(res.status(), 404);

    let sub = msp.customers[0].subscriptions.iter().find(|s| s.status == "active").unwrap().clone();
    let res = at
        .http
        .post(format!("{}/_sim/partner-center/subscriptions/{}", s.base_url, sub.id))
        .json(&json!({"quantity": sub.quantity + 4}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        s.sim.msp().customers[0].subscriptions.iter().find(|x| x.id == sub.id).unwrap().quantity,
        sub.quantity + 4
    );
    let res = at
        .http
        .post(format!("{}/_sim/partner-center/subscriptions/{}", s.base_url, sub.id))
        .json(&json!({"status": "suspended"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "suspended");
    let res = at
        .http
        .post(format!("{}/_sim/partner-center/subscriptions/nope", s.base_url))
        .json(&json!({"quantity": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);

    let summary = at.control("summary").await;
    assert_eq!(summary["autotaskContracts"], msp.autotask.count("Contracts"));
}
