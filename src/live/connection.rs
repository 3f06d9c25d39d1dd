//! A read-only conversation with one server: the transport (TCP, TLS by rustls, a Unix socket)
//! is ours, the protocol (encoding commands, decoding replies) is the `redis` crate's.

use super::target::{Address, Target};
use redis::Value;
use std::io::{self, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How TLS connections are made (`--tls-*`).
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    /// CA certificates (PEM) that sign the server's certificate; default: the system's.
    pub ca_cert: Option<PathBuf>,
    /// A client certificate and its key (PEM), for servers that ask for one.
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    /// The name sent and checked instead of the target's host.
    pub sni: Option<String>,
    /// Accept any certificate (`--insecure-skip-verify`).
    pub insecure: bool,
}

/// Why a target could not be audited at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("no answer within {0} s")]
    Timeout(u64),
    #[error("authentication failed: {0}")]
    Auth(String),
    #[error("{0}")]
    Protocol(String),
}

/// The longest reply read (a hostile server must not make us read without end).
const REPLY_LIMIT: u64 = 64 << 20;

enum Stream {
    Tcp(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
    #[cfg(unix)]
    Unix(std::os::unix::net::UnixStream),
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
            #[cfg(unix)]
            Stream::Unix(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
            #[cfg(unix)]
            Stream::Unix(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
            #[cfg(unix)]
            Stream::Unix(s) => s.flush(),
        }
    }
}

/// A reader that fails past a byte budget.
struct Limited<'a, R> {
    inner: &'a mut R,
    left: u64,
}

impl<R: Read> Read for Limited<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Err(io::Error::other("a reply longer than 64 MiB"));
        }
        let max = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..max])?;
        self.left -= n as u64;
        Ok(n)
    }
}

pub struct Connection {
    reader: BufReader<Stream>,
    parser: redis::Parser,
    timeout: Duration,
}

/// What the server answered: a value, or its error reply (`NOPERM`, `ERR unknown command`).
pub type Reply = Result<Value, String>;

impl Connection {
    /// Connect (and, for `rediss://`, make the TLS handshake), without authenticating.
    pub fn open(target: &Target, tls: &TlsOptions, timeout: Duration) -> Result<Self, Failure> {
        let stream = match &target.address {
            Address::Tcp { host, port } => {
                let tcp = connect_tcp(host, *port, timeout)?;
                if target.tls {
                    Stream::Tls(Box::new(handshake(tcp, host, tls, timeout)?))
                } else {
                    Stream::Tcp(tcp)
                }
            }
            #[cfg(unix)]
            Address::Unix(path) => {
                let s = std::os::unix::net::UnixStream::connect(path)
                    .map_err(|e| Failure::Connect(format!("{}: {e}", path.display())))?;
                s.set_read_timeout(Some(timeout)).ok();
                s.set_write_timeout(Some(timeout)).ok();
                Stream::Unix(s)
            }
            #[cfg(not(unix))]
            Address::Unix(_) => {
                return Err(Failure::Connect("Unix sockets need a Unix system".into()));
            }
        };
        Ok(Connection {
            reader: BufReader::new(stream),
            parser: redis::Parser::new(),
            timeout,
        })
    }

    /// Send one command and read its reply.
    pub fn call(&mut self, args: &[&str]) -> Result<Reply, Failure> {
        let mut cmd = redis::cmd(args[0]);
        for a in &args[1..] {
            cmd.arg(*a);
        }
        let packed = cmd.get_packed_command();
        let io_failure = |e: io::Error, timeout: Duration| match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
                Failure::Timeout(timeout.as_secs())
            }
            _ => Failure::Connect(e.to_string()),
        };
        let stream = self.reader.get_mut();
        stream
            .write_all(&packed)
            .and_then(|()| stream.flush())
            .map_err(|e| io_failure(e, self.timeout))?;
        let limited = Limited {
            inner: &mut self.reader,
            left: REPLY_LIMIT,
        };
        match self.parser.parse_value(limited) {
            // As the server wrote it: `NOPERM this user has no permissions …`.
            Ok(Value::ServerError(e)) => Ok(Err(match e.details() {
                Some(details) => format!("{} {details}", e.code()),
                None => e.code().to_string(),
            })),
            Ok(v) => Ok(Ok(v)),
            Err(e) if e.is_timeout() => Err(Failure::Timeout(self.timeout.as_secs())),
            Err(e) if e.is_io_error() => Err(Failure::Connect(e.to_string())),
            // One line, whatever the parser's message looks like.
            Err(e) => Err(Failure::Protocol(format!(
                "not a Redis reply: {}",
                e.to_string()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            ))),
        }
    }

    /// `AUTH [user] password`.
    pub fn authenticate(&mut self, user: Option<&str>, password: &str) -> Result<(), Failure> {
        let reply = match user {
            Some(u) => self.call(&["AUTH", u, password])?,
            None => self.call(&["AUTH", password])?,
        };
        reply.map(|_| ()).map_err(Failure::Auth)
    }
}

