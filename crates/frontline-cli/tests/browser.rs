//! The page in a real browser: Debian's chromium driven through
//! chromium-driver (WebDriver). The served page and the self-contained file
//! (opened from file:// with the network cut) must show the areas `frontline
//! stats` gives, and a click on Stepanakert must say who holds it.
//!
//! Run with `cargo test -p frontline-cli --features browser --test browser`;
//! chromium and chromedriver must be installed, else the tests fail.
#![cfg(feature = "browser")]

#[path = "support/scratch.rs"]
mod scratch;

mod support;

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::http::request;
use support::server::server;

const STEPANAKERT: (f64, f64) = (39.8177, 46.7528);

/// chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    address: SocketAddr,
}

impl Driver {
    fn start() -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot run chromedriver ({e}): the browser tests need Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)")
            });
        let address: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let started = Instant::now();
        while std::net::TcpStream::connect(address).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver { child, address }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let body = body.map(|b| b.to_string());
        let reply = request(self.address, method, path, body.as_deref());
        let value: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
        assert_eq!(reply.status, 200, "{method} {path}: {value}");
        value["value"].clone()
    }

    fn session(&self, extra_args: &[&str]) -> Session<'_> {
        let mut args = vec![
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
            "--force-device-scale-factor=1",
            "--hide-scrollbars",
            "--font-render-hinting=none",
        ];
        args.extend_from_slice(extra_args);
        let binary = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("chromium is installed (apt-get install -y chromium chromium-driver)");
        let value = self.call(
            "POST",
            "/session",
            Some(
                json!({"capabilities": {"alwaysMatch": {"browserName": "chrome",
                "goog:chromeOptions": {"binary": binary, "args": args}}}}),
            ),
        );
        let id = value["sessionId"]
            .as_str()
            .expect("a session id")
            .to_owned();
        Session { driver: self, id }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

struct Session<'d> {
    driver: &'d Driver,
    id: String,
}

