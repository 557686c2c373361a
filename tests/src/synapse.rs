//! A real Synapse homeserver on `127.0.0.1` for the end-to-end tests.
//!
//! [`synapse`] starts one server per test binary, the first time a test asks
//! for it, through the repository's `scripts/synapse.sh`; [`synapse_famedly`]
//! does the same for Famedly's fork ([`Flavour::Famedly`]), the server that
//! implements `com.famedly.refresh_token_lifetime_ms`. The end-to-end tests
//! are one binary (`tests/tests/e2e`), so a test run starts each server at
//! most once and all its tests share it:
//!
//! 1. `scripts/synapse.sh --flavour <flavour> install`: a virtualenv under
//!    `<workspace>/.synapse` with the pinned `matrix-synapse` from PyPI, or
//!    the fork from its wheel in `../shared/famedly-synapse` (once per
//!    checkout; a no-op afterwards);
//! 2. `scripts/synapse.sh --flavour <flavour> run`: a fresh data folder under `.synapse/runs`, a
//!    config (loopback only, client API only, SQLite, open registration,
//!    raised rate limits, short token lifetimes: [`ACCESS_TOKEN_LIFETIME`],
//!    [`REFRESH_TOKEN_LIFETIME`]; for the fork also
//!    [`FAMEDLY_MAXIMUM_REFRESH_TOKEN_LIFETIME`]), the server started on a free port, and a
//!    bounded wait until `GET /_matrix/client/versions` answers 200.
//!
//! The script keeps running beside the server, reading its standard input,
//! which this process holds open and never closes. When the test process
//! exits, however it ends (even `SIGKILL`), the pipe closes and the script
//! stops the server by its recorded PID and removes the data folder. No
//! server outlives its test binary.
//!
//! Failing to install or start Synapse fails every test that asked for it,
//! with the reason. The only way around it is the documented opt-out
//! `MATRIX_CSAPI_E2E=skip` (for offline local runs; CI never sets it), which
//! makes [`synapse`] and [`synapse_famedly`] return `None` after printing a
//! notice that bypasses the test harness's output capture.
//!
//! The [`SynapseGuard`] that [`synapse`] returns prints the tail of the
//! server's log when the test holding it panics.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use matrix_csapi_runtime::{BaseUrl, Client, reqwest};

/// The environment variable that controls the end-to-end tests: unset, empty
/// or `run` runs them; `skip` skips them with a printed notice.
pub const E2E_ENV: &str = "MATRIX_CSAPI_E2E";

/// The Synapse version `scripts/synapse.sh` installs.
pub const SYNAPSE_VERSION: &str = "1.163.2";

/// The package version of Famedly's fork that `scripts/synapse.sh --flavour
/// famedly` installs (its release is v1.159.0_1, based on Synapse 1.159.0).
pub const FAMEDLY_SYNAPSE_VERSION: &str = "1.159.0";

/// `refreshable_access_token_lifetime` in the server's config: access tokens
/// of clients that asked for a refresh token expire after this long.
pub const ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(5);

/// `refresh_token_lifetime` in the server's config.
pub const REFRESH_TOKEN_LIFETIME: Duration = Duration::from_secs(10);

/// `session_lifetime` in the server's config: no access token outlives it,
/// and Synapse reports it as `expires_in_ms` even for access tokens that
/// cannot be refreshed.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// `famedly_maximum_refresh_token_lifetime` in the config of Famedly's fork:
/// the longest refresh-token lifetime a client may ask for. It caps only
/// what clients ask for, never [`REFRESH_TOKEN_LIFETIME`], and is above it so
/// that a client can ask for more than the default.
pub const FAMEDLY_MAXIMUM_REFRESH_TOKEN_LIFETIME: Duration = Duration::from_secs(20);

/// Which homeserver a test binary runs against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    /// Upstream Synapse [`SYNAPSE_VERSION`] from PyPI.
    Upstream,
    /// Famedly's fork [`FAMEDLY_SYNAPSE_VERSION`], from the wheel in
    /// `../shared/famedly-synapse` (or `$MATRIX_CSAPI_FAMEDLY_WHEEL`): it
    /// honours `com.famedly.refresh_token_lifetime_ms`, capped by
    /// [`FAMEDLY_MAXIMUM_REFRESH_TOKEN_LIFETIME`].
    Famedly,
}

