//! A real SMTP server for the tests, on 127.0.0.1: it speaks the protocol (EHLO, AUTH PLAIN
//! and LOGIN, MAIL, RCPT, DATA with dot-unstuffing, RSET, QUIT) and keeps every message it
//! accepts, with the account it was sent by.

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone, Default)]
pub struct Received {
    /// The AUTH exchange as sent (base64), if any.
    pub auth: Option<String>,
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent: headers and body.
    pub data: String,
}

pub struct SmtpServer {
    pub port: u16,
    pub received: Arc<Mutex<Vec<Received>>>,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let keep = received.clone();
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else { return };
                let keep = keep.clone();
                tokio::spawn(async move {
                    let _ = session(socket, keep).await;
                });
            }
        });
        SmtpServer { port, received }
    }

    pub fn messages(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn session(socket: tokio::net::TcpStream, keep: Arc<Mutex<Vec<Received>>>) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 test.local ESMTP\r\n").await?;
    let mut msg = Received::default();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_string();
        let upper = cmd.to_ascii_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            write.write_all(b"250-test.local\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n").await?;
        } else if upper.starts_with("AUTH PLAIN") {
            msg.auth = Some(cmd[10..].trim().to_string());
            write.write_all(b"235 2.7.0 accepted\r\n").await?;
        } else if upper.starts_with("AUTH LOGIN") {
            write.write_all(b"334 VXNlcm5hbWU6\r\n").await?;
            let mut user = String::new();
            lines.read_line(&mut user).await?;
            write.write_all(b"334 UGFzc3dvcmQ6\r\n").await?;
            let mut pass = String::new();
            lines.read_line(&mut pass).await?;
            msg.auth = Some(format!("{} {}", user.trim(), pass.trim()));
            write.write_all(b"235 2.7.0 accepted\r\n").await?;
        } else if upper.starts_with("MAIL FROM:") {
            msg.from = cmd[10..].trim().to_string();
            write.write_all(b"250 ok\r\n").await?;
        } else if upper.starts_with("RCPT TO:") {
            msg.to.push(cmd[8..].trim().trim_matches(['<', '>']).to_string());
            write.write_all(b"250 ok\r\n").await?;
        } else if upper == "DATA" {
            write.write_all(b"354 go ahead\r\n").await?;
            let mut data = String::new();
            loop {
                let mut l = String::new();
                if lines.read_line(&mut l).await? == 0 {
                    return Ok(());
                }
                if l == ".\r\n" || l == ".\n" {
                    break;
                }
                data.push_str(l.strip_prefix('.').unwrap_or(&l));
            }
            msg.data = data;
            keep.lock().unwrap().push(std::mem::take(&mut msg));
            write.write_all(b"250 queued\r\n").await?;
        } else if upper == "RSET" {
            msg = Received { auth: msg.auth.take(), ..Received::default() };
            write.write_all(b"250 ok\r\n").await?;
        } else if upper == "NOOP" {
            write.write_all(b"250 ok\r\n").await?;
        } else if upper == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            write.write_all(b"502 not implemented\r\n").await?;
        }
    }
}
