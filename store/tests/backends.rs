//! The Redis and PostgreSQL backends against real servers (Debian's
//! `redis-server` and PostgreSQL, started here on 127.0.0.1): the
//! conformance harness with two independent handles each, the quota, and
//! a stopped server as `Unavailable`, then recovery.
#![cfg(all(feature = "redis", feature = "postgres"))]

use std::time::{Duration, Instant};

use proofkey_store::{
    ChallengeLog, CodeRecord, CodeStore, Pkce, PostgresStore, RedisStore, StoreError, conformance,
};
use proofkey_testservers::{Postgres, Redis, Server};

const MINUTE: Duration = Duration::from_secs(60);

fn record(client: &str) -> CodeRecord {
    CodeRecord::new(client, "https://c.example/cb", Pkce::Unbound).unwrap()
}

async fn postgres(pg: &Postgres) -> PostgresStore {
    let store = PostgresStore::connect(&pg.url()).await.unwrap();
    store.create_schema().await.unwrap();
    store
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_passes_the_conformance_harness() {
    let Some(server) = Redis::start() else { return };
    let a = RedisStore::connect(&server.url()).await.unwrap();
    let b = RedisStore::connect(&server.url()).await.unwrap();
    conformance::check(&a, &b).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_passes_the_conformance_harness() {
    let Some(server) = Postgres::start() else {
        return;
    };
    let a = postgres(&server).await;
    let b = PostgresStore::connect(&server.url()).await.unwrap();
    conformance::check(&a, &b).await.unwrap();
    // create_schema is idempotent, and purging keeps live rows.
    a.create_schema().await.unwrap();
    a.insert("live", &record("c"), MINUTE).await.unwrap();
    a.purge_expired().await.unwrap();
    assert!(b.take("live").await.unwrap().is_some());
}

/// The quota holds across two handles racing 40 inserts for a quota of 10.
async fn quota_holds<S: CodeStore + Clone + 'static>(a: S, b: S) {
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let s = if i % 2 == 0 { a.clone() } else { b.clone() };
            tokio::spawn(async move { s.insert(&format!("q{i}"), &record("flood"), MINUTE).await })
        })
        .collect();
    let mut stored = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => stored += 1,
            Err(e) => assert_eq!(e, StoreError::QuotaReached),
        }
    }
    assert_eq!(stored, 10);
    a.insert("other", &record("other"), MINUTE).await.unwrap();
    // A take gives the slot back (Redis releases it without waiting: retry briefly).
    let mut freed = false;
    for code in (0..40).map(|i| format!("q{i}")) {
        if b.take(&code).await.unwrap().is_some() {
            freed = true;
            break;
        }
    }
    assert!(freed, "none of the 10 stored codes was found");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match a.insert("again", &record("flood"), MINUTE).await {
            Ok(()) => break,
            Err(StoreError::QuotaReached) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(
        b.insert("over", &record("flood"), MINUTE).await,
        Err(StoreError::QuotaReached)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn quota_is_shared_by_every_handle_on_redis_and_postgres() {
    if let Some(server) = Redis::start() {
        let a = RedisStore::connect(&server.url())
            .await
            .unwrap()
            .per_client_quota(10);
        let b = RedisStore::connect(&server.url())
            .await
            .unwrap()
            .per_client_quota(10);
        quota_holds(a, b).await;
    }
    if let Some(server) = Postgres::start() {
        let a = postgres(&server).await.per_client_quota(10);
        let b = PostgresStore::connect(&server.url())
            .await
            .unwrap()
            .per_client_quota(10);
        quota_holds(a, b).await;
    }
}

/// While the server is down every call is `Unavailable` within the
/// timeout; after a restart the same handle works again.
async fn down_then_up<S: CodeStore + ChallengeLog>(store: &S, server: &mut impl Server) {
    store.insert("before", &record("c"), MINUTE).await.unwrap();
    server.stop();
    let started = Instant::now();
    assert_eq!(store.take("before").await, Err(StoreError::Unavailable));
    assert_eq!(
        store.first_seen(&[3; 16], MINUTE).await,
        Err(StoreError::Unavailable)
    );
    assert_eq!(
        store.insert("during", &record("c"), MINUTE).await,
        Err(StoreError::Unavailable)
    );
    // Three calls, each bounded by the 2 s timeout (plus slack for a loaded machine).
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    server.restart();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match store.first_seen(&[4; 16], MINUTE).await {
            Ok(first) => {
                assert!(first);
                break;
            }
            Err(StoreError::Unavailable) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("{e}"),
        }
    }
    store.insert("after", &record("c"), MINUTE).await.unwrap();
    assert!(store.take("after").await.unwrap().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_server_is_unavailable_and_a_restarted_one_serves_again() {
    if let Some(mut server) = Redis::start() {
        let store = RedisStore::connect(&server.url()).await.unwrap();
        down_then_up(&store, &mut server).await;
    }
    if let Some(mut server) = Postgres::start() {
        let store = postgres(&server).await;
        down_then_up(&store, &mut server).await;
    }
}

/// A stored value that is not a record of this version is `Corrupt`, and
/// consumed: never a record, never "no PKCE".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_stored_record_is_an_error_and_consumed() {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(b"tampered");
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    // Version 1, an expiry, then "no PKCE" with a value: not a record.
    let bad: &[u8] = &[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, b'a', b'b', b'c'];
    if let Some(server) = Redis::start() {
        let client = redis::Client::open(server.url()).unwrap();
        let mut conn = client.get_multiplexed_async_connection().await.unwrap();
        let () = redis::cmd("SET")
            .arg(format!("proofkey:c:{hex}"))
            .arg(bad)
            .query_async(&mut conn)
            .await
            .unwrap();
        let store = RedisStore::connect(&server.url()).await.unwrap();
        assert_eq!(store.take("tampered").await, Err(StoreError::Corrupt));
        assert_eq!(store.take("tampered").await, Ok(None));
    }
    if let Some(server) = Postgres::start() {
        let store = postgres(&server).await;
        let (client, connection) = tokio_postgres::connect(&server.url(), tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client
            .execute(
                "INSERT INTO proofkey_codes VALUES ($1, 'c', now() + interval '1 minute', $2)",
                &[&&hash[..], &bad],
            )
            .await
            .unwrap();
        assert_eq!(store.take("tampered").await, Err(StoreError::Corrupt));
        assert_eq!(store.take("tampered").await, Ok(None));
    }
}

/// A server that answers but refuses the command (here: no schema) is
/// `Refused`, not `Unavailable`: a configuration error, not an outage.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_without_the_schema_is_refused() {
    let Some(server) = Postgres::start() else {
        return;
    };
    let store = PostgresStore::connect(&server.url()).await.unwrap();
    assert_eq!(store.take("x").await, Err(StoreError::Refused));
    assert_eq!(
        store.first_seen(&[1; 16], MINUTE).await,
        Err(StoreError::Refused)
    );
    store.create_schema().await.unwrap();
    assert_eq!(store.take("x").await, Ok(None));
}
