//! A Matrix client session over the generated client (`matrix-csapi`):
//! access tokens that expire are refreshed before they do (and when the
//! server rejects one), one refresh at a time however many requests need
//! it, and new tokens are persisted before any request uses them.
//!
//! ```no_run
//! use matrix_csapi::whoami::GetTokenOwnerRequest;
//! use matrix_csapi::{BaseUrl, Client};
//! use matrix_csapi::runtime::SecretString;
//! use matrix_csapi_session::{FileStore, Session, SessionOptions};
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::new(BaseUrl::parse("https://matrix.example.org")?);
//! let store = FileStore::new("session.json");
//! let session = match store.load().await? {
//!     // A new process goes on with the stored tokens...
//!     Some(stored) => Session::restore(client, stored, SessionOptions::default(), store)?,
//!     // ...or logs in, asking for a refresh token.
//!     None => {
//!         let password = SecretString::new("the password");
//!         Session::login_with_password(client, "alice", &password, SessionOptions::default(), store)
//!             .await?
//!     }
//! };
//! // Any endpoint; the access token is refreshed as needed.
//! let owner = session.send(&GetTokenOwnerRequest::new()).await?;
//! println!("{}", owner.user_id);
//! # Ok(())
//! # }
//! ```
//!
//! See [`Session`] for what happens when, [`SessionStore`] for persistence,
//! and [`SessionOptions`] for the bounds of every retry. With the cargo
//! feature `unstable-famedly-refresh-lifetime`, a session can ask for the
//! lifetime of its refresh tokens on every refresh
//! (`SessionOptions::with_refresh_token_lifetime`, Famedly's experimental
//! `com.famedly.refresh_token_lifetime_ms`).
//!
//! # Secrets
//!
//! No `Debug` or `Display` output of this crate contains a token or a
//! password: tokens are held as [`AccessToken`](matrix_csapi::runtime::AccessToken)
//! and [`SecretString`](matrix_csapi::runtime::SecretString), and errors
//! come from the runtime (which never prints them) or from the store (which
//! must not). [`StoredSession`] *serializes* the tokens, as it must to be
//! stored.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod error;
mod options;
mod session;
mod store;

pub use error::{
    EndReason, LoginError, LoginRequired, RefreshError, RefreshFailure, SessionError,
    SharedStoreError,
};
#[cfg(feature = "unstable-famedly-refresh-lifetime")]
pub use options::InvalidRefreshTokenLifetime;
pub use options::SessionOptions;
pub use session::{RestoreError, Session};
pub use store::{
    FileStore, FileStoreError, MemoryStore, NoStore, SessionStore, StoreError, StoredSession,
};
