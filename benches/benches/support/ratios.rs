//! The ratio table printed at the end of a bench binary, from the medians
//! criterion wrote in this run (`<target>/criterion/<id>/new/estimates.json`).

use std::path::PathBuf;
use std::time::SystemTime;

/// One line of the table: `measured` against `baseline` (criterion ids as
/// given to `bench_function` inside their group, `group/name`).
pub struct Ratio {
    pub label: &'static str,
    pub measured: &'static str,
    pub baseline: &'static str,
}

/// criterion's output folder, found as criterion finds it: `CRITERION_HOME`,
/// else `CARGO_TARGET_DIR/criterion`, else `criterion/` in the target folder
/// holding this binary (`<target>/release/deps/<bench>-<hash>`).
fn criterion_dir() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return Some(PathBuf::from(home));
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return Some(PathBuf::from(target).join("criterion"));
    }
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.parent()?.parent()?.join("criterion"))
}

/// The median (ns) of `id` if criterion measured it after `since`.
fn median_ns(id: &str, since: SystemTime) -> Option<f64> {
    // criterion turns the `/` of a function id into `_` in folder names.
    let (group, function) = id.split_once('/')?;
    let path = criterion_dir()?
        .join(group)
        .join(function.replace('/', "_"))
        .join("new/estimates.json");
    if std::fs::metadata(&path).ok()?.modified().ok()? < since {
        return None;
    }
    let estimates: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    estimates.pointer("/median/point_estimate")?.as_f64()
}

fn human(ns: f64) -> String {
    match ns {
        ns if ns >= 1e9 => format!("{:.3} s", ns / 1e9),
        ns if ns >= 1e6 => format!("{:.2} ms", ns / 1e6),
        ns if ns >= 1e3 => format!("{:.2} µs", ns / 1e3),
        ns => format!("{ns:.0} ns"),
    }
}

/// Prints `ratios` as a Markdown table; lines whose benchmarks did not run
/// in this run (filtered out) are left out.
pub fn print(title: &str, ratios: &[Ratio], since: SystemTime) {
    let mut lines = Vec::new();
    for ratio in ratios {
        let (Some(measured), Some(baseline)) = (
            median_ns(ratio.measured, since),
            median_ns(ratio.baseline, since),
        ) else {
            continue;
        };
        lines.push(format!(
            "| {} | {} | {} | {:.2}x |",
            ratio.label,
            human(measured),
            human(baseline),
            measured / baseline
        ));
    }
    if lines.is_empty() {
        return;
    }
    println!("\n{title} (medians of this run)\n");
    println!("| | measured | baseline | ratio |");
    println!("| --- | ---: | ---: | ---: |");
    for line in lines {
        println!("{line}");
    }
}
