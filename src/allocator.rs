//! Memory freed after a burst goes back to the operating system.
//!
//! glibc's malloc serves an allocation of 128 KiB or more from a mapping of
//! its own and unmaps it when freed, but each such free raises that
//! threshold to the freed size (up to 32 MiB). After the first password
//! check, argon2's ~19 MiB blocks come from per-thread arenas instead and
//! stay there: a burst of sign-ins left the process gigabytes larger for
//! good. Fixing the threshold (glibc's `MALLOC_MMAP_THRESHOLD_`, read only
//! when a process starts) turns that off. The variable is set by starting
//! the binary again with it, which needs no unsafe code; an operator's own
//! value (or `GLIBC_TUNABLES` naming the threshold) is left alone. Measured
//! in docs/benchmarks.md, against mimalloc, which kept more.

/// The environment variable glibc reads the threshold from.
pub const MMAP_THRESHOLD: &str = "MALLOC_MMAP_THRESHOLD_";

/// glibc's own initial threshold (128 KiB), kept from rising.
pub const MMAP_THRESHOLD_BYTES: &str = "131072";

/// Restarts the process with the threshold fixed, unless it already is.
/// Returns only when it did not restart (set already, not glibc, or the
/// restart failed, which is reported). Call first thing in `main`, before
/// any thread starts.
pub fn fix_mmap_threshold() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::os::unix::process::CommandExt;

        let tuned = std::env::var("GLIBC_TUNABLES").is_ok_and(|t| t.contains("mmap_threshold"));
        if std::env::var_os(MMAP_THRESHOLD).is_some() || tuned {
            return;
        }
        let Ok(exe) = std::env::current_exe() else {
            return;
        };
        let mut args = std::env::args_os();
        let mut again = std::process::Command::new(exe);
        if let Some(name) = args.next() {
            again.arg0(name);
        }
        let failed = again
            .args(args)
            .env(MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
            .exec();
        eprintln!(
            "warning: could not restart with {MMAP_THRESHOLD} set ({failed}); memory freed after bursts may not return to the system"
        );
    }
}
