//! The Cisco Duo client against the simulator over HTTP: every child account listed and counted
//! as the seed says (an edition Duo withholds left out), every user read across pages, wrong
//! keys refused in words, the signature, Date and `account_id` checked as Duo checks them, 429s
//! waited out, and the integration held to Duo's 40 unpaged lists a minute.

use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
    time::Duration,
};

use chrono::{TimeDelta, Utc};
use seatsync_sim::{
    duo::{truth, DUO_INTEGRATION_KEY, DUO_SECRET_KEY},
    spawn, FaultRule, SimConfig, SimHandle,
};
use seatsync_vendors::{
    duo::{
        authorization, canonical_params, canonical_request, request_date, users_product, Duo, DuoSettings, HttpDuo,
        SignatureVersion, DEFAULT_USERS_PAGE_SIZE,
    },
    http::RetryPolicy,
    VendorError,
};
use serde_json::Value;
use url::Url;

async fn sim(tenants: usize) -> SimHandle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    spawn(SimConfig { tenants, ..SimConfig::default() }, listener).await.unwrap()
}

fn quick_policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        request_timeout: Duration::from_millis(1500),
        max_retry_after: Duration::from_secs(5),
    }
}

/// The client at the simulator, whose `/duo` stands for the parent's API hostname; unpaced, so a
/// test meets the simulator's limits as it would meet Duo's.
fn client(s: &SimHandle, integration_key: &str, secret_key: &str, users_page_size: u32) -> Arc<HttpDuo> {
    HttpDuo::new(
        DuoSettings {
            api_url: Url::parse(&format!("{}/duo", s.base_url)).unwrap(),
            integration_key: integration_key.into(),
            secret_key: secret_key.into(),
            requests_per_minute: 100_000,
            users_page_size,
            read_editions: true,
        },
        reqwest::Client::new(),
        quick_policy(),
    )
}

fn duo(s: &SimHandle) -> Arc<HttpDuo> {
    client(s, DUO_INTEGRATION_KEY, DUO_SECRET_KEY, DEFAULT_USERS_PAGE_SIZE)
}

async fn faults(s: &SimHandle, rules: &[&str]) {
    let rules: Vec<FaultRule> = rules.iter().map(|r| r.parse().unwrap()).collect();
    reqwest::Client::new()
        .post(format!("{}/_sim/faults", s.base_url))
        .json(&serde_json::json!({ "rules": rules }))
        .send()
        .await
        .unwrap();
}

/// The `Host` the simulator receives, which a signature covers.
fn host(s: &SimHandle) -> String {
    s.addr.to_string()
}

/// Status, `Retry-After` and body of an answer.
async fn read(res: reqwest::Response) -> (u16, Option<String>, Value) {
    let status = res.status().as_u16();
    let retry_after = res.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_string);
    let body = res.json().await.unwrap_or(Value::Null);
    (status, retry_after, body)
}

/// A GET signed by hand: sent to `/duo{path}`, its signature over `signed_path`.
async fn signed_get(
    s: &SimHandle,
    path: &str,
    signed_path: &str,
    params: &[(&str, &str)],
    version: SignatureVersion,
    date: &str,
) -> (u16, Option<String>, Value) {
    let query = canonical_params(params);
    let canonical = canonical_request(version, date, "GET", &host(s), signed_path, &query, "");
    let url = if query.is_empty() {
        format!("{}/duo{path}", s.base_url)
    } else {
        format!("{}/duo{path}?{query}", s.base_url)
    };
    let res = reqwest::Client::new()
        .get(url)
        .header("Date", date)
        .header("Authorization", authorization(DUO_INTEGRATION_KEY, DUO_SECRET_KEY, &canonical))
        .send()
        .await
        .unwrap();
    read(res).await
}

/// A GET of `/duo{path}` signed as the client signs it: version 5 over the path sent, dated now.
async fn good_get(s: &SimHandle, path: &str, params: &[(&str, &str)]) -> (u16, Option<String>, Value) {
    signed_get(s, path, &format!("/duo{path}"), params, SignatureVersion::V5, &request_date(Utc::now())).await
}

