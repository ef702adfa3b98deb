//! An SMTP sink (RFC 5321): a mail server on its own port that accepts every message and keeps
//! it, so SeatSync's e-mail can be read back at `GET /_sim/mail`. It speaks plain SMTP with
//! `AUTH PLAIN` and `AUTH LOGIN` (no TLS: a client configured for STARTTLS or TLS is told the
//! server does not offer it, as a real server without TLS would).
//!
//! Faults come from the same book as the HTTP routes: a rule with `path` `smtp` and `method` an
//! SMTP command (`EHLO`, `MAIL`, `RCPT`, `DATA`, …) applies to that command. `status` answers its
//! code, `timeout` never answers, `throttle` answers 421 and hangs up, `malformed` answers a line
//! that is not SMTP, and `lost_response` on `DATA` keeps the message but hangs up before the
//! `250`, so the client cannot know it was accepted.

use std::{sync::Arc, time::Duration};

use axum::{extract::State, http::StatusCode, Json};
use base64::{engine::general_purpose::STANDARD, Engine};
use serde::Serialize;
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
};

use crate::{faults::FaultKind, state::lock, Sim};

/// The account the sink accepts when a client signs in (signing in is optional).
pub const SMTP_USERNAME: &str = "seatsync@northwind-msp.example";
pub const SMTP_PASSWORD: &str = "sim-smtp-password";
/// The largest message accepted, as announced in `EHLO`.
pub const MAX_MESSAGE_BYTES: usize = 25 * 1024 * 1024;

/// A message as received.
#[derive(Debug, Clone, Serialize)]
pub struct ReceivedMail {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent (headers and body), dot-unstuffed.
    pub data: String,
    /// Signed in as (when the client signed in).
    pub authenticated_as: Option<String>,
    pub received_at: chrono::DateTime<chrono::Utc>,
}

impl ReceivedMail {
    /// The first header of that name, unfolded.
    fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            if let Some(v) = value.as_mut() {
                if line.starts_with([' ', '\t']) {
                    v.push_str(line);
                    continue;
                }
                break;
            }
            if let Some((n, v)) = line.split_once(':') {
                if n.eq_ignore_ascii_case(name) {
                    value = Some(v.trim().to_string());
                }
            }
        }
        value
    }

    /// The file names of the attachments.
    /// The plain-text body, decoded from its transfer encoding (quoted-printable, base64 or
    /// none), so tests and the demo read what a person would.
    pub fn text(&self) -> Option<String> {
        let start = self.data.find("Content-Type: text/plain")?;
        let part = &self.data[start..];
        let (head, body) = part.split_once("\r\n\r\n")?;
        let body = body.split("\r\n--").next().unwrap_or_default();
        let encoding = head
            .split("\r\n")
            .find_map(|l| l.strip_prefix("Content-Transfer-Encoding:"))
            .map(|e| e.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let bytes = match encoding.as_str() {
            "quoted-printable" => quoted_printable(body),
            "base64" => {
                use base64::Engine;
                let joined: String = body.split_whitespace().collect();
                base64::engine::general_purpose::STANDARD.decode(joined).ok()?
            }
            _ => body.as_bytes().to_vec(),
        };
        Some(String::from_utf8_lossy(&bytes).replace("\r\n", "\n"))
    }

    fn attachments(&self) -> Vec<String> {
        self.data
            .split("Content-Disposition: attachment")
            .skip(1)
            .filter_map(|part| {
                let start = part.find("filename=")? + "filename=".len();
                let rest = part[start..].trim_start_matches('"');
                let end = rest.find(['"', '\r', '\n', ';']).unwrap_or(rest.len());
                Some(rest[..end].to_string())
            })
            .collect()
    }
}

/// RFC 2045's quoted-printable decoded: soft line breaks joined, `=XX` turned back into bytes.
fn quoted_printable(body: &str) -> Vec<u8> {
    let joined = body.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = if bytes[i] == b'=' {
            bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        } else {
            None
        };
        match hex {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    out
}

/// Serves SMTP on `listener` until the task is dropped.
pub fn serve(sim: Arc<Sim>, listener: TcpListener) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            let sim = sim.clone();
            tokio::spawn(async move {
                if let Err(e) = session(&sim, stream).await {
                    tracing::debug!(error = %e, "SMTP session ended");
                }
            });
        }
    })
}

/// What a command's fault makes of its answer.
enum Outcome {
    /// Answer normally.
    Answer,
    /// Answer this instead.
    Reply(String),
    /// Hang up without answering.
    HangUp,
}

