//! A relay in front of PostgreSQL that can be frozen: connections stay
//! open and are accepted, but nothing is answered, as when the server's
//! processes are stopped (SIGSTOP) or its host stalls.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// The relay: point `DATABASE_URL` at `127.0.0.1:port`.
pub struct Freezer {
    pub port: u16,
    frozen: watch::Sender<bool>,
}

impl Freezer {
    /// Relays every connection to `target` (`host:port`), on a thread of
    /// its own (the app connects from blocking code at start-up).
    pub fn start(target: String) -> Freezer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind relay");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("address").port();
        let (frozen, watching) = watch::channel(false);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        std::thread::spawn(move || runtime.block_on(relay(listener, target, watching)));
        Freezer { port, frozen }
    }

    /// From now on nothing is passed on (what arrives is held).
    pub fn freeze(&self) {
        self.frozen.send_replace(true);
    }

    /// Passes on what was held, and everything after.
    pub fn thaw(&self) {
        self.frozen.send_replace(false);
    }
}

/// Accepts connections and relays each to `target` in both directions.
async fn relay(listener: std::net::TcpListener, target: String, watching: watch::Receiver<bool>) {
    let Ok(listener) = TcpListener::from_std(listener) else {
        return;
    };
    while let Ok((client, _)) = listener.accept().await {
        let Ok(server) = TcpStream::connect(&target).await else {
            continue;
        };
        let (client_read, client_write) = client.into_split();
        let (server_read, server_write) = server.into_split();
        tokio::spawn(pipe(client_read, server_write, watching.clone()));
        tokio::spawn(pipe(server_read, client_write, watching.clone()));
    }
}

async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut frozen: watch::Receiver<bool>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if frozen.wait_for(|f| !*f).await.is_err() {
            break;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}