#[tokio::test]
async fn every_account_is_counted_as_the_seed_says() {
    let s = sim(100).await;
    let c = duo(&s);
    let accounts = c.accounts().await.expect("the account list");
    let (expected, seeded) = {
        let msp = s.sim.msp();
        let data = &msp.billing_tools.duo;
        (truth(data), data.accounts.clone())
    };
    let expected: HashMap<String, Value> = expected
        .as_array()
        .expect("a list")
        .iter()
        .map(|record| (record["accountId"].as_str().expect("an id").to_string(), record.clone()))
        .collect();
    assert!(accounts.len() > 60, "{}", accounts.len());
    assert_eq!(accounts.len(), seeded.len());
    assert_eq!(s.sim.requests_matching("/duo/accounts/v1/account/list"), 1, "one request lists every account");
    let own = format!("127.0.0.1:{}", s.addr.port());
    assert!(accounts.iter().all(|a| a.api_hostname.as_deref() == Some(own.as_str())), "each child on this host");

    let mut withheld = 0;
    for account in &accounts {
        let users = c.user_count(account).await.expect("users");
        let edition = c.edition(account).await.expect("an edition, or none where Duo withholds it");
        withheld += usize::from(edition.is_none());
        let counted = BTreeMap::from([(users_product(edition.as_ref()), users)]);
        let record = &expected[&account.account_id];
        let want: BTreeMap<String, i64> = serde_json::from_value(record["counts"].clone()).expect("counts");
        assert_eq!(counted, want, "{}", account.display_name());
        assert_eq!(account.name.as_deref(), record["name"].as_str());
    }
    assert!(withheld > 0 && withheld < accounts.len(), "{withheld} editions withheld (403)");
    assert_eq!(c.requests_sent() as usize, 1 + 2 * accounts.len(), "the list, then a summary and an edition each");

    let seeded_first = &seeded[0];
    let summary = c.summary(&accounts[0]).await.expect("a summary");
    assert_eq!(summary.user_count, Some(seeded_first.user_count));
    assert_eq!(summary.user_pending_deletion_count, Some(seeded_first.user_pending_deletion_count));
    assert_eq!(summary.admin_count, Some(seeded_first.admin_count));

    let check = c.check().await.expect("the connection check");
    assert_eq!(check.accounts, seeded.len());
    let first = check.first.expect("a first account");
    assert_eq!((first.name.as_str(), first.users), (seeded_first.name.as_str(), seeded_first.user_count));
}

#[tokio::test]
async fn every_user_is_read_across_pages() {
    let s = sim(60).await;
    let mut seeded = s.sim.msp().billing_tools.duo.accounts.clone();
    seeded.sort_by_key(|a| std::cmp::Reverse(a.user_count));
    let largest = &seeded[0];
    assert!(largest.user_count > 25, "{}", largest.user_count);
    let accounts = duo(&s).accounts().await.expect("the account list");
    let account = accounts.iter().find(|a| a.account_id == largest.account_id).expect("the largest account listed");

    let users = client(&s, DUO_INTEGRATION_KEY, DUO_SECRET_KEY, 10).users(account).await.expect("every user");
    let want: Vec<String> = largest.users().into_iter().map(|u| u.user_id).collect();
    let got: Vec<String> = users.iter().map(|u| u.user_id.clone().expect("a user id")).collect();
    assert_eq!(got, want, "every user once, in Duo's order");
    assert!(users.iter().all(|u| u.username.is_some() && u.status.is_some()));
    let pages = s.sim.requests_matching("/duo/admin/v1/users") as usize;
    assert_eq!(pages, want.len().div_ceil(10), "pages followed by next_offset, none read twice");

    // A page size beyond Duo's largest is asked as 300, Duo's largest.
    let all = client(&s, DUO_INTEGRATION_KEY, DUO_SECRET_KEY, 1_000).users(account).await.expect("every user");
    assert_eq!(all.len() as i64, largest.user_count);
}

#[tokio::test]
async fn wrong_keys_are_refused_in_words() {
    let s = sim(5).await;
    let refused = client(&s, DUO_INTEGRATION_KEY, "not-the-secret-key", 100).accounts().await.unwrap_err();
    assert!(matches!(refused, VendorError::Auth { .. }), "{refused:?}");
    let words = refused.to_string();
    assert!(words.contains("Cisco Duo") && words.contains("Invalid signature"), "{words}");

    let refused = client(&s, "DINOTTHEINTEGRATION1", DUO_SECRET_KEY, 100).check().await.unwrap_err();
    assert!(matches!(refused, VendorError::Auth { .. }), "{refused:?}");
    assert!(refused.to_string().contains("Invalid integration key"), "{refused}");

    let res = reqwest::Client::new().post(format!("{}/duo/accounts/v1/account/list", s.base_url)).send().await.unwrap();
    let (status, _, body) = read(res).await;
    assert_eq!(status, 401);
    assert_eq!((body["stat"].as_str(), body["code"].as_i64()), (Some("FAIL"), Some(40101)), "{body}");
}