impl Flavour {
    /// The value of `scripts/synapse.sh --flavour`.
    pub fn name(self) -> &'static str {
        match self {
            Flavour::Upstream => "upstream",
            Flavour::Famedly => "famedly",
        }
    }

    /// What the server is and where it comes from, for messages.
    fn describe(self) -> String {
        match self {
            Flavour::Upstream => format!("Synapse {SYNAPSE_VERSION} (from PyPI)"),
            Flavour::Famedly => format!(
                "Famedly's Synapse fork {FAMEDLY_SYNAPSE_VERSION} (from the wheel in \
                 ../shared/famedly-synapse or $MATRIX_CSAPI_FAMEDLY_WHEEL; its dependencies from PyPI)"
            ),
        }
    }
}

/// The longest wait for `scripts/synapse.sh install` (about 30 s on a fresh
/// checkout, instant afterwards).
const INSTALL_TIMEOUT: Duration = Duration::from_secs(600);
/// The longest wait for `scripts/synapse.sh run` to report a ready server
/// (about 2 s); the script bounds its own wait at 60 s.
const START_TIMEOUT: Duration = Duration::from_secs(120);
/// How many lines of the server's log a failing test prints.
const LOG_TAIL_LINES: usize = 200;

/// A running Synapse homeserver, shared by all tests of one test binary.
pub struct Synapse {
    flavour: Flavour,
    url: String,
    base_url: BaseUrl,
    dir: PathBuf,
    startup: Duration,
    /// Kept until the process exits: closing `stdin` stops the server.
    _process: Mutex<(Child, ChildStdin)>,
}

impl std::fmt::Debug for Synapse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Synapse")
            .field("flavour", &self.flavour)
            .field("url", &self.url)
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl Synapse {
    /// Which server this is.
    pub fn flavour(&self) -> Flavour {
        self.flavour
    }

    /// The base URL, `http://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The base URL, parsed.
    pub fn base_url(&self) -> &BaseUrl {
        &self.base_url
    }

    /// The server's data folder (config, SQLite database, logs).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The server's `server_name`: user IDs are `@<name>:localhost`.
    pub fn server_name(&self) -> &'static str {
        "localhost"
    }

    /// How long installing (if needed) and starting the server took.
    pub fn startup(&self) -> Duration {
        self.startup
    }

    /// A runtime client for this server, without an access token, that
    /// never uses a proxy (the server is on loopback). Wrap it with
    /// `matrix_csapi::Client::from` for the generated methods.
    ///
    /// # Panics
    ///
    /// When the HTTP client cannot be built.
    pub fn client(&self) -> Client {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_else(|error| panic!("cannot build an HTTP client: {error}"));
        Client::with_http_client(self.base_url.clone(), http)
    }

    /// The last `lines` lines of the server's log (`homeserver.log`, then
    /// anything it wrote to stdout or stderr).
    pub fn log_tail(&self, lines: usize) -> String {
        let mut out = String::new();
        for name in ["homeserver.log", "stdio.log"] {
            let path = self.dir.join(name);
            match std::fs::read(&path) {
                Ok(bytes) if !bytes.is_empty() => {
                    let text = String::from_utf8_lossy(&bytes);
                    let all: Vec<&str> = text.lines().collect();
                    let start = all.len().saturating_sub(lines);
                    out.push_str(&format!(
                        "----- last {} lines of {} -----\n",
                        all.len() - start,
                        path.display()
                    ));
                    for line in &all[start..] {
                        out.push_str(line);
                        out.push('\n');
                    }
                }
                Ok(_) => {}
                Err(error) => out.push_str(&format!("({}: {error})\n", path.display())),
            }
        }
        out
    }
}

/// The shared server of this test binary, with a guard that prints the
/// server's log when the test holding it fails. Dereferences to
/// [`Synapse`].
#[derive(Debug)]
pub struct SynapseGuard {
    synapse: &'static Synapse,
}

