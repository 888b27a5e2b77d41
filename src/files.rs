//! Where the content of evidence is kept: by its SHA-256, one copy for
//! identical files, behind [`ContentStore`], which a store on S3 (or any
//! object store) can implement as well as [`LocalStore`] does on disk.
//!
//! An upload is written to a staging file first, hashed as it arrives, and
//! kept under its hash only once it is complete and accepted; the database
//! row that refers to it is written after that. So content a committed row
//! refers to is always there, and what a failed or killed upload leaves is
//! a staging file or unreferenced content, which the cleanup job
//! (`jobs::evidence`) removes once it is older than its grace period.
//!
//! All methods block; call them from a blocking task.

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Content kept by hash, and staging for uploads in progress.
pub trait ContentStore: Send + Sync + 'static {
    /// A new, empty staging file for an upload, and where it is.
    fn stage(&self) -> io::Result<(PathBuf, std::fs::File)>;
    /// Keeps the staged file's content under `sha256` (its hash, which the
    /// caller computed), or, if that content is kept already, marks it as
    /// just used. The staging file stays until [`ContentStore::discard`].
    fn keep(&self, staged: &Path, sha256: &str) -> io::Result<()>;
    /// Removes a staging file (gone already is fine).
    fn discard(&self, staged: &Path) -> io::Result<()>;
    /// Reads the content kept under `sha256`.
    fn open(&self, sha256: &str) -> io::Result<Box<dyn Read + Send>>;
    /// Every content hash kept, with when it was last kept.
    fn contents(&self) -> io::Result<Vec<(String, SystemTime)>>;
    /// When the content under `sha256` was last kept, if it is.
    fn kept_at(&self, sha256: &str) -> io::Result<Option<SystemTime>>;
    /// Removes the content under `sha256` (gone already is fine).
    fn remove(&self, sha256: &str) -> io::Result<()>;
    /// Every staging file (and anything else an interrupted write left),
    /// with when it was last written.
    fn staged(&self) -> io::Result<Vec<(PathBuf, SystemTime)>>;
}

/// Runs store work on the blocking pool; its failure is the service's,
/// never the client's (logged, answered 500).
pub async fn on_store<T: Send + 'static>(
    f: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> crate::error::ApiResult<T> {
    let failed = |e: &dyn std::fmt::Display| {
        crate::error::ApiError::Internal(anyhow::anyhow!("evidence store: {e}"))
    };
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| failed(&e))?
        .map_err(|e| failed(&e))
}

/// The store the settings name (`evidence_dir`).
pub fn store_for(settings: &crate::config::Settings) -> std::sync::Arc<dyn ContentStore> {
    std::sync::Arc::new(LocalStore::new(&settings.evidence_dir))
}

/// Whether `s` is a SHA-256 in lower-case hex: nothing else ever becomes
/// part of a path.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A [`ContentStore`] in a folder: `sha256/ab/abcdef…` for content,
/// `staging/*.part` for uploads in progress.
#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    /// A store in `root` (created when first written to).
    pub fn new(root: impl Into<PathBuf>) -> LocalStore {
        LocalStore { root: root.into() }
    }

    fn staging(&self) -> PathBuf {
        self.root.join("staging")
    }

    /// Every file under `sha256/`, content or half-placed.
    fn content_files(&self) -> io::Result<Vec<(PathBuf, SystemTime)>> {
        let top = match std::fs::read_dir(self.root.join("sha256")) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut out = Vec::new();
        for dir in top {
            out.extend(listing(&dir?.path())?);
        }
        Ok(out)
    }

    fn path_of(&self, sha256: &str) -> io::Result<PathBuf> {
        if !is_sha256(sha256) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a SHA-256"));
        }
        Ok(self.root.join("sha256").join(&sha256[..2]).join(sha256))
    }
}

