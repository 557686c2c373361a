//! Persisting a session: what is stored, the hook that stores it, and two
//! stores (a JSON file, memory).

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use matrix_csapi::runtime::{AccessToken, SecretString, duration_ms};
use serde::{Deserialize, Serialize};

use crate::EndReason;

/// The error a [`SessionStore`] returns. Its `Display` is shown in the
/// session's errors, so it must not contain the tokens it was storing.
pub type StoreError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything needed to restore a session in a new process
/// ([`Session::restore`](crate::Session::restore)).
///
/// Serialized (e.g. by [`FileStore`]) it is a JSON object with the tokens in
/// clear text: keep it where only the user can read it. `Debug` shows no
/// token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StoredSession {
    /// The homeserver's base URL, e.g. `https://matrix.example.org`.
    pub homeserver: String,
    /// The fully qualified user ID.
    pub user_id: String,
    /// The device the tokens belong to.
    pub device_id: String,
    /// The access token.
    pub access_token: AccessToken,
    /// The refresh token, when the server gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<SecretString>,
    /// When the access token was received, on the wall clock (a monotonic
    /// clock does not survive a restart).
    #[serde(rename = "issued_at_ms", with = "unix_ms")]
    pub issued_at: SystemTime,
    /// How long the access token lives from `issued_at`, as the server said;
    /// `None`: it does not expire.
    #[serde(
        rename = "expires_in_ms",
        default,
        skip_serializing_if = "Option::is_none",
        with = "duration_ms::option"
    )]
    pub expires_in: Option<Duration>,
}

impl StoredSession {
    /// A stored session from its parts, with `issued_at` set to now.
    pub fn new(
        homeserver: impl Into<String>,
        user_id: impl Into<String>,
        device_id: impl Into<String>,
        access_token: AccessToken,
        refresh_token: Option<SecretString>,
        expires_in: Option<Duration>,
    ) -> Self {
        Self {
            homeserver: homeserver.into(),
            user_id: user_id.into(),
            device_id: device_id.into(),
            access_token,
            refresh_token,
            issued_at: whole_millis(SystemTime::now()),
            expires_in,
        }
    }
}

/// `time` rounded down to what [`StoredSession`] keeps on disk (whole
/// milliseconds), so that a stored session reads back equal; earlier, so
/// never a later expiry.
pub(crate) fn whole_millis(time: SystemTime) -> SystemTime {
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(since) => time - Duration::from_nanos(u64::from(since.subsec_nanos() % 1_000_000)),
        Err(_) => time,
    }
}

/// Where a [`Session`](crate::Session) keeps its tokens so that they survive
/// the process.
///
/// The session calls [`save`](Self::save) with the new tokens after every
/// successful refresh (and after logging in), **before** any request uses
/// them. If `save` fails the new tokens are thrown away and the error is
/// returned to the requests waiting for them: the old refresh token stays
/// valid until a new token is used (the spec says so, and Synapse does it),
/// so the next refresh starts again from what the store last accepted.
///
/// The session calls [`clear`](Self::clear) when it ends: after
/// [`logout`](crate::Session::logout), or when the server rejects the
/// refresh token for good (the user must log in again).
///
/// Calls never overlap for one session (they happen under its refresh
/// lock). Implementations must not put the tokens into their errors.
pub trait SessionStore: Send + Sync + 'static {
    /// Stores `session`, replacing what was stored.
    fn save(&self, session: &StoredSession) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Forgets the stored session; `reason` says why it ended.
    fn clear(&self, reason: &EndReason) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// A store that keeps nothing: the session lives only as long as the
/// process.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoStore;

impl SessionStore for NoStore {
    async fn save(&self, _session: &StoredSession) -> Result<(), StoreError> {
        Ok(())
    }

    async fn clear(&self, _reason: &EndReason) -> Result<(), StoreError> {
        Ok(())
    }
}

/// A store in memory, shared by its clones: for tests, and for
/// applications that persist [`StoredSession`] themselves from
/// [`MemoryStore::get`].
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    slot: Arc<Mutex<Option<StoredSession>>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// What is stored now.
    pub fn get(&self) -> Option<StoredSession> {
        self.slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl SessionStore for MemoryStore {
    async fn save(&self, session: &StoredSession) -> Result<(), StoreError> {
        *self.slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(session.clone());
        Ok(())
    }

    async fn clear(&self, _reason: &EndReason) -> Result<(), StoreError> {
        *self.slot.lock().unwrap_or_else(PoisonError::into_inner) = None;
        Ok(())
    }
}

/// A store in one JSON file.
///
/// `save` writes a temporary file beside it (readable by the owner only, on
/// Unix) and renames it over the file, so a crash leaves either the old or
/// the new session, never half of one. `clear` removes the file.
#[derive(Debug, Clone)]
pub struct FileStore {
    path: PathBuf,
}

/// The errors of [`FileStore`]; they name the file, never its contents.
#[derive(Debug, thiserror::Error)]
pub enum FileStoreError {
    /// Reading, writing, renaming or removing the file failed.
    #[error("session file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a stored session.
    #[error("session file {path} is not a stored session: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong (serde_json's message, which quotes no values).
        message: String,
    },
    /// The session could not be serialized (a duration beyond what Matrix
    /// allows).
    #[error("cannot serialize the session: {0}")]
    Serialize(String),
}

