//! E-mail over SMTP with lettre: STARTTLS, TLS from the first byte (port 465) or, on a trusted
//! network only, no encryption; signing in is optional. No connection pool: SeatSync sends a few
//! messages a day, and each conversation (and each connection test) starts from a fresh
//! connection, so what it reports is what the server says now. This module holds what SeatSync uses so
//! far: the connection check; sending messages joins with the delivery service.

use std::{sync::Arc, time::Duration};

use lettre::{transport::smtp::authentication::Credentials, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::{partner_center::BoxFuture, VendorError};

const VENDOR: &str = "The mail server";

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, which the server must offer (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: for a relay on a trusted network only.
    None,
}

impl SmtpSecurity {
    /// The spellings of the Integrations page (`starttls`, `tls`, `none`).
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "starttls" => Some(Self::StartTls),
            "tls" => Some(Self::Tls),
            "none" => Some(Self::None),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// Both or neither.
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender of every message.
    pub from: String,
    pub timeout: Duration,
}

/// A file attached to a message.
#[derive(Debug, Clone, PartialEq)]
pub struct MailAttachment {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A message to send, from the configured sender.
#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingMail {
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    /// An HTML body beside the text one (mail programs show the one they prefer).
    pub html: Option<String>,
    pub attachments: Vec<MailAttachment>,
    /// `Message-ID` without the angle brackets: the same message keeps the same id, so a copy
    /// that does arrive twice is recognisable as one message.
    pub message_id: String,
}

/// What SeatSync needs from a mail server.
pub trait Mailer: Send + Sync {
    /// Connects, greets, protects and signs in as configured, and checks the server answers:
    /// nothing is sent.
    fn test_connection(&self) -> BoxFuture<'_, Result<(), VendorError>>;
    fn settings(&self) -> &SmtpSettings;
    /// Sends one message; the server's answer (`250 …`). A refusal the server stated is
    /// [`VendorError::Status`] (nothing was accepted); a connection lost or timed out is
    /// [`VendorError::Uncertain`] (the message may have been accepted: never send it again blindly).
    fn send<'a>(&'a self, mail: &'a OutgoingMail) -> BoxFuture<'a, Result<String, VendorError>>;
}

pub struct SmtpMailer {
    settings: SmtpSettings,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpMailer {
    pub fn new(settings: SmtpSettings) -> Result<Arc<Self>, VendorError> {
        let builder = match settings.security {
            SmtpSecurity::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host),
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host),
            SmtpSecurity::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)),
        }
        .map_err(|e| VendorError::NotConfigured { vendor: VENDOR, detail: format!("{} ({e})", settings.host) })?;
        let mut builder = builder.port(settings.port).timeout(Some(settings.timeout));
        if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Arc::new(Self { transport: builder.build(), settings }))
    }
}

/// A lettre error in words, and whether it is a refusal (the server answered) or the connection.
pub(crate) fn smtp_error(e: lettre::transport::smtp::Error) -> VendorError {
    if let Some(code) = e.status() {
        let status = code.to_string().parse().unwrap_or(0);
        return VendorError::Status { vendor: VENDOR, status, message: e.to_string() };
    }
    if e.is_timeout() {
        return VendorError::Timeout { vendor: VENDOR, attempts: 1 };
    }
    VendorError::Transport { vendor: VENDOR, detail: e.to_string() }
}

impl Mailer for SmtpMailer {
    fn test_connection(&self) -> BoxFuture<'_, Result<(), VendorError>> {
        Box::pin(async move {
            match self.transport.test_connection().await {
                Ok(true) => Ok(()),
                Ok(false) => Err(VendorError::Transport {
                    vendor: VENDOR,
                    detail: "the connection was made but the server did not answer NOOP".into(),
                }),
                Err(e) => Err(smtp_error(e)),
            }
        })
    }

    fn settings(&self) -> &SmtpSettings {
        &self.settings
    }

    fn send<'a>(&'a self, mail: &'a OutgoingMail) -> BoxFuture<'a, Result<String, VendorError>> {
        Box::pin(async move {
            let message = build_message(&self.settings.from, mail)?;
            match self.transport.send(message).await {
                Ok(answer) => Ok(format!("{} {}", answer.code(), answer.message().collect::<Vec<_>>().join(" "))),
                Err(e) if e.status().is_some() => Err(smtp_error(e)),
                Err(e) => Err(VendorError::Uncertain { vendor: VENDOR, detail: e.to_string() }),
            }
        })
    }
}

/// The message as lettre builds it: text and HTML as alternatives, then the attachments.
fn build_message(from: &str, mail: &OutgoingMail) -> Result<lettre::Message, VendorError> {
    use lettre::message::{header::ContentType, Attachment, MultiPart, SinglePart};
    let invalid = |what: &str, e: &dyn std::fmt::Display| VendorError::NotConfigured {
        vendor: VENDOR,
        detail: format!("{what}: {e}"),
    };
    let mut builder = lettre::Message::builder()
        .from(from.parse().map_err(|e| invalid("the sender address", &e))?)
        .subject(mail.subject.clone())
        .message_id(Some(format!("<{}>", mail.message_id)));
    for to in &mail.to {
        builder = builder.to(to.parse().map_err(|e| invalid(&format!("the address '{to}'"), &e))?);
    }
    let body = match &mail.html {
        Some(html) => MultiPart::alternative_plain_html(mail.text.clone(), html.clone()),
        None => MultiPart::mixed().singlepart(SinglePart::plain(mail.text.clone())),
    };
    let mut all = MultiPart::mixed().multipart(body);
    for a in &mail.attachments {
        let content_type = ContentType::parse(&a.content_type).map_err(|e| invalid("an attachment's type", &e))?;
        all = all.singlepart(Attachment::new(a.file_name.clone()).body(a.bytes.clone(), content_type));
    }
    builder.multipart(all).map_err(|e| invalid("the message", &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_carries_both_bodies_its_attachment_and_its_id() {
        let mail = OutgoingMail {
            to: vec!["billing@customer.example".into()],
            subject: "Unused licences".into(),
            text: "Two seats unused".into(),
            html: Some("<p>Two seats unused</p>".into()),
            attachments: vec![MailAttachment {
                file_name: "seats.csv".into(),
                content_type: "text/csv".into(),
                bytes: b"a,b\n1,2\n".to_vec(),
            }],
            message_id: "abc123@seatsync".into(),
        };
        let raw = String::from_utf8(build_message("seatsync@msp.example", &mail).unwrap().formatted()).unwrap();
        assert!(raw.contains("Message-ID: <abc123@seatsync>"), "{raw}");
        assert!(raw.contains("multipart/alternative") && raw.contains("text/html"), "{raw}");
        assert!(raw.contains("filename=\"seats.csv\""), "{raw}");
        let bad = OutgoingMail { to: vec!["not an address".into()], ..mail };
        assert!(build_message("seatsync@msp.example", &bad).unwrap_err().to_string().contains("not an address"));
    }
}
