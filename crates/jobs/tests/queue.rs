//! The job queue with several instances on one PostgreSQL database and the simulator over HTTP:
//! each scheduled slot once, a dead instance's run taken over without repeating its work, and a
//! slot missed while every instance was down run once at start.

use std::{str::FromStr, sync::Arc, time::Duration};

use chrono::Utc;
use seatsync_contracts::Contracts;
use seatsync_db::PgPool;
use seatsync_delivery::Delivery;
use seatsync_domain::kinds::{JobKind, JobStatus, JobTrigger};
use seatsync_integrations::ClientSlots;
use seatsync_jobs::{JobParts, JobSettings, Jobs, RunRequest};
use seatsync_mapping::Mapping;
use seatsync_sim::SimHandle;
use seatsync_vendors::Slot;
use uuid::Uuid;

async fn connect(url: &str) -> PgPool {
    let pool = seatsync_db::connect(url, 10).await.expect("connect to the test database");
    seatsync_db::migrate(&pool).await.expect("migrations run");
    pool
}

fn settings(cron: &str, lease: Duration, instance: &str) -> JobSettings {
    JobSettings {
        schedules: vec![(JobKind::LicenceSync, cron::Schedule::from_str(cron).unwrap())],
        lease,
        poll: Duration::from_millis(200),
        instance: instance.into(),
    }
}

/// One SeatSync instance's jobs: the licence sync against the simulator, Autotask not configured.
async fn instance(pool: &PgPool, s: &SimHandle, settings: JobSettings, concurrency: usize) -> Arc<Jobs> {
    let partner = s.sim.msp().partner_tenant_id.clone();
    instance_at(pool, &s.base_url, &partner, settings, concurrency).await
}

async fn instance_at(
    pool: &PgPool,
    base_url: &str,
    partner: &str,
    settings: JobSettings,
    concurrency: usize,
) -> Arc<Jobs> {
    let (licence_alerts, alert_tickets) = seatsync_testkit::idle_alerts(pool);
    let parts = JobParts {
        licence_sync: Slot::new(Some(seatsync_testkit::licence_sync_at(pool, base_url, partner, concurrency))),
        mapping: Mapping::new(pool.clone(), Slot::empty()),
        contracts: Contracts::new(pool.clone(), Slot::empty()),
        delivery: Delivery::new(pool.clone(), ClientSlots::default()),
        licence_alerts,
        alert_tickets,
        billing: seatsync_testkit::idle_billing(pool),
    };
    Jobs::new(pool.clone(), parts, settings).await.expect("the job queue is prepared")
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

async fn user(pool: &PgPool) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO users (id, subject, email, display_name) VALUES (gen_random_uuid(), 'e', 'e@msp.example', 'Eve Editor') RETURNING id",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn two_instances_hand_out_each_slot_once_whatever_their_clocks_say() {
    let url = seatsync_testkit::fresh_database_url("seatsync_test").await;
    let s = seatsync_testkit::sim_with_tenants(3).await;
    let (pool_a, pool_b) = (connect(&url).await, connect(&url).await);
    let a = instance(&pool_a, &s, settings("*/10 * * * * *", Duration::from_secs(5), "a"), 4).await;
    let b = instance(&pool_b, &s, settings("*/10 * * * * *", Duration::from_secs(5), "b"), 4).await;
    sqlx::query("UPDATE job_schedules SET last_slot = $1")
        .bind(Utc::now() - chrono::Duration::seconds(10))
        .execute(&pool_a)
        .await
        .unwrap();

    // Both see the same moment: one of them hands the slot out.
    let now = Utc::now();
    let (ta, tb) = tokio::join!(a.tick(JobKind::LicenceSync, now), b.tick(JobKind::LicenceSync, now));
    let handed: Vec<i64> = [ta.unwrap(), tb.unwrap()].into_iter().flatten().collect();
    assert_eq!(handed.len(), 1, "exactly one instance queues the slot");
    // An instance whose clock is a few seconds behind finds nothing to do.
    assert_eq!(b.tick(JobKind::LicenceSync, now - chrono::Duration::seconds(3)).await.unwrap(), None);

    // Both work the queue: the run happens once.
    let (wa, wb) = tokio::join!(a.work_once(JobKind::LicenceSync), b.work_once(JobKind::LicenceSync));
    assert_eq!([wa.unwrap(), wb.unwrap()].iter().filter(|took| **took).count(), 1, "one instance takes the run");
    let run = seatsync_db::jobs::find_run(&pool_a, handed[0]).await.unwrap();
    assert_eq!((run.status, run.trigger, run.attempts), (JobStatus::Succeeded, JobTrigger::Schedule, 1));
    assert_eq!(count(&pool_a, "SELECT count(*) FROM sync_runs").await, 1);
}