fn connect_tcp(host: &str, port: u16, timeout: Duration) -> Result<TcpStream, Failure> {
    let addrs = (host, port)
        .to_socket_addrs()
        .map_err(|e| Failure::Connect(format!("{host}: {e}")))?;
    let mut last = Failure::Connect(format!("{host}: no address"));
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(s) => {
                s.set_read_timeout(Some(timeout)).ok();
                s.set_write_timeout(Some(timeout)).ok();
                s.set_nodelay(true).ok();
                return Ok(s);
            }
            Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                last = Failure::Timeout(timeout.as_secs());
            }
            Err(e) => last = Failure::Connect(format!("{addr}: {e}")),
        }
    }
    Err(last)
}

fn tls_config(tls: &TlsOptions) -> Result<rustls::ClientConfig, Failure> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    // ring builds with a C compiler alone; its lack of post-quantum key exchange does not
    // matter for reading a config over loopback or a private network.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Failure::Tls(e.to_string()))?;
    let pem = |path: &PathBuf, e: rustls::pki_types::pem::Error| {
        Failure::Tls(format!("{}: {e}", path.display()))
    };
    let builder = if tls.insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
    } else {
        let mut roots = rustls::RootCertStore::empty();
        match &tls.ca_cert {
            Some(path) => {
                for cert in CertificateDer::pem_file_iter(path).map_err(|e| pem(path, e))? {
                    roots
                        .add(cert.map_err(|e| pem(path, e))?)
                        .map_err(|e| Failure::Tls(format!("{}: {e}", path.display())))?;
                }
            }
            None => {
                for cert in rustls_native_certs::load_native_certs().certs {
                    let _ = roots.add(cert);
                }
            }
        }
        builder.with_root_certificates(roots)
    };
    match (&tls.cert, &tls.key) {
        (Some(cert), Some(key)) => {
            let chain = CertificateDer::pem_file_iter(cert)
                .map_err(|e| pem(cert, e))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| pem(cert, e))?;
            let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| pem(key, e))?;
            builder
                .with_client_auth_cert(chain, key_der)
                .map_err(|e| Failure::Tls(e.to_string()))
        }
        (None, None) => Ok(builder.with_no_client_auth()),
        _ => Err(Failure::Tls("--tls-cert and --tls-key go together".into())),
    }
}

fn handshake(
    mut tcp: TcpStream,
    host: &str,
    tls: &TlsOptions,
    timeout: Duration,
) -> Result<rustls::StreamOwned<rustls::ClientConnection, TcpStream>, Failure> {
    let config = tls_config(tls)?;
    let name = tls.sni.as_deref().unwrap_or(host).to_string();
    let server_name = rustls::pki_types::ServerName::try_from(name.clone())
        .map_err(|_| Failure::Tls(format!("`{name}` is not a host name or address")))?;
    let mut conn = rustls::ClientConnection::new(Arc::new(config), server_name)
        .map_err(|e| Failure::Tls(e.to_string()))?;
    while conn.is_handshaking() {
        conn.complete_io(&mut tcp).map_err(|e| match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
                Failure::Timeout(timeout.as_secs())
            }
            io::ErrorKind::InvalidData => Failure::Tls(e.to_string()),
            _ => Failure::Tls(format!("handshake: {e} (is the port a TLS port?)")),
        })?;
    }
    Ok(rustls::StreamOwned::new(conn, tcp))
}

/// `--insecure-skip-verify`: any certificate is accepted (signatures are still checked).
#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The text of a reply (bulk or simple string, or a verbatim string as INFO sends on RESP3).
pub fn text(value: &Value) -> Option<String> {
    match value {
        Value::BulkString(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Value::SimpleString(s) => Some(s.clone()),
        Value::VerbatimString { text, .. } => Some(text.clone()),
        Value::Okay => Some("OK".into()),
        Value::Int(i) => Some(i.to_string()),
        _ => None,
    }
}

/// The bytes of a reply string.
pub fn bytes(value: &Value) -> Option<Vec<u8>> {
    match value {
        Value::BulkString(b) => Some(b.clone()),
        other => text(other).map(String::into_bytes),
    }
}
