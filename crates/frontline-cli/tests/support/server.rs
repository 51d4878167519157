//! One API server per test binary, on an ephemeral loopback port.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

/// The address of the test binary's server, started on first use.
pub fn server() -> SocketAddr {
    static ADDRESS: OnceLock<SocketAddr> = OnceLock::new();
    *ADDRESS.get_or_init(|| {
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("an ephemeral port");
                sender.send(listener.local_addr().unwrap()).unwrap();
                let atlas = Arc::new(frontline::Atlas::embedded().expect("the bundled dataset"));
                let app = frontline_server::router(atlas, frontline_server::Limits::default());
                frontline_server::serve(listener, app, std::future::pending())
                    .await
                    .expect("serving");
            });
        });
        receiver.recv().expect("the server's address")
    })
}
