//! The peak resident memory of the running bench, shared by the benches that report it.

/// The peak resident set size so far, in MB, from the kernel's own account.
#[cfg(target_os = "linux")]
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse::<f64>()
        .ok()?;
    Some(kb / 1024.0)
}

/// Elsewhere the figure is not measured: the kernel's account read here is Linux's.
#[cfg(not(target_os = "linux"))]
pub fn peak_rss_mb() -> Option<f64> {
    None
}
