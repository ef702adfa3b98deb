//! E-mail over SMTP with lettre: STARTTLS, TLS from the first byte (port 465) or, on a trusted
//! network only, no encryption; signing in is optional. No connection pool: SeatSync sends a few
//! messages a day, and each conversation (and each connection test) starts from a fresh
//! connection, so what it reports is what the server says now. This module holds what SeatSync uses so
//! far: the connection check; sending messages joins with the delivery service.

use std::{sync::Arc, time::Duration};

use lettre::{transport::smtp::authentication::Credentials, AsyncSmtpTransport, Tokio1Executor};

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

/// What SeatSync needs from a mail server.
pub trait Mailer: Send + Sync {
    /// Connects, greets, protects and signs in as configured, and checks the server answers:
    /// nothing is sent.
    fn test_connection(&self) -> BoxFuture<'_, Result<(), VendorError>>;
    fn settings(&self) -> &SmtpSettings;
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
}
