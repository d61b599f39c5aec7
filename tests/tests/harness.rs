//! The harness itself: two tablets on one server, one of them cut off.

use e2e::{Browser, Server, temp_dir};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_of_two_tablets_goes_offline_and_comes_back() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let a = Browser::new().await;
    let b = Browser::new().await;
    // A page of the server's origin that does not depend on the app.
    a.open(&server, "/api/health").await;
    b.open(&server, "/api/health").await;

    assert_eq!(a.fetch("/api/health").await, Ok(200));
    assert_eq!(b.fetch("/api/health").await, Ok(200));

    a.set_offline(true).await;
    assert!(a.is_offline());
    let cut = a.fetch("/api/health").await;
    assert!(cut.is_err(), "tablet A is offline but fetched: {cut:?}");
    let on_line = a.eval("return navigator.onLine;", vec![]).await;
    assert_eq!(on_line, false, "the page sees that it is offline");
    assert_eq!(
        b.fetch("/api/health").await,
        Ok(200),
        "tablet B is still online"
    );

    a.set_offline(false).await;
    assert_eq!(a.fetch("/api/health").await, Ok(200));
    assert_eq!(a.eval("return navigator.onLine;", vec![]).await, true);

    a.close().await;
    b.close().await;
}