impl FileStore {
    /// A store in the file at `path` (created on the first save).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stored session, or `None` when there is no file.
    pub async fn load(&self) -> Result<Option<StoredSession>, FileStoreError> {
        let bytes = match tokio::fs::read(&self.path).await {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(self.io(source)),
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|error| FileStoreError::Malformed {
                path: self.path.clone(),
                // Only the category and position: serde_json's message can
                // quote the offending input, which may be a token.
                message: format!(
                    "{:?} error at line {} column {}",
                    error.classify(),
                    error.line(),
                    error.column()
                ),
            })
    }

    fn io(&self, source: std::io::Error) -> FileStoreError {
        FileStoreError::Io {
            path: self.path.clone(),
            source,
        }
    }

    fn temporary_path(&self) -> PathBuf {
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(".tmp");
        self.path.with_file_name(name)
    }

    async fn write(&self, session: &StoredSession) -> Result<(), FileStoreError> {
        let json = serde_json::to_vec_pretty(session)
            .map_err(|error| FileStoreError::Serialize(format!("{:?}", error.classify())))?;
        let temporary = self.temporary_path();
        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        options.mode(0o600);
        let mut file = options.open(&temporary).await.map_err(|e| self.io(e))?;
        tokio::io::AsyncWriteExt::write_all(&mut file, &json)
            .await
            .map_err(|e| self.io(e))?;
        // On disk before the rename makes it the session.
        file.sync_all().await.map_err(|e| self.io(e))?;
        drop(file);
        tokio::fs::rename(&temporary, &self.path)
            .await
            .map_err(|e| self.io(e))
    }
}

impl SessionStore for FileStore {
    async fn save(&self, session: &StoredSession) -> Result<(), StoreError> {
        Ok(self.write(session).await?)
    }

    async fn clear(&self, _reason: &EndReason) -> Result<(), StoreError> {
        match tokio::fs::remove_file(&self.path).await {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(self.io(source).into()),
        }
    }
}

/// `SystemTime` as integer milliseconds since the Unix epoch.
mod unix_ms {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use serde::{Deserialize, Deserializer, Serializer, de, ser};

    pub fn serialize<S: Serializer>(value: &SystemTime, serializer: S) -> Result<S::Ok, S::Error> {
        let since_epoch = value
            .duration_since(UNIX_EPOCH)
            .map_err(|_| ser::Error::custom("a time before 1970"))?;
        let millis = u64::try_from(since_epoch.as_millis())
            .map_err(|_| ser::Error::custom("a time too far in the future"))?;
        serializer.serialize_u64(millis)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<SystemTime, D::Error> {
        let millis = u64::deserialize(deserializer)?;
        UNIX_EPOCH
            .checked_add(Duration::from_millis(millis))
            .ok_or_else(|| de::Error::custom("a time too far in the future"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn sample() -> StoredSession {
        StoredSession::new(
            "https://matrix.example.org",
            "@alice:example.org",
            "DEVICE",
            AccessToken::new("syt_secret_access"),
            Some(SecretString::new("syr_secret_refresh")),
            Some(Duration::from_secs(300)),
        )
    }

    #[test]
    fn debug_shows_no_token() {
        let printed = format!("{:?}", sample());
        assert!(!printed.contains("syt_secret_access"), "{printed}");
        assert!(!printed.contains("syr_secret_refresh"), "{printed}");
        assert!(printed.contains("@alice:example.org"), "{printed}");
    }

    #[tokio::test]
    async fn file_store_round_trips_and_clears() {
        let dir =
            std::env::temp_dir().join(format!("matrix-csapi-session-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = FileStore::new(dir.join("session.json"));
        assert_eq!(store.load().await.unwrap(), None);

        let mut session = sample();
        // Millisecond precision on disk.
        session.issued_at = SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        store.save(&session).await.unwrap();
        assert_eq!(store.load().await.unwrap(), Some(session.clone()));
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(store.path()).unwrap()).unwrap();
        assert_eq!(json["issued_at_ms"], 1_700_000_000_123u64);
        assert_eq!(json["expires_in_ms"], 300_000);
        assert_eq!(json["refresh_token"], "syr_secret_refresh");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        store.clear(&EndReason::LoggedOut).await.unwrap();
        assert_eq!(store.load().await.unwrap(), None);
        store.clear(&EndReason::LoggedOut).await.unwrap();

        std::fs::write(store.path(), br#"{"access_token": "syt_leak"#).unwrap();
        let error = store.load().await.unwrap_err().to_string();
        assert!(!error.contains("syt_leak"), "{error}");
        assert!(error.contains("session.json"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