#[tokio::test]
async fn with_both_instances_running_every_slot_runs_once_and_none_is_missed() {
    let url = seatsync_testkit::fresh_database_url("seatsync_test").await;
    let s = seatsync_testkit::sim_with_tenants(2).await;
    let (pool_a, pool_b) = (connect(&url).await, connect(&url).await);
    let a = instance(&pool_a, &s, settings("*/2 * * * * *", Duration::from_secs(5), "a"), 4).await;
    let b = instance(&pool_b, &s, settings("*/2 * * * * *", Duration::from_secs(5), "b"), 4).await;
    a.start();
    b.start();
    tokio::time::sleep(Duration::from_millis(9_000)).await;
    let slots: Vec<(chrono::DateTime<Utc>, JobStatus)> =
        sqlx::query_as("SELECT slot, status FROM job_runs WHERE slot IS NOT NULL ORDER BY slot")
            .fetch_all(&pool_a)
            .await
            .unwrap();
    assert!(slots.len() >= 3, "slots were handed out: {slots:?}");
    for pair in slots.windows(2) {
        assert_eq!(pair[1].0 - pair[0].0, chrono::Duration::seconds(2), "no slot twice, none missed: {slots:?}");
    }
    // Each slot either ran or was covered by the run still going at its time; never both.
    let ran = slots.iter().filter(|(_, st)| *st != JobStatus::Skipped).count() as i64;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert!(count(&pool_a, "SELECT count(*) FROM sync_runs").await >= ran);
    let by_instance = count(&pool_a, "SELECT count(DISTINCT instance) FROM job_runs WHERE instance IS NOT NULL").await;
    assert!(by_instance >= 1);
}

#[tokio::test]
async fn a_run_whose_instance_dies_is_taken_over_and_continues_where_it_stopped() {
    let url = seatsync_testkit::fresh_database_url("seatsync_test").await;
    let s = seatsync_testkit::sim_with_tenants(6).await;
    // Partner Center slow: the run takes a few seconds, tenant by tenant.
    seatsync_testkit::faults(
        &s,
        serde_json::json!([{"path": "/v1/customers/*", "contains": "subscriptions", "kind": "latency", "ms": 400}]),
    )
    .await;
    let lease = Duration::from_millis(1_000);
    let pool = connect(&url).await;
    let editor = user(&pool).await;

    // Instance A on a runtime of its own, so it can be killed: its tasks and connections go.
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<i64>();
    let (kill_tx, kill_rx) = tokio::sync::oneshot::channel::<()>();
    let base_url = s.base_url.clone();
    let partner = s.sim.msp().partner_tenant_id.clone();
    let dying = std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async move {
            let pool = connect(&url).await;
            let a = instance_at(&pool, &base_url, &partner, settings("0 0 2 * * *", lease, "instance-a"), 1).await;
            a.start();
            let run = a.request(JobKind::LicenceSync, editor, RunRequest::default()).await.unwrap();
            ready_tx.send(run).unwrap();
            let _ = kill_rx.await;
        });
        rt.shutdown_background();
    });
    let run = ready_rx.recv().unwrap();
    // Killed once a few tenants are recorded.
    loop {
        let recorded = count(&pool, "SELECT count(*) FROM sync_run_tenants").await;
        if recorded >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    kill_tx.send(()).unwrap();
    dying.join().unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let recorded_at_death = count(&pool, "SELECT count(*) FROM sync_run_tenants").await;
    let requests_at_death = s.sim.requests_matching("/subscriptions");
    assert!(recorded_at_death < 6, "the run was cut short: {recorded_at_death} tenants recorded");

    // Instance B takes it over once A's lease has run out.
    let b = instance(&pool, &s, settings("0 0 2 * * *", lease, "instance-b"), 1).await;
    b.start();
    let ended = b.wait_finished(run, Duration::from_secs(30)).await.unwrap();
    assert_eq!(ended.status, JobStatus::Succeeded, "{ended:?}");
    assert_eq!(ended.attempts, 2, "taken over once");
    assert_eq!(ended.instance.as_deref(), Some("instance-b"));
    assert_eq!((ended.done, ended.total), (Some(6), Some(6)));
    assert_eq!(count(&pool, "SELECT count(*) FROM sync_runs").await, 1, "the same run went on");
    let fetched_after = s.sim.requests_matching("/subscriptions") - requests_at_death;
    assert_eq!(
        fetched_after as i64,
        6 - recorded_at_death,
        "only the tenants the dead instance had not recorded are fetched again"
    );
}

