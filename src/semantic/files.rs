//! Reading config files safely: only regular files, never more than a limit, and never the
//! kernel's virtual files (`/proc`, `/sys`), whose contents are the machine's, not a config's.

use std::io::Read;
use std::path::Path;

/// The most bytes read from one file: a config is kilobytes.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// The most bytes read for one check, included files together.
pub const MAX_TOTAL_BYTES: u64 = 256 * 1024 * 1024;
/// The most files one glob include may read.
pub const MAX_GLOB_MATCHES: usize = 1_000;
/// The most files one check may read.
pub const MAX_FILES: usize = 10_000;

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("is {0}, not a regular file; it is not read")]
    NotRegular(&'static str),
    #[error("is under {0}, the kernel's virtual files; it is not read")]
    Virtual(&'static str),
    #[error("is larger than {limit} bytes; a Redis config is not that large")]
    TooLarge { limit: u64 },
}

fn kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if meta.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Read a file that should be a config: a regular file outside `/proc` and `/sys`, of at most
/// `limit` bytes (checked while reading, whatever its size claims).
pub fn read_config(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let real = std::fs::canonicalize(path)?;
    for root in ["/proc", "/sys"] {
        if real.starts_with(root) {
            return Err(ReadError::Virtual(root));
        }
    }
    let meta = std::fs::metadata(&real)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind(&meta)));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(&real)?
        .take(limit + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// Read standard input, at most `limit` bytes.
pub fn read_stdin(limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    std::io::stdin().take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}