impl SynapseGuard {
    /// The server itself, for tasks that outlive a borrow of the guard
    /// (`tokio::spawn`); keep the guard in the test so that a failure still
    /// prints the log.
    pub fn server(&self) -> &'static Synapse {
        self.synapse
    }
}

impl std::ops::Deref for SynapseGuard {
    type Target = Synapse;
    fn deref(&self) -> &Synapse {
        self.synapse
    }
}

impl Drop for SynapseGuard {
    fn drop(&mut self) {
        if thread::panicking() {
            // Captured by the test harness and shown with the failure.
            eprintln!(
                "\nThe test failed; {} at {} (data in {}):\n{}",
                self.synapse.flavour.describe(),
                self.synapse.url,
                self.synapse.dir.display(),
                self.synapse.log_tail(LOG_TAIL_LINES)
            );
        }
    }
}

/// The upstream Synapse server of this test binary, started on first use.
///
/// Returns `None` only when the end-to-end tests are opted out of with
/// `MATRIX_CSAPI_E2E=skip`; the caller should then return at once.
///
/// # Panics
///
/// When the server cannot be installed or started (with the reason and the
/// script's output), and when `MATRIX_CSAPI_E2E` has an unknown value.
pub fn synapse() -> Option<SynapseGuard> {
    server(Flavour::Upstream)
}

/// Famedly's Synapse fork for this test binary, started on first use; like
/// [`synapse`] otherwise.
///
/// # Panics
///
/// Like [`synapse`]; also when the fork's wheel is missing.
pub fn synapse_famedly() -> Option<SynapseGuard> {
    server(Flavour::Famedly)
}

/// The server of `flavour` for this test binary, started on first use: one
/// per flavour, shared by all tests of the binary.
fn server(flavour: Flavour) -> Option<SynapseGuard> {
    static UPSTREAM: OnceLock<Result<Synapse, String>> = OnceLock::new();
    static FAMEDLY: OnceLock<Result<Synapse, String>> = OnceLock::new();
    if opted_out() {
        return None;
    }
    let cell = match flavour {
        Flavour::Upstream => &UPSTREAM,
        Flavour::Famedly => &FAMEDLY,
    };
    match cell.get_or_init(|| start(flavour)) {
        Ok(synapse) => Some(SynapseGuard { synapse }),
        Err(reason) => panic!(
            "{reason}\n\nThese end-to-end tests need {}, installed by \
             `scripts/synapse.sh --flavour {} install`. For an offline local run only, set \
             {E2E_ENV}=skip to skip them.",
            flavour.describe(),
            flavour.name()
        ),
    }
}

fn opted_out() -> bool {
    static NOTICE: OnceLock<()> = OnceLock::new();
    match std::env::var(E2E_ENV).as_deref() {
        Err(_) | Ok("" | "run") => false,
        Ok("skip") => {
            NOTICE.get_or_init(|| {
                // Straight to the process's stderr: `eprintln!` output of a
                // passing test is captured and never shown.
                let _ = writeln!(
                    std::io::stderr(),
                    "\n!!! {E2E_ENV}=skip: the end-to-end tests against Synapse are NOT run; \
                     they pass without testing anything. Never set this in CI. !!!\n"
                );
            });
            true
        }
        Ok(other) => panic!(
            "{E2E_ENV}={other:?} is not understood: leave it unset to run the end-to-end tests, or set it to `skip`"
        ),
    }
}

fn script() -> PathBuf {
    crate::workspace_dir().join("scripts/synapse.sh")
}

