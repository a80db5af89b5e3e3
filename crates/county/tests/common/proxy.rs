//! A small fault-injecting TCP proxy between the sync client and the county: one HTTP/1.1
//! request per connection (the client runs with fresh connections), each connection taking
//! the next planned fault, or passing through when none is left.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What to do to one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward as is.
    Pass,
    /// Forward only the first half of the request's body, then cut both sides.
    CutRequestBody,
    /// Forward the request, then only the first bytes of the answer, then cut.
    CutResponse,
    /// Hold the answer for this long before forwarding it.
    Delay(Duration),
    /// Deliver the request to the county twice; answer with the second reply.
    Duplicate,
    /// Answer this status without forwarding.
    Status(u16),
}

/// A running proxy.
#[derive(Clone)]
pub struct Proxy {
    /// Where the client connects.
    pub addr: SocketAddr,
    plan: Arc<Mutex<VecDeque<(Option<String>, Fault)>>>,
    /// Requests seen: (method + path, body bytes).
    pub seen: Arc<Mutex<Vec<(String, usize)>>>,
}

impl Proxy {
    /// Starts a proxy to `upstream`.
    pub async fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let proxy = Proxy { addr: listener.local_addr().expect("addr"), plan: Arc::default(), seen: Arc::default() };
        let p = proxy.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let p = p.clone();
                tokio::spawn(async move {
                    let _ = p.handle(client, upstream).await;
                });
            }
        });
        proxy
    }

    /// Plans `fault` for the next request whose first line contains `matching` (or any).
    pub fn plan(&self, matching: Option<&str>, fault: Fault) {
        self.plan.lock().expect("plan").push_back((matching.map(str::to_owned), fault));
    }

    fn fault_for(&self, line: &str) -> Fault {
        let mut plan = self.plan.lock().expect("plan");
        let pos = plan.iter().position(|(m, _)| m.as_deref().is_none_or(|m| line.contains(m)));
        pos.and_then(|i| plan.remove(i)).map_or(Fault::Pass, |(_, f)| f)
    }

    async fn handle(&self, mut client: TcpStream, upstream: SocketAddr) -> std::io::Result<()> {
        let request = read_message(&mut client, false).await?;
        let head = String::from_utf8_lossy(&request.head).to_string();
        let line = head.lines().next().unwrap_or_default().to_owned();
        self.seen.lock().expect("seen").push((line.split(' ').take(2).collect::<Vec<_>>().join(" "), request.body.len()));
        let fault = self.fault_for(&line);
        let whole: Vec<u8> = [request.head.as_slice(), &request.body].concat();
        match fault {
            Fault::Status(code) => {
                let body = format!(r#"{{"error":"injected","message":"injected {code}"}}"#);
                let answer = format!("HTTP/1.1 {code} Injected\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
                client.write_all(answer.as_bytes()).await?;
            }
            Fault::CutRequestBody => {
                let mut server = TcpStream::connect(upstream).await?;
                server.write_all(&whole[..request.head.len() + request.body.len() / 2]).await?;
                // The county sees the body end early and answers; only then does the client
                // learn of the cut, so its retry cannot reach the county before the cut request
                // (that race is real, and the client gets 409 and asks again, but a test that
                // counts PATCHes wants one order). The client gets no answer.
                server.shutdown().await?;
                let mut answer = Vec::new();
                let _ = tokio::time::timeout(Duration::from_secs(30), server.read_to_end(&mut answer)).await;
            }
            Fault::Duplicate => {
                let mut first = TcpStream::connect(upstream).await?;
                first.write_all(&whole).await?;
                read_message(&mut first, head.starts_with("HEAD")).await?;
                let answer = exchange(upstream, &whole, head.starts_with("HEAD")).await?;
                client.write_all(&answer).await?;
            }
            Fault::Pass | Fault::CutResponse | Fault::Delay(_) => {
                let answer = exchange(upstream, &whole, head.starts_with("HEAD")).await?;
                match fault {
                    Fault::CutResponse => client.write_all(&answer[..answer.len().min(20)]).await?,
                    Fault::Delay(d) => {
                        tokio::time::sleep(d).await;
                        client.write_all(&answer).await?;
                    }
                    _ => client.write_all(&answer).await?,
                }
            }
        }
        client.shutdown().await.ok();
        Ok(())
    }
}

async fn exchange(upstream: SocketAddr, request: &[u8], head_request: bool) -> std::io::Result<Vec<u8>> {
    let mut server = TcpStream::connect(upstream).await?;
    server.write_all(request).await?;
    let answer = read_message(&mut server, head_request).await?;
    // One request per connection, said so: a keep-alive client (Node's) opens a new one.
    let status_line = answer.head.windows(2).position(|w| w == b"\r\n").map_or(0, |i| i + 2);
    Ok([&answer.head[..status_line], b"connection: close\r\n", &answer.head[status_line..], &answer.body].concat())
}

struct Message {
    head: Vec<u8>,
    body: Vec<u8>,
}

/// Reads one HTTP/1.1 message: the head, then `content-length` bytes of body.
async fn read_message(stream: &mut TcpStream, no_body: bool) -> std::io::Result<Message> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "closed before the head ended"));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length = if no_body {
        0
    } else {
        head.lines().find_map(|l| l.strip_prefix("content-length:").and_then(|v| v.trim().parse::<usize>().ok())).unwrap_or(0)
    };
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf.split_off(head_end);
    Ok(Message { head: buf, body })
}
