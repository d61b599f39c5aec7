//! A TCP proxy per browser that can cut the browser's network.

use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// A loopback TCP proxy in front of the server. While offline it refuses new
/// connections (closes them at once) and has cut every open one, so the
/// browser sees exactly what a tablet out of Wi-Fi range sees: requests fail.
pub struct Gate {
    addr: SocketAddr,
    inner: Arc<Inner>,
}

struct Inner {
    offline: AtomicBool,
    closing: AtomicBool,
    upstream: Mutex<Option<SocketAddr>>,
    /// Clones of every open connection (both sides), by connection number.
    open: Mutex<Vec<(u64, TcpStream)>>,
    next_id: AtomicU64,
}

impl Gate {
    /// Starts a proxy on a free loopback port with no upstream yet.
    pub fn start() -> io::Result<Gate> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let inner = Arc::new(Inner {
            offline: AtomicBool::new(false),
            closing: AtomicBool::new(false),
            upstream: Mutex::new(None),
            open: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(0),
        });
        let accept = Arc::clone(&inner);
        thread::Builder::new()
            .name(format!("gate-{}", addr.port()))
            .spawn(move || {
                for conn in listener.incoming() {
                    if accept.closing.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let inner = Arc::clone(&accept);
                    thread::spawn(move || inner.serve(conn));
                }
            })?;
        Ok(Gate { addr, inner })
    }

    /// The address the browser connects to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Where connections are forwarded to (the server).
    pub fn set_upstream(&self, upstream: SocketAddr) {
        *self.inner.upstream.lock().unwrap() = Some(upstream);
    }

    /// Cuts (or restores) the network: going offline closes every open
    /// connection and refuses new ones.
    pub fn set_offline(&self, offline: bool) {
        self.inner.offline.store(offline, Ordering::SeqCst);
        if offline {
            self.inner.cut_all();
        }
    }

    pub fn is_offline(&self) -> bool {
        self.inner.offline.load(Ordering::SeqCst)
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.inner.closing.store(true, Ordering::SeqCst);
        self.inner.cut_all();
        // Wake the accept loop so that it sees `closing`.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
    }
}

impl Inner {
    fn serve(self: Arc<Self>, client: TcpStream) {
        let upstream = *self.upstream.lock().unwrap();
        let (true, Some(upstream)) = (!self.offline.load(Ordering::SeqCst), upstream) else {
            let _ = client.shutdown(Shutdown::Both);
            return;
        };
        let Ok(server) = TcpStream::connect_timeout(&upstream, Duration::from_secs(5)) else {
            let _ = client.shutdown(Shutdown::Both);
            return;
        };
        let _ = client.set_nodelay(true);
        let _ = server.set_nodelay(true);
        let (Ok(c2), Ok(s2), Ok(c3), Ok(s3)) = (
            client.try_clone(),
            server.try_clone(),
            client.try_clone(),
            server.try_clone(),
        ) else {
            return;
        };
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        self.open.lock().unwrap().extend([(id, c3), (id, s3)]);
        // A connection made just as the gate went offline must not survive.
        if self.offline.load(Ordering::SeqCst) {
            self.cut_all();
            return;
        }
        let up = thread::spawn(move || pipe(c2, s2));
        pipe(server, client);
        let _ = up.join();
        self.open.lock().unwrap().retain(|(i, _)| *i != id);
    }

    fn cut_all(&self) {
        for (_, s) in self.open.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }
}

/// Copies `from` to `to` until EOF or an error, then closes `to` for writing.
fn pipe(mut from: TcpStream, mut to: TcpStream) {
    let _ = io::copy(&mut from, &mut to);
    let _ = to.shutdown(Shutdown::Write);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    fn echo_server() -> SocketAddr {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        thread::spawn(move || {
            for c in l.incoming() {
                let Ok(mut c) = c else { continue };
                thread::spawn(move || {
                    let mut buf = [0u8; 1024];
                    while let Ok(n) = c.read(&mut buf) {
                        if n == 0 || c.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                });
            }
        });
        addr
    }

    fn roundtrip(addr: SocketAddr) -> io::Result<Vec<u8>> {
        let mut c = TcpStream::connect(addr)?;
        c.set_read_timeout(Some(Duration::from_secs(5)))?;
        c.write_all(b"ping")?;
        let mut buf = [0u8; 4];
        c.read_exact(&mut buf)?;
        Ok(buf.to_vec())
    }

    #[test]
    fn forwards_while_online_and_cuts_while_offline() {
        let gate = Gate::start().unwrap();
        // No upstream yet: the connection is closed at once.
        assert!(roundtrip(gate.addr()).is_err());
        gate.set_upstream(echo_server());
        assert_eq!(roundtrip(gate.addr()).unwrap(), b"ping");

        // An open connection is cut when the gate goes offline.
        let mut open = TcpStream::connect(gate.addr()).unwrap();
        open.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        open.write_all(b"ping").unwrap();
        let mut buf = [0u8; 4];
        open.read_exact(&mut buf).unwrap();
        gate.set_offline(true);
        let _ = open.write_all(b"ping");
        let mut rest = Vec::new();
        let cut = matches!(open.read_to_end(&mut rest), Ok(0) | Err(_));
        assert!(cut, "still got {rest:?}");

        assert!(roundtrip(gate.addr()).is_err());
        gate.set_offline(false);
        assert_eq!(roundtrip(gate.addr()).unwrap(), b"ping");
    }
}