fn start(flavour: Flavour) -> Result<Synapse, String> {
    let started = Instant::now();
    install(flavour)?;
    // The flavour is always passed, so that a MATRIX_CSAPI_SYNAPSE_FLAVOUR
    // in the environment cannot swap the server under a test.
    let mut child = Command::new("bash")
        .arg(script())
        .args(["--flavour", flavour.name(), "run"])
        .current_dir(crate::workspace_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| {
            format!(
                "cannot run `bash scripts/synapse.sh --flavour {} run`: {error}",
                flavour.name()
            )
        })?;
    let stdin = child.stdin.take().ok_or("no stdin pipe")?;
    let stdout = child.stdout.take().ok_or("no stdout pipe")?;
    let stderr = drain(child.stderr.take().ok_or("no stderr pipe")?);

    // The script prints `SYNAPSE_URL=...` and `SYNAPSE_DIR=...` once the
    // server answers; afterwards it prints nothing, but keep draining so it
    // can never block or die on a full or closed pipe.
    let (lines_tx, lines_rx) = mpsc::channel::<String>();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let _ = lines_tx.send(line);
        }
    });

    let deadline = Instant::now() + START_TIMEOUT;
    let (mut url, mut dir) = (None, None);
    while url.is_none() || dir.is_none() {
        let remaining = deadline.saturating_duration_since(Instant::now());
        match lines_rx.recv_timeout(remaining) {
            Ok(line) => {
                if let Some(value) = line.strip_prefix("SYNAPSE_URL=") {
                    url = Some(value.to_owned());
                } else if let Some(value) = line.strip_prefix("SYNAPSE_DIR=") {
                    dir = Some(PathBuf::from(value));
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{} did not become ready within {START_TIMEOUT:?}; output of scripts/synapse.sh run:\n{}",
                    flavour.describe(),
                    stderr.text()
                ));
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = wait_bounded(&mut child, Duration::from_secs(30));
                return Err(format!(
                    "scripts/synapse.sh run ended ({}) before Synapse was ready; its output:\n{}",
                    describe(status),
                    stderr.text()
                ));
            }
        }
    }
    let (Some(url), Some(dir)) = (url, dir) else {
        unreachable!("the loop ends only with both set")
    };
    let base_url = BaseUrl::parse(&url)
        .map_err(|error| format!("bad URL {url:?} from the script: {error}"))?;
    Ok(Synapse {
        flavour,
        url,
        base_url,
        dir,
        startup: started.elapsed(),
        _process: Mutex::new((child, stdin)),
    })
}

fn install(flavour: Flavour) -> Result<(), String> {
    let mut child = Command::new("bash")
        .arg(script())
        .args(["--flavour", flavour.name(), "install"])
        .current_dir(crate::workspace_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| {
            format!(
                "cannot run `bash scripts/synapse.sh --flavour {} install`: {error}",
                flavour.name()
            )
        })?;
    let stdout = drain(child.stdout.take().ok_or("no stdout pipe")?);
    let stderr = drain(child.stderr.take().ok_or("no stderr pipe")?);
    let status = wait_bounded(&mut child, INSTALL_TIMEOUT);
    if matches!(status, Some(Ok(status)) if status.success()) {
        return Ok(());
    }
    Err(format!(
        "`scripts/synapse.sh --flavour {} install` failed ({}); its output:\n{}{}",
        flavour.name(),
        describe(status),
        stdout.text(),
        stderr.text()
    ))
}

/// Waits for `child` at most `timeout`, then kills it. `None`: timed out.
fn wait_bounded(child: &mut Child, timeout: Duration) -> Option<std::io::Result<ExitStatus>> {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(Ok(status)),
            Err(error) => return Some(Err(error)),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            Ok(None) => thread::sleep(Duration::from_millis(50)),
        }
    }
}

fn describe(status: Option<std::io::Result<ExitStatus>>) -> String {
    match status {
        Some(Ok(status)) => status.to_string(),
        Some(Err(error)) => format!("cannot wait for it: {error}"),
        None => "timed out and killed".to_owned(),
    }
}

/// Output of a child's pipe, collected by a background thread.
#[derive(Clone, Default)]
struct Collected {
    bytes: Arc<Mutex<Vec<u8>>>,
    closed: Arc<AtomicBool>,
}

impl Collected {
    /// What was read so far, after waiting (at most 2 s) for the pipe to
    /// close, so that the output of a child that just exited is complete.
    fn text(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(2);
        while !self.closed.load(Ordering::Acquire) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(20));
        }
        let bytes = self.bytes.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> Collected {
    let collected = Collected::default();
    let sink = collected.clone();
    thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut buffer) {
            if n == 0 {
                break;
            }
            sink.bytes
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .extend_from_slice(&buffer[..n]);
        }
        sink.closed.store(true, Ordering::Release);
    });
    collected
}