#[tokio::test]
async fn requests_are_checked_as_duo_checks_them() {
    let s = sim(5).await;
    let account = s.sim.msp().billing_tools.duo.accounts[0].account_id.clone();
    let id = [("account_id", account.as_str())];

    let (status, _, body) = good_get(&s, "/admin/v1/info/summary", &id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["stat"], "OK");
    assert!(body["response"]["user_count"].is_i64());

    // Signature version 2 is still taken.
    let now = request_date(Utc::now());
    let (status, _, body) =
        signed_get(&s, "/admin/v1/info/summary", "/duo/admin/v1/info/summary", &id, SignatureVersion::V2, &now).await;
    assert_eq!(status, 200, "{body}");

    // The path signed is the path sent, prefix and all.
    let (status, _, body) =
        signed_get(&s, "/admin/v1/info/summary", "/admin/v1/info/summary", &id, SignatureVersion::V5, &now).await;
    assert_eq!((status, body["code"].as_i64()), (401, Some(40103)), "{body}");

    // A Date far from the clock fails, even signed.
    let stale = request_date(Utc::now() - TimeDelta::minutes(10));
    let (status, _, body) =
        signed_get(&s, "/admin/v1/info/summary", "/duo/admin/v1/info/summary", &id, SignatureVersion::V5, &stale).await;
    assert_eq!((status, body["code"].as_i64()), (401, Some(40103)), "{body}");
    assert!(body["message_detail"].as_str().is_some_and(|d| d.contains("Date")), "{body}");

    // The Admin API needs one of the parent's children.
    let (status, _, body) = good_get(&s, "/admin/v1/info/summary", &[]).await;
    assert_eq!((status, body["code"].as_i64()), (400, Some(40001)), "{body}");
    let (status, _, body) = good_get(&s, "/admin/v1/info/summary", &[("account_id", "DANOSUCHACCOUNT00000")]).await;
    assert_eq!((status, body["code"].as_i64()), (400, Some(40002)), "{body}");

    // Paging as documented: string whole numbers, unknown parameters ignored.
    let (status, _, body) = good_get(&s, "/admin/v1/users", &[("account_id", account.as_str()), ("limit", "0")]).await;
    assert_eq!((status, body["code"].as_i64()), (400, Some(40002)), "{body}");
    let params = [("account_id", account.as_str()), ("limit", "1"), ("offset", "0"), ("unknown", "x")];
    let (status, _, body) = good_get(&s, "/admin/v1/users", &params).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["response"].as_array().map(Vec::len), Some(1));
    assert_eq!(body["metadata"]["next_offset"], 1);
    assert!(body["metadata"]["prev_offset"].is_null());
    assert!(body["metadata"]["total_objects"].as_i64().is_some_and(|n| n > 1));
}

#[tokio::test]
async fn an_edition_duo_withholds_is_left_out() {
    let s = sim(20).await;
    let (open, closed) = {
        let msp = s.sim.msp();
        let accounts = &msp.billing_tools.duo.accounts;
        let open = accounts.iter().find(|a| a.billing_access).expect("an account open to billing reads").clone();
        let closed = accounts.iter().find(|a| !a.billing_access).expect("an account closed to them").clone();
        (open, closed)
    };
    let c = duo(&s);
    let accounts = c.accounts().await.expect("the account list");
    let find = |id: &str| accounts.iter().find(|a| a.account_id == id).expect("listed");
    assert_eq!(c.edition(find(closed.account_id.as_str())).await.expect("no failure"), None);
    let edition = c.edition(find(open.account_id.as_str())).await.expect("an edition").expect("one named");
    assert!(["Duo Essentials", "Duo Advantage", "Duo Premier", "Duo Free"].contains(&edition.name()));

    let (status, _, body) =
        good_get(&s, "/admin/v1/billing/edition", &[("account_id", closed.account_id.as_str())]).await;
    assert_eq!((status, body["stat"].as_str(), body["code"].as_i64()), (403, Some("FAIL"), Some(40301)), "{body}");
}

#[tokio::test]
async fn throttling_is_waited_out() {
    let s = sim(5).await;
    let c = duo(&s);
    let accounts = c.accounts().await.expect("the account list");
    faults(&s, &["path=/duo/admin/v1/info/summary,kind=status,status=429,times=2"]).await;
    c.user_count(&accounts[0]).await.expect("read after two 429s");
    faults(&s, &["path=/duo/admin/v1/info/summary,kind=status,status=429"]).await;
    let throttled = c.user_count(&accounts[0]).await.unwrap_err();
    assert!(matches!(throttled, VendorError::Throttled { .. }), "{throttled:?}");
}

#[tokio::test]
async fn the_integration_is_held_to_forty_lists_a_minute() {
    let s = sim(5).await;
    let c = duo(&s);
    let mut answered = 0;
    let error = loop {
        match c.accounts().await {
            Ok(_) => answered += 1,
            Err(e) => break e,
        }
        assert!(answered <= 40, "Duo allows 40 unpaged lists a minute");
    };
    assert!(matches!(error, VendorError::Throttled { .. }), "{error:?}");
    assert_eq!(answered, 40);

    // Duo's 429: its error body, and no Retry-After.
    let now = request_date(Utc::now());
    let canonical =
        canonical_request(SignatureVersion::V5, &now, "POST", &host(&s), "/duo/accounts/v1/account/list", "", "{}");
    let res = reqwest::Client::new()
        .post(format!("{}/duo/accounts/v1/account/list", s.base_url))
        .header("Date", now)
        .header("Authorization", authorization(DUO_INTEGRATION_KEY, DUO_SECRET_KEY, &canonical))
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    let (status, retry_after, body) = read(res).await;
    assert_eq!((status, retry_after, body["code"].as_i64()), (429, None, Some(42901)), "{body}");

    // Other reads have their own allowance.
    let accounts = s.sim.msp().billing_tools.duo.accounts.clone();
    let (status, _, body) =
        good_get(&s, "/admin/v1/info/summary", &[("account_id", accounts[0].account_id.as_str())]).await;
    assert_eq!(status, 200, "{body}");
}
