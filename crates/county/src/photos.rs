//! Photo bytes, outside PostgreSQL: content-addressed objects in an object store (the
//! `object_store` crate): a local directory by default (each object written, fsynced and
//! renamed into place), or any S3-compatible store (MinIO, Aliyun OSS, Ceph) so several
//! county servers of a province can share one. PostgreSQL keeps what an upload is and how far
//! it got (`db::uploads`); the bytes live here:
//!
//! - `parts/{team}/{sha256}/{id}`: what one `PATCH` brought, written as it arrives. Each part
//!   has a key of its own, so a part written by a request that then lost its race (another
//!   server took the offset first) is never what the database points at.
//! - `photos/{sha256[..2]}/{sha256}`: a complete photo, written only after its bytes were
//!   checked against the hash; the same bytes for every team that sends them.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use object_store::buffered::BufWriter;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use uuid::Uuid;

/// Bytes a part's writer holds before it starts a multipart upload: S3's smallest part, so a
/// `PATCH` of any length streams to the store with at most this much in memory.
pub const WRITE_BUFFER: usize = 5 * 1024 * 1024;

/// `NotFound` as `None`.
fn found<T>(result: object_store::Result<T>) -> Result<Option<T>, PhotoStoreError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(object_store::Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Why the photo store failed.
#[derive(Debug, thiserror::Error)]
pub enum PhotoStoreError {
    /// The store refused or could not be reached.
    #[error("photo store: {0}")]
    Store(#[from] object_store::Error),
    /// Reading or writing a stream of bytes failed.
    #[error("photo store: {0}")]
    Io(#[from] std::io::Error),
    /// The configured location is not one this server can open.
    #[error("photo store location {location:?}: {reason}")]
    Location {
        /// What was configured.
        location: String,
        /// What is wrong with it and how to fix it.
        reason: String,
    },
}

/// Where photo bytes are kept.
#[derive(Clone, Debug)]
pub struct PhotoStore {
    store: Arc<dyn ObjectStore>,
}

impl PhotoStore {
    /// Opens a store: `s3://bucket[/prefix]` (endpoint, keys and region from the usual `AWS_*`
    /// variables: `AWS_ENDPOINT`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`,
    /// `AWS_ALLOW_HTTP`), or a local directory (`file:///path` or a plain path), created if
    /// missing.
    pub fn open(location: &str) -> Result<Self, PhotoStoreError> {
        let bad = |reason: String| PhotoStoreError::Location { location: location.into(), reason };
        let store: Arc<dyn ObjectStore> = if location.starts_with("s3://") {
            crate::app::tls_provider();
            let s3 = object_store::aws::AmazonS3Builder::from_env().with_url(location).build().map_err(|e| bad(e.to_string()))?;
            match location.trim_start_matches("s3://").split_once('/') {
                Some((_, prefix)) if !prefix.trim_matches('/').is_empty() => {
                    Arc::new(object_store::prefix::PrefixStore::new(s3, prefix.trim_matches('/')))
                }
                _ => Arc::new(s3),
            }
        } else if location.contains("://") && !location.starts_with("file://") {
            return Err(bad("use s3://bucket/prefix or a directory".into()));
        } else {
            let dir = location.trim_start_matches("file://");
            std::fs::create_dir_all(dir).map_err(|e| bad(format!("cannot create the directory: {e}")))?;
            let fs = object_store::local::LocalFileSystem::new_with_prefix(dir).map_err(|e| bad(e.to_string()))?;
            Arc::new(fs.with_fsync(true).with_automatic_cleanup(true))
        };
        Ok(Self { store })
    }

    /// A store in memory: tests and benchmarks only.
    pub fn memory() -> Self {
        Self { store: Arc::new(object_store::memory::InMemory::new()) }
    }

    /// A new, unique key for a part of a team's upload.
    pub fn part_key(team: Uuid, sha: &str) -> String {
        format!("parts/{team}/{sha}/{}", Uuid::now_v7())
    }

    fn photo_path(sha: &str) -> Path {
        Path::from(format!("photos/{}/{sha}", sha.get(..2).unwrap_or("xx")))
    }

    /// A writer that streams bytes to `key`; nothing is visible there until it is shut down.
    /// At most two parts go to the store at once: ≈ 15 MiB in memory per writer.
    pub fn writer(&self, key: &str) -> BufWriter {
        BufWriter::with_capacity(self.store.clone(), Path::from(key), WRITE_BUFFER).with_max_concurrency(2)
    }

    /// A writer for the complete photo `sha`.
    pub fn photo_writer(&self, sha: &str) -> BufWriter {
        self.writer(Self::photo_path(sha).as_ref())
    }

    /// The bytes at `key`, as they stream from the store.
    pub async fn read(&self, key: &str) -> Result<BoxStream<'static, object_store::Result<Bytes>>, PhotoStoreError> {
        Ok(self.store.get(&Path::from(key)).await?.into_stream())
    }

    /// A complete photo's bytes as they stream from the store, if it is there.
    pub async fn photo(&self, sha: &str) -> Result<Option<BoxStream<'static, object_store::Result<Bytes>>>, PhotoStoreError> {
        Ok(found(self.store.get(&Self::photo_path(sha)).await)?.map(|got| got.into_stream()))
    }

    /// A complete photo's bytes, whole (tests, the console's thumbnails are small).
    pub async fn photo_bytes(&self, sha: &str) -> Result<Option<Bytes>, PhotoStoreError> {
        match found(self.store.get(&Self::photo_path(sha)).await)? {
            Some(got) => Ok(Some(got.bytes().await?)),
            None => Ok(None),
        }
    }

    /// Whether the complete photo is there.
    pub async fn has_photo(&self, sha: &str) -> Result<bool, PhotoStoreError> {
        Ok(found(self.store.head(&Self::photo_path(sha)).await)?.is_some())
    }

    /// Writes a whole object at once (moving photos out of PostgreSQL).
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), PhotoStoreError> {
        self.store.put(&Path::from(key), PutPayload::from(bytes)).await?;
        Ok(())
    }

    /// Writes a complete photo at once; only for bytes already checked against `sha`.
    pub async fn put_photo(&self, sha: &str, bytes: Vec<u8>) -> Result<(), PhotoStoreError> {
        self.put(Self::photo_path(sha).as_ref(), bytes).await
    }

    /// Part objects older than `before` (the database decides which of them are still needed).
    pub async fn parts_before(&self, before: chrono::DateTime<chrono::Utc>) -> Result<Vec<String>, PhotoStoreError> {
        let mut listed = self.store.list(Some(&Path::from("parts")));
        let mut old = Vec::new();
        while let Some(meta) = listed.next().await {
            let meta = meta?;
            if meta.last_modified < before {
                old.push(meta.location.to_string());
            }
        }
        Ok(old)
    }

    /// Deletes parts no longer needed. A part left behind (the server stopped first, or this
    /// failed) is named by no row, never read, and swept at the next start
    /// ([`crate::admin::sweep_parts`]); a failure here is logged, not raised.
    pub async fn forget(&self, keys: &[String]) {
        for key in keys {
            match self.store.delete(&Path::from(key.as_str())).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => tracing::warn!(%key, error = %e, "photo store: a finished part was not deleted"),
            }
        }
    }
}