async fn fault(sim: &Sim, command: &str) -> Outcome {
    match sim.faults.take(command, "smtp", "smtp") {
        None => Outcome::Answer,
        Some(FaultKind::Latency { ms }) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Outcome::Answer
        }
        Some(FaultKind::Status { status }) => Outcome::Reply(format!("{status} Injected failure")),
        Some(FaultKind::Throttle { .. }) => Outcome::Reply("421 4.7.0 Too many connections, try again later".into()),
        Some(FaultKind::Timeout) => {
            tokio::time::sleep(Duration::from_secs(300)).await;
            Outcome::HangUp
        }
        Some(FaultKind::Malformed) => Outcome::Reply("this is not SMTP".into()),
        Some(FaultKind::LostResponse) => Outcome::HangUp,
    }
}

async fn session(sim: &Sim, stream: TcpStream) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    say(&mut write, "220 sim.northwind-msp.example ESMTP SeatSync simulator").await?;
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut user: Option<String> = None;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let text = line.trim_end_matches(['\r', '\n']).to_string();
        let (verb, arg) = text.split_once(' ').unwrap_or((text.as_str(), ""));
        let verb = verb.to_ascii_uppercase();
        let outcome = fault(sim, &verb).await;
        let reply = |normal: String| match &outcome {
            Outcome::Reply(r) => Some(r.clone()),
            Outcome::HangUp => None,
            Outcome::Answer => Some(normal),
        };
        let answer = match verb.as_str() {
            "EHLO" => reply(format!(
                "250-sim.northwind-msp.example greets {arg}\r\n250-SIZE {MAX_MESSAGE_BYTES}\r\n250-8BITMIME\r\n250-AUTH PLAIN LOGIN\r\n250 SMTPUTF8"
            )),
            "HELO" => reply(format!("250 sim.northwind-msp.example greets {arg}")),
            "NOOP" => reply("250 2.0.0 OK".into()),
            "RSET" => {
                from = None;
                to.clear();
                reply("250 2.0.0 OK".into())
            }
            "QUIT" => {
                say(&mut write, "221 2.0.0 Bye").await?;
                return Ok(());
            }
            "STARTTLS" => reply("502 5.5.1 STARTTLS is not offered by this server".into()),
            "AUTH" => {
                let (mechanism, initial) = arg.split_once(' ').unwrap_or((arg, ""));
                let signed_in = match mechanism.to_ascii_uppercase().as_str() {
                    "PLAIN" => {
                        let encoded = if initial.is_empty() {
                            say(&mut write, "334 ").await?;
                            read_line(&mut lines).await?
                        } else {
                            initial.to_string()
                        };
                        decode(&encoded).and_then(|plain| {
                            let mut parts = plain.split('\0').skip(1);
                            Some((parts.next()?.to_string(), parts.next()?.to_string()))
                        })
                    }
                    "LOGIN" => {
                        say(&mut write, "334 VXNlcm5hbWU6").await?;
                        let name = decode(&read_line(&mut lines).await?);
                        say(&mut write, "334 UGFzc3dvcmQ6").await?;
                        let password = decode(&read_line(&mut lines).await?);
                        name.zip(password)
                    }
                    _ => None,
                };
                match signed_in {
                    Some((name, password)) if name == SMTP_USERNAME && password == SMTP_PASSWORD => {
                        user = Some(name);
                        reply("235 2.7.0 Authentication successful".into())
                    }
                    _ => reply("535 5.7.8 Authentication credentials invalid".into()),
                }
            }
            "MAIL" => match address(arg, "FROM:") {
                Some(a) => {
                    from = Some(a);
                    to.clear();
                    reply("250 2.1.0 OK".into())
                }
                None => reply("501 5.5.4 Syntax: MAIL FROM:<address>".into()),
            },
            "RCPT" => match (from.is_some(), address(arg, "TO:")) {
                (false, _) => reply("503 5.5.1 MAIL first".into()),
                (true, Some(a)) => {
                    to.push(a);
                    reply("250 2.1.5 OK".into())
                }
                (true, None) => reply("501 5.5.4 Syntax: RCPT TO:<address>".into()),
            },
            "DATA" => {
                if from.is_none() || to.is_empty() {
                    reply("503 5.5.1 MAIL and RCPT first".into())
                } else if let Outcome::Reply(r) = &outcome {
                    Some(r.clone())
                } else {
                    say(&mut write, "354 End data with <CR><LF>.<CR><LF>").await?;
                    let data = read_data(&mut lines).await?;
                    if data.len() > MAX_MESSAGE_BYTES {
                        Some("552 5.3.4 Message too big".into())
                    } else {
                        lock(&sim.mail).push(ReceivedMail {
                            from: from.take().unwrap_or_default(),
                            to: std::mem::take(&mut to),
                            data,
                            authenticated_as: user.clone(),
                            received_at: chrono::Utc::now(),
                        });
                        match outcome {
                            // Kept, and the answer lost.
                            Outcome::HangUp => None,
                            _ => Some("250 2.0.0 OK: queued".into()),
                        }
                    }
                }
            }
            _ => reply("500 5.5.2 Command not recognised".into()),
        };
        match answer {
            Some(text) => say(&mut write, &text).await?,
            None => return Ok(()),
        }
    }
}

