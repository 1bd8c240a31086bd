//! `cargo xtask bench`: figures, never assertions. Prints a table and writes bench-results/latest.json.

use crate::{compress, dev, root, tools};
use std::fmt::Write as _;

pub fn run(_flags: &[String]) -> Result<(), String> {
    tools::setup(false)?;
    dev::build_dist()?;
    let sizes = size_figures()?;
    let mut table = String::from("\nbundle size (release build, dist/)\n");
    let _ = writeln!(
        table,
        "  {:<28} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip", "brotli"
    );
    let mut json_rows = Vec::new();
    for row in &sizes {
        let _ = writeln!(
            table,
            "  {:<28} {:>8.1}Ki {:>8.1}Ki {:>8.1}Ki",
            row.name,
            kib(row.raw),
            kib(row.gzip),
            kib(row.brotli)
        );
        json_rows.push(format!(
            "{{\"file\":\"{}\",\"raw\":{},\"gzip\":{},\"brotli\":{}}}",
            row.name, row.raw, row.gzip, row.brotli
        ));
    }
    print!("{table}");
    let dir = root().join("bench-results");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let json = format!("{{\"size\":[{}]}}\n", json_rows.join(","));
    let out = dir.join("latest.json");
    std::fs::write(&out, json).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    println!("\nwrote {}", out.display());
    Ok(())
}

struct SizeRow {
    name: String,
    raw: usize,
    gzip: usize,
    brotli: usize,
}

fn kib(bytes: usize) -> f64 {
    bytes as f64 / 1024.0
}

/// The wasm and JS glue of the release build, plus their total.
fn size_figures() -> Result<Vec<SizeRow>, String> {
    let dist = root().join("dist");
    let entries =
        std::fs::read_dir(&dist).map_err(|e| format!("cannot read {}: {e}", dist.display()))?;
    let mut rows = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "wasm" | "js") {
            continue;
        }
        let bytes =
            std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let name = if ext == "wasm" {
            "app .wasm"
        } else {
            "JS glue"
        };
        rows.push(SizeRow {
            name: name.to_string(),
            raw: bytes.len(),
            gzip: compress::gzip(&bytes).len(),
            brotli: compress::brotli(&bytes).len(),
        });
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.raw));
    let total = SizeRow {
        name: "total".to_string(),
        raw: rows.iter().map(|r| r.raw).sum(),
        gzip: rows.iter().map(|r| r.gzip).sum(),
        brotli: rows.iter().map(|r| r.brotli).sum(),
    };
    rows.push(total);
    Ok(rows)
}