#[tokio::test]
async fn a_slot_missed_while_every_instance_was_down_runs_once_at_start() {
    // The test reasons about this hour's slot: started in the last seconds of an hour, the next
    // hour's slot would fall due as an ordinary one meanwhile. Wait for the hour to turn.
    let into_hour = Utc::now().timestamp().rem_euclid(3600);
    if into_hour > 3600 - 20 {
        tokio::time::sleep(Duration::from_secs((3600 - into_hour + 1) as u64)).await;
    }
    let url = seatsync_testkit::fresh_database_url("seatsync_test").await;
    let s = seatsync_testkit::sim_with_tenants(2).await;
    let pool = connect(&url).await;
    // Hourly; the last slot handed out was five hours ago: four slots were missed.
    let first = instance(&pool, &s, settings("0 0 * * * *", Duration::from_secs(5), "a"), 4).await;
    drop(first);
    sqlx::query("UPDATE job_schedules SET last_slot = date_trunc('hour', now()) - interval '5 hours'")
        .execute(&pool)
        .await
        .unwrap();
    let jobs = instance(&pool, &s, settings("0 0 * * * *", Duration::from_secs(5), "a"), 4).await;
    jobs.start();
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let runs: Vec<(JobTrigger, chrono::DateTime<Utc>)> =
        sqlx::query_as("SELECT trigger, slot FROM job_runs").fetch_all(&pool).await.unwrap();
    assert_eq!(runs.len(), 1, "one catch-up, not a burst: {runs:?}");
    assert_eq!(runs[0].0, JobTrigger::CatchUp);
    let this_hour: chrono::DateTime<Utc> =
        sqlx::query_scalar("SELECT date_trunc('hour', now())").fetch_one(&pool).await.unwrap();
    assert_eq!(runs[0].1, this_hour, "the newest missed slot");
    let ended = jobs.wait_finished(1, Duration::from_secs(10)).await.unwrap();
    assert_eq!(ended.status, JobStatus::Succeeded);
    // A second instance starting now finds nothing to catch up.
    let late = instance(&pool, &s, settings("0 0 * * * *", Duration::from_secs(5), "b"), 4).await;
    assert_eq!(late.tick(JobKind::LicenceSync, Utc::now()).await.unwrap(), None);
}

#[tokio::test]
async fn a_run_by_hand_waits_its_turn_and_a_paused_schedule_passes_its_slots_over() {
    let url = seatsync_testkit::fresh_database_url("seatsync_test").await;
    let s = seatsync_testkit::sim_with_tenants(2).await;
    let pool = connect(&url).await;
    let editor = user(&pool).await;
    let jobs = instance(&pool, &s, settings("*/10 * * * * *", Duration::from_secs(5), "a"), 4).await;
    let first = jobs.request(JobKind::LicenceSync, editor, RunRequest::default()).await.unwrap();
    let second = jobs.request(JobKind::LicenceSync, editor, RunRequest::default()).await;
    assert!(
        matches!(&second, Err(seatsync_jobs::JobError::Busy(m)) if m.contains("already queued or running")),
        "{second:?}"
    );
    // A slot that comes while the run is queued is covered by it.
    sqlx::query("UPDATE job_schedules SET last_slot = $1")
        .bind(Utc::now() - chrono::Duration::seconds(10))
        .execute(&pool)
        .await
        .unwrap();
    let skipped = jobs.tick(JobKind::LicenceSync, Utc::now()).await.unwrap().expect("the slot is recorded");
    let skipped = seatsync_db::jobs::find_run(&pool, skipped).await.unwrap();
    assert_eq!(skipped.status, JobStatus::Skipped);
    assert!(jobs.work_once(JobKind::LicenceSync).await.unwrap());
    assert_eq!(seatsync_db::jobs::find_run(&pool, first).await.unwrap().status, JobStatus::Succeeded);

    jobs.set_paused(JobKind::LicenceSync, true, editor).await.unwrap();
    sqlx::query("UPDATE job_schedules SET last_slot = $1")
        .bind(Utc::now() - chrono::Duration::seconds(10))
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(jobs.tick(JobKind::LicenceSync, Utc::now()).await.unwrap(), None, "paused: nothing queued");
    jobs.set_paused(JobKind::LicenceSync, false, editor).await.unwrap();
    assert_eq!(jobs.tick(JobKind::LicenceSync, Utc::now()).await.unwrap(), None, "the passed slot does not run late");
}

#[tokio::test]
async fn a_run_whose_task_is_gone_for_good_is_closed_and_old_runs_are_forgotten() {
    let url = seatsync_testkit::fresh_database_url("seatsync_test").await;
    let s = seatsync_testkit::sim_with_tenants(1).await;
    let pool = connect(&url).await;
    let editor = user(&pool).await;
    let jobs = instance(&pool, &s, settings("0 0 2 * * *", Duration::from_secs(5), "a"), 4).await;
    let run = jobs.request(JobKind::LicenceSync, editor, RunRequest::default()).await.unwrap();
    assert_eq!(jobs.close_orphans().await.unwrap(), 0, "its task is waiting");
    // Its attempts used up while the run still says queued.
    sqlx::query("UPDATE underway.task SET state = 'failed'").execute(&pool).await.unwrap();
    sqlx::query("UPDATE job_runs SET queued_at = now() - interval '2 minutes'").execute(&pool).await.unwrap();
    assert_eq!(jobs.close_orphans().await.unwrap(), 1);
    let closed = seatsync_db::jobs::find_run(&pool, run).await.unwrap();
    assert_eq!(closed.status, JobStatus::Failed);
    assert!(closed.error.unwrap().contains("could not be taken over"));

    assert_eq!(jobs.forget_old_runs().await.unwrap(), 0, "a recent run is kept");
    sqlx::query("UPDATE job_runs SET finished_at = now() - interval '91 days'").execute(&pool).await.unwrap();
    assert_eq!(jobs.forget_old_runs().await.unwrap(), 1);
}