async fn say(write: &mut tokio::net::tcp::OwnedWriteHalf, text: &str) -> std::io::Result<()> {
    write.write_all(format!("{text}\r\n").as_bytes()).await
}

async fn read_line(lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> std::io::Result<String> {
    let mut line = String::new();
    lines.read_line(&mut line).await?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// The message after `DATA`, up to the line holding a single dot; leading dots unstuffed.
async fn read_data(lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> std::io::Result<String> {
    let mut data = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(data);
        }
        let content = line.trim_end_matches(['\r', '\n']);
        if content == "." {
            return Ok(data);
        }
        // The client doubled every leading dot (RFC 5321, 4.5.2).
        data.push_str(content.strip_prefix('.').unwrap_or(content));
        data.push_str("\r\n");
    }
}

fn decode(text: &str) -> Option<String> {
    STANDARD.decode(text.trim()).ok().and_then(|b| String::from_utf8(b).ok())
}

/// `FROM:<a@b>` (parameters such as `SIZE=` after it ignored).
fn address(arg: &str, prefix: &str) -> Option<String> {
    let rest = arg.get(..prefix.len()).filter(|p| p.eq_ignore_ascii_case(prefix)).map(|_| &arg[prefix.len()..])?;
    let rest = rest.trim_start();
    let inner = rest.strip_prefix('<')?.split('>').next()?;
    Some(inner.to_string())
}

/// `GET /_sim/mail`: every message received, oldest first, with its subject, message id and
/// attachment names read from it.
pub async fn received(State(sim): State<Arc<Sim>>) -> Json<serde_json::Value> {
    let mail = lock(&sim.mail);
    Json(serde_json::json!(mail
        .iter()
        .map(|m| serde_json::json!({
            "from": m.from,
            "to": m.to,
            "subject": m.header("Subject"),
            "messageId": m.header("Message-ID"),
            "attachments": m.attachments(),
            "text": m.text(),
            "authenticatedAs": m.authenticated_as,
            "receivedAt": m.received_at,
            "data": m.data,
        }))
        .collect::<Vec<_>>()))
}

/// `DELETE /_sim/mail`: forgets every message.
pub async fn clear(State(sim): State<Arc<Sim>>) -> StatusCode {
    lock(&sim.mail).clear();
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_is_read_back_from_quoted_printable() {
        let mail = ReceivedMail {
            from: "a".into(),
            to: vec![],
            data: "Subject: x\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=3D=3D Contoso: 7 seats, a long li=\r\nne \u{2192} =E2=86=92\r\nnext\r\n--b--\r\n".into(),
            authenticated_as: None,
            received_at: chrono::Utc::now(),
        };
        assert_eq!(mail.text().unwrap(), "== Contoso: 7 seats, a long line \u{2192} \u{2192}\nnext");
    }

    #[test]
    fn addresses_and_headers_are_read() {
        assert_eq!(address("FROM:<a@b.example> SIZE=10", "FROM:").as_deref(), Some("a@b.example"));
        assert_eq!(address("to: <c@d.example>", "TO:").as_deref(), Some("c@d.example"));
        assert_eq!(address("FROM:a@b", "FROM:"), None);
        let mail = ReceivedMail {
            from: "a".into(),
            to: vec![],
            data: "Subject: Unused\r\n licences\r\nMessage-ID: <k@x>\r\n\r\nbody\r\nContent-Disposition: attachment; filename=\"report.csv\"\r\n".into(),
            authenticated_as: None,
            received_at: chrono::Utc::now(),
        };
        assert_eq!(mail.header("subject").as_deref(), Some("Unused licences"));
        assert_eq!(mail.header("Message-ID").as_deref(), Some("<k@x>"));
        assert_eq!(mail.attachments(), ["report.csv"]);
    }
}