fn gone_is_fine(r: io::Result<()>) -> io::Result<()> {
    match r {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// The files in `dir` with their times; a file gone while it is listed
/// (an upload finishing) is left out.
fn listing(dir: &Path) -> io::Result<Vec<(PathBuf, SystemTime)>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry?;
        let meta = match entry.metadata() {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        if meta.is_file() {
            out.push((entry.path(), meta.modified()?));
        }
    }
    Ok(out)
}

impl ContentStore for LocalStore {
    fn stage(&self) -> io::Result<(PathBuf, std::fs::File)> {
        std::fs::create_dir_all(self.staging())?;
        let path = self
            .staging()
            .join(format!("{}.part", uuid::Uuid::now_v7().simple()));
        let file = std::fs::File::create_new(&path)?;
        Ok((path, file))
    }

    fn keep(&self, staged: &Path, sha256: &str) -> io::Result<()> {
        let target = self.path_of(sha256)?;
        let now = SystemTime::now();
        match std::fs::File::options().append(true).open(&target) {
            // Used again: the cleanup job measures its grace from now.
            Ok(file) => return file.set_modified(now),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir)?;
        }
        // A second name for the staged file, made whole under a temporary
        // name and renamed, so the content path never shows a partial file.
        let temporary = target.with_extension(format!("{}.tmp", uuid::Uuid::now_v7().simple()));
        let placed = (|| {
            if std::fs::hard_link(staged, &temporary).is_err() {
                std::fs::copy(staged, &temporary)?;
                std::fs::File::open(&temporary)?.sync_all()?;
            }
            // The hard link shares the staged file's time: set it to now.
            std::fs::File::options()
                .append(true)
                .open(&temporary)?
                .set_modified(now)?;
            std::fs::rename(&temporary, &target)
        })();
        if placed.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        placed
    }

    fn discard(&self, staged: &Path) -> io::Result<()> {
        gone_is_fine(std::fs::remove_file(staged))
    }

    fn open(&self, sha256: &str) -> io::Result<Box<dyn Read + Send>> {
        Ok(Box::new(std::fs::File::open(self.path_of(sha256)?)?))
    }

    fn contents(&self) -> io::Result<Vec<(String, SystemTime)>> {
        Ok(self
            .content_files()?
            .into_iter()
            .filter_map(|(path, at)| {
                let name = path.file_name()?.to_str()?;
                is_sha256(name).then(|| (name.to_string(), at))
            })
            .collect())
    }

    fn kept_at(&self, sha256: &str) -> io::Result<Option<SystemTime>> {
        match std::fs::metadata(self.path_of(sha256)?) {
            Ok(m) => Ok(Some(m.modified()?)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn remove(&self, sha256: &str) -> io::Result<()> {
        gone_is_fine(std::fs::remove_file(self.path_of(sha256)?))
    }

    fn staged(&self) -> io::Result<Vec<(PathBuf, SystemTime)>> {
        // Uploads in progress, and content half placed by a process that died.
        let mut out = listing(&self.staging())?;
        out.extend(
            self.content_files()?
                .into_iter()
                .filter(|(p, _)| p.extension().is_some_and(|e| e == "tmp")),
        );
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn sha(n: u8) -> String {
        format!("{:02x}", n).repeat(32)
    }

    #[test]
    fn content_is_kept_once_by_hash_and_staging_is_separate() {
        let root = std::env::temp_dir().join(format!("ombud-files-{}", uuid::Uuid::new_v4()));
        let store = LocalStore::new(&root);
        let (path, mut file) = store.stage().unwrap();
        file.write_all(b"receipt").unwrap();
        drop(file);
        store.keep(&path, &sha(1)).unwrap();
        // The same content again: still one copy.
        let (again, mut file) = store.stage().unwrap();
        file.write_all(b"receipt").unwrap();
        store.keep(&again, &sha(1)).unwrap();
        assert_eq!(store.staged().unwrap().len(), 2);
        store.discard(&path).unwrap();
        store.discard(&again).unwrap();
        store.discard(&again).unwrap();
        assert!(store.staged().unwrap().is_empty());
        let kept = store.contents().unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].0, sha(1));
        let mut read = String::new();
        store
            .open(&sha(1))
            .unwrap()
            .read_to_string(&mut read)
            .unwrap();
        assert_eq!(read, "receipt");
        store.remove(&sha(1)).unwrap();
        store.remove(&sha(1)).unwrap();
        assert_eq!(store.kept_at(&sha(1)).unwrap(), None);
        let _ = std::fs::remove_dir_all(root);
    }

    #[test]
    fn nothing_but_a_hash_becomes_a_path() {
        let store = LocalStore::new("/nonexistent");
        for bad in ["../../etc/passwd", "", &"A".repeat(64), &"0".repeat(63)] {
            assert!(store.open(bad).is_err(), "{bad}");
            assert!(store.remove(bad).is_err(), "{bad}");
        }
    }
}
