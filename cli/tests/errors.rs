//! `preflight check` when no answer can be had: one clear line on stderr, exit 2, no trace.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

fn check(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_preflight"))
        .arg("check")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn one_line(args: &[&str], expect: &str) {
    let (code, stdout, stderr) = check(args);
    assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
    assert!(stderr.starts_with("preflight: error: "), "{stderr}");
    assert!(
        stderr.contains(expect),
        "{args:?}: expected {expect:?} in {stderr}"
    );
    assert!(stdout.is_empty(), "{stdout}");
}

const O: &str = "https://app.example.com";

#[test]
fn nothing_listening() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/items");
    one_line(&[&url, "--origin", O], "connection refused");
}

#[test]
fn a_host_that_does_not_resolve() {
    one_line(
        &["http://no-such-host.invalid/items", "--origin", O],
        "no-such-host.invalid",
    );
}

#[test]
fn bad_urls_and_origins() {
    one_line(&["not a url", "--origin", O], "bad URL");
    one_line(
        &["ftp://example.com/", "--origin", O],
        "http:// or https://",
    );
    one_line(&["/items", "--origin", O], "bad URL");
    one_line(
        &[
            "http://127.0.0.1:9/",
            "--origin",
            "https://app.example.com/",
        ],
        "--origin",
    );
    one_line(
        &["http://127.0.0.1:9/", "--origin", "app.example.com"],
        "--origin",
    );
    one_line(
        &["http://127.0.0.1:9/", "--origin", O, "-H", "bad header: x"],
        "--header",
    );
}

#[test]
fn a_server_that_never_answers() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/items", listener.local_addr().unwrap());
    let keep = std::thread::spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        std::thread::sleep(Duration::from_secs(5));
        drop(socket);
    });
    let start = Instant::now();
    one_line(
        &[&url, "--origin", O, "--timeout", "1"],
        "no answer from 127.0.0.1",
    );
    assert!(start.elapsed() < Duration::from_secs(4));
    keep.join().unwrap();
}

#[test]
fn tls_to_a_plain_http_server() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}/items", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        if let Ok((mut socket, _)) = listener.accept() {
            let mut buf = [0u8; 512];
            let _ = socket.read(&mut buf);
            let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    });
    one_line(&[&url, "--origin", O, "--timeout", "5"], "TLS");
}