impl Session<'_> {
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.driver
            .call(method, &format!("/session/{}{path}", self.id), body)
    }

    fn go(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    fn script(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// Polls `script` until it returns something other than null or false.
    fn wait_for(&self, what: &str, script: &str, args: Value) -> Value {
        let started = Instant::now();
        loop {
            let value = self.script(script, args.clone());
            if !value.is_null() && value != Value::Bool(false) {
                return value;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "timed out waiting for {what}"
            );
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    /// Sets the slider to `date` as a user would, by its input event.
    fn slide_to(&self, date: &str) {
        self.wait_for(
            "the page",
            "return window.frontline ? true : null",
            json!([]),
        );
        self.script(
            "var s = document.getElementById('slider');
             var from = document.getElementById('date').min;
             var day = function (d) { var p = d.split('-'); return Date.UTC(+p[0], p[1] - 1, +p[2]) / 864e5; };
             s.value = String(day(arguments[0]) - day(from));
             s.dispatchEvent(new Event('input', { bubbles: true }));",
            json!([date]),
        );
    }

    /// The legend's areas once it shows `date`: controller id → km² text.
    fn legend(&self, date: &str) -> Vec<(String, String)> {
        let value = self.wait_for(
            &format!("the legend of {date}"),
            "var title = document.getElementById('legend-title').textContent;
             if (title.indexOf(arguments[0]) < 0) return null;
             var items = document.querySelectorAll('#legend li[data-controller]');
             if (!items.length) return null;
             return Array.prototype.map.call(items, function (li) {
               return [li.getAttribute('data-controller'), li.querySelector('.km2').textContent];
             });",
            json!([date]),
        );
        serde_json::from_value(value).unwrap()
    }

    /// Clicks the map at a point, through the pointer, and returns the
    /// popup's text.
    fn click_at(&self, (lat, lon): (f64, f64)) -> String {
        self.script("frontline.map.closePopup();", json!([]));
        let xy = self.script(
            "var p = frontline.map.latLngToContainerPoint([arguments[0], arguments[1]]);
             var r = document.getElementById('map').getBoundingClientRect();
             return [Math.round(r.left + p.x), Math.round(r.top + p.y)];",
            json!([lat, lon]),
        );
        let (x, y) = (xy[0].as_i64().unwrap(), xy[1].as_i64().unwrap());
        self.call(
            "POST",
            "/actions",
            Some(json!({"actions": [{"type": "pointer", "id": "mouse",
            "parameters": {"pointerType": "mouse"},
            "actions": [
                {"type": "pointerMove", "duration": 0, "x": x, "y": y, "origin": "viewport"},
                {"type": "pointerDown", "button": 0},
                {"type": "pointerUp", "button": 0}
            ]}]})),
        );
        // A closed popup fades out for a moment: wait for the one of this
        // date.
        self.wait_for(
            "the popup",
            "var tables = document.querySelectorAll('.leaflet-popup-content table.locate');
             for (var i = 0; i < tables.length; i++) {
               if (tables[i].querySelector('caption').textContent.indexOf(frontline.state.at + ',') === 0)
                 return tables[i].textContent;
             }
             return null;",
            json!([]),
        )
        .as_str()
        .unwrap()
        .to_owned()
    }

    fn screenshot(&self) -> Vec<u8> {
        let encoded = self.call("GET", "/screenshot", None);
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().unwrap())
            .unwrap()
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let _ = request(
            self.driver.address,
            "DELETE",
            &format!("/session/{}", self.id),
            None,
        );
    }
}

fn cli(args: &[&str]) -> Vec<u8> {
    let output = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(args)
        .output()
        .expect("frontline runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// What the legend must show on `date`: `frontline stats`, to 0.1 km².
fn expected_legend(date: &str) -> Vec<(String, String)> {
    let stats: Value =
        serde_json::from_slice(&cli(&["stats", "--at", date, "--format", "json"])).unwrap();
    stats["controllers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["area_km2"].as_f64().unwrap() > 0.0)
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_owned(),
                format!("{:.1}", c["area_km2"].as_f64().unwrap()),
            )
        })
        .collect()
}

fn check_dates_and_click(session: &Session<'_>) {
    for date in ["1994-05-12", "2021-06-01"] {
        session.slide_to(date);
        assert_eq!(
            session.legend(date),
            expected_legend(date),
            "legend on {date}"
        );
        let popup = session.click_at(STEPANAKERT);
        assert!(popup.contains(&format!("{date},")), "{popup}");
        assert!(popup.contains("(nkr)"), "Stepanakert on {date}: {popup}");
    }
}

fn scratch(name: &str) -> scratch::Scratch {
    scratch::scratch(&format!("browser-{name}"))
}

#[test]
fn served_page_and_offline_file() {
    let driver = Driver::start();
    {
        let session = driver.session(&[]);
        session.go(&format!("http://{}/", server()));
        check_dates_and_click(&session);

        // The golden: 1994 at a fixed view, on a fresh page (a new
        // fragment alone would not reload it).
        session.go("about:blank");
        session.go(&format!(
            "http://{}/#at=1994-05-12&view=39.75,46.75,8",
            server()
        ));
        session.slide_to("1994-05-12");
        session.legend("1994-05-12");
        session.wait_for(
            "the labels",
            "return document.querySelectorAll('.place-label').length > 5",
            json!([]),
        );
        std::thread::sleep(Duration::from_millis(500));
        compare_with_golden(&session.screenshot(), "atlas-1994.png");
    }
    {
        let dir = scratch("atlas");
        let path = dir.join("atlas.html");
        cli(&["atlas", "-o", path.to_str().unwrap()]);
        // No host resolves and every request goes to a closed port.
        let session = driver.session(&[
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=http://127.0.0.1:9",
            "--proxy-bypass-list=<-loopback>",
        ]);
        session.go(&format!("file://{}", path.display()));
        check_dates_and_click(&session);
        let requests = session.script(
            "return performance.getEntriesByType('resource').map(function (e) { return e.name; });",
            json!([]),
        );
        assert_eq!(
            requests,
            json!([]),
            "the file asked the network for something"
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}

/// Compares a screenshot with `tests/golden/NAME` (rewritten with
/// UPDATE_GOLDEN=1): same size, and at most 2 % of pixels differing by more
/// than 48 in any channel (fonts and antialiasing move a little between
/// chromium versions; a missing layer, legend or label does not pass).
fn compare_with_golden(png_bytes: &[u8], name: &str) {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(&golden, png_bytes).unwrap();
    }
    let (w, h, got) = decode(png_bytes);
    let (gw, gh, want) = decode(&std::fs::read(&golden).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to write it)",
            golden.display()
        )
    }));
    assert_eq!((w, h), (gw, gh), "screenshot size");
    let differing = got
        .chunks(4)
        .zip(want.chunks(4))
        .filter(|(a, b)| {
            a.iter()
                .zip(b.iter())
                .take(3)
                .any(|(x, y)| x.abs_diff(*y) > 48)
        })
        .count();
    let share = differing as f64 / (w * h) as f64;
    if share > 0.02 {
        let failed = golden.with_extension("failed.png");
        std::fs::write(&failed, png_bytes).ok();
        panic!(
            "{:.2} % of pixels differ from {} (this run's screenshot: {})",
            share * 100.0,
            golden.display(),
            failed.display()
        );
    }
}

fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buffer).unwrap();
    buffer.truncate(info.buffer_size());
    let rgba: Vec<u8> = match info.color_type {
        png::ColorType::Rgba => buffer,
        png::ColorType::Rgb => buffer
            .chunks(3)
            .flat_map(|c| [c[0], c[1], c[2], 255])
            .collect(),
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    (info.width, info.height, rgba)
}
