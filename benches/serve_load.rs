//! Load on `frontline serve`'s API: 20,000 mixed requests from 32
//! concurrent keep-alive clients on loopback, against the server of
//! `frontline-server` over the bundled dataset, run in this process.
//! Prints errors, p50/p99/max latency per endpoint, and the process's
//! resident memory before and after.
//!
//! `cargo bench -p frontline-cli --features serve --bench serve_load`
//! (`-- REQUESTS CLIENTS` to change the load).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Per endpoint: the latency of each request, ms, and how many failed.
type Latencies = BTreeMap<&'static str, (Vec<f64>, usize)>;

fn main() {
    let mut args = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .map(|a| a.parse::<usize>().expect("REQUESTS CLIENTS as numbers"));
    let requests = args.next().unwrap_or(20_000);
    let clients = args.next().unwrap_or(32);

    let rss_start = resident_kib();
    let address = start_server();
    let rss_loaded = resident_kib();
    let snapshots = snapshot_dates(address);

    let next = Arc::new(Mutex::new(0usize));
    let results: Arc<Mutex<Latencies>> = Arc::default();
    let started = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|client| {
            let (next, results, snapshots) = (next.clone(), results.clone(), snapshots.clone());
            std::thread::spawn(move || {
                let mut random =
                    Random(0x9e37_79b9_7f4a_7c15 ^ ((client as u64 + 1) * 0x2545_f491));
                let mut connection = Connection::open(address);
                let mut mine: Vec<(&'static str, f64, bool)> = Vec::new();
                loop {
                    {
                        let mut n = next.lock().unwrap();
                        if *n >= requests {
                            break;
                        }
                        *n += 1;
                    }
                    let (endpoint, target) = pick(&mut random, &snapshots);
                    let t = Instant::now();
                    let ok = match connection.get(&target) {
                        Ok(200) => true,
                        Ok(_) | Err(_) => {
                            connection = Connection::open(address);
                            false
                        }
                    };
                    mine.push((endpoint, t.elapsed().as_secs_f64() * 1000.0, ok));
                }
                let mut all = results.lock().unwrap();
                for (endpoint, ms, ok) in mine {
                    let entry = all.entry(endpoint).or_default();
                    entry.0.push(ms);
                    entry.1 += usize::from(!ok);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let elapsed = started.elapsed();
    let rss_end = resident_kib();

    println!(
        "{requests} requests, {clients} clients, {:.1} s, {:.0} requests/s",
        elapsed.as_secs_f64(),
        requests as f64 / elapsed.as_secs_f64()
    );
    println!("| endpoint | requests | errors | p50 ms | p99 ms | max ms |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    let mut errors = 0;
    for (endpoint, (mut times, failed)) in results.lock().unwrap().clone() {
        times.sort_by(f64::total_cmp);
        let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
        println!(
            "| {endpoint} | {} | {failed} | {:.2} | {:.2} | {:.1} |",
            times.len(),
            at(0.5),
            at(0.99),
            at(1.0)
        );
        errors += failed;
    }
    println!(
        "resident memory: {} MiB at start, {} MiB with the dataset loaded, {} MiB after the run",
        rss_start / 1024,
        rss_loaded / 1024,
        rss_end / 1024
    );
    if errors > 0 {
        eprintln!("{errors} request(s) failed");
        std::process::exit(1);
    }
}

/// One request of the mix: the endpoint's name and the target.
fn pick(random: &mut Random, snapshots: &[String]) -> (&'static str, String) {
    let any_date = |r: &mut Random| {
        let year = 1995 + r.below(29);
        format!("{year}-{:02}-{:02}", 1 + r.below(12), 1 + r.below(28))
    };
    let snapshot = |r: &mut Random| snapshots[r.below(snapshots.len() as u64) as usize].clone();
    let roll = random.below(100);
    match roll {
        0..=44 => {
            let lat = 39.0 + random.unit() * 1.4;
            let lon = 45.9 + random.unit() * 1.4;
            let at = any_date(random);
            (
                "locate",
                format!("/api/locate?lat={lat:.5}&lon={lon:.5}&at={at}"),
            )
        }
        45..=69 => {
            let zoom = 8 + random.below(5);
            let span = 2.4 / f64::from(1u32 << (zoom - 8));
            let west = 45.6 + random.unit() * (2.0 - span.min(2.0));
            let south = 38.9 + random.unit() * (1.6 - span.min(1.6));
            let at = snapshot(random);
            (
                "zones",
                format!(
                    "/api/zones?at={at}&zoom={zoom}&bbox={west:.4},{south:.4},{:.4},{:.4}",
                    west + span,
                    south + span * 0.75
                ),
            )
        }
        70..=84 => ("stats", format!("/api/stats?at={}", snapshot(random))),
        85..=89 => ("snapshots", "/api/snapshots".to_owned()),
        90..=94 => {
            let routes = [
                "lachin-road-2020",
                "lachin-road-2022",
                "goris-kornidzor-2020",
            ];
            let id = routes[random.below(3) as usize];
            ("route", format!("/api/route/{id}?at={}", any_date(random)))
        }
        _ => {
            let (a, b) = (snapshot(random), snapshot(random));
            let (from, to) = if a <= b { (a, b) } else { (b, a) };
            ("diff", format!("/api/diff?from={from}&to={to}"))
        }
    }
}

fn start_server() -> SocketAddr {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let atlas = Arc::new(frontline::Atlas::embedded().expect("the bundled dataset"));
            atlas.prepare().expect("every snapshot reads");
            let app = frontline_server::router(atlas, frontline_server::Limits::default());
            sender.send(listener.local_addr().unwrap()).unwrap();
            frontline_server::serve(listener, app, std::future::pending())
                .await
                .unwrap();
        });
    });
    receiver.recv().unwrap()
}

fn snapshot_dates(address: SocketAddr) -> Arc<Vec<String>> {
    let mut connection = Connection::open(address);
    assert_eq!(connection.get("/api/snapshots").unwrap(), 200);
    let list: serde_json::Value = serde_json::from_slice(&connection.body).unwrap();
    Arc::new(
        list.as_array()
            .unwrap()
            .iter()
            .map(|s| s["date"].as_str().unwrap().to_owned())
            .collect(),
    )
}

/// A keep-alive HTTP/1.1 connection reading `Content-Length` bodies.
struct Connection {
    reader: BufReader<TcpStream>,
    body: Vec<u8>,
}

impl Connection {
    fn open(address: SocketAddr) -> Connection {
        let stream = TcpStream::connect(address).expect("the server accepts");
        stream.set_nodelay(true).ok();
        stream.set_read_timeout(Some(Duration::from_secs(60))).ok();
        Connection {
            reader: BufReader::new(stream),
            body: Vec::new(),
        }
    }

    fn get(&mut self, target: &str) -> std::io::Result<u16> {
        write!(
            self.reader.get_mut(),
            "GET {target} HTTP/1.1\r\nHost: bench\r\n\r\n"
        )?;
        self.reader.get_mut().flush()?;
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut length = 0usize;
        loop {
            line.clear();
            self.reader.read_line(&mut line)?;
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        self.body.resize(length, 0);
        self.reader.read_exact(&mut self.body)?;
        Ok(status)
    }
}

/// xorshift64*: a fixed sequence per client, so runs ask the same things.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The process's resident set, KiB (Linux; 0 elsewhere).
fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}
