//! Where the bytes of a wasm build go: the release build *before* wasm-bindgen and wasm-opt (the `.wasm`
//! cargo leaves in `target/wasm32-unknown-unknown/release`, whose `name` section still names every
//! function), its function bodies summed by the crate of their demangled name, and its data segments.
//!
//! Raw bytes, not gzip: wasm-opt later inlines, merges and drops code, so the parts do not add up to the
//! shipped size, but they move with it and say which crate (or which Yew machinery) a change grew or cut.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use wasmparser::{KnownCustom, Name, Parser, Payload, TypeRef};

/// The parts of the table, in order: a label and the path prefixes it takes (the first part whose prefix
/// matches a function's path gets it). Paths not listed fall into "other crates".
const PARTS: [(&str, &[&str]); 10] = [
    (
        "yew::html::component::lifecycle",
        &["yew::html::component::lifecycle"],
    ),
    ("yew (the rest)", &["yew"]),
    ("yew_router", &["yew_router"]),
    // The bare app's own code is crate `floor`, the minimal example's `lanyard_example`.
    (
        "own code (lanyard / example / floor)",
        &["lanyard", "lanyard_example", "floor"],
    ),
    ("lanyard_client", &["lanyard_client"]),
    ("lanyard_yew", &["lanyard_yew"]),
    ("alloc + core + std", &["alloc", "core", "std"]),
    ("serde_json + serde", &["serde_json", "serde", "serde_core"]),
    (
        "wasm-bindgen, js-sys, web-sys, gloo",
        &[
            "wasm_bindgen",
            "wasm_bindgen_futures",
            "js_sys",
            "web_sys",
            "gloo_net",
            "gloo_timers",
            "gloo_utils",
            "gloo_events",
            "gloo_history",
            "gloo_console",
        ],
    ),
    // wasm-bindgen runs these at build time to learn the bindings' types, then deletes them.
    ("wasm-bindgen descriptors (dropped later)", &[DESCRIBE]),
];
const DESCRIBE: &str = "__wbindgen_describe";
/// Lanyard's crates, whose largest functions the table lists.
const OURS: [&str; 4] = [
    "lanyard",
    "lanyard_example",
    "lanyard_client",
    "lanyard_yew",
];
const OTHER: &str = "other crates";

/// One part: its bytes and how many functions (0 for the data segments).
#[derive(Clone, Copy, Default, Debug, PartialEq)]
pub struct Part {
    pub bytes: usize,
    pub functions: usize,
}

/// A build's breakdown.
#[derive(Default, Debug)]
pub struct Breakdown {
    /// Indexed like [`PARTS`], then "other crates".
    pub parts: Vec<Part>,
    pub data: usize,
    /// The largest functions of Lanyard's code (the app or example and the two crates), largest first.
    pub largest_own: Vec<(String, usize)>,
    /// The largest crates in "other crates".
    pub others: Vec<(String, usize)>,
}

impl Breakdown {
    fn total(&self) -> usize {
        self.parts.iter().map(|p| p.bytes).sum::<usize>() + self.data
    }
}

/// The pre-wasm-bindgen wasm of `bin`, as cargo left it.
pub fn cargo_wasm(bin: &str) -> PathBuf {
    crate::target_dir()
        .join("wasm32-unknown-unknown")
        .join("release")
        .join(format!("{bin}.wasm"))
}

/// Reads and sorts the wasm at `path`.
pub fn of(path: &Path) -> Result<Breakdown, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn parse(wasm: &[u8]) -> Result<Breakdown, String> {
    let mut imported = 0_u32;
    let mut bodies = Vec::new();
    let mut names = HashMap::new();
    let mut data = 0;
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(|e| e.to_string())? {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    if let TypeRef::Func(_) = import.map_err(|e| e.to_string())?.ty {
                        imported += 1;
                    }
                }
            }
            Payload::CodeSectionEntry(body) => bodies.push(body.range().len()),
            Payload::DataSection(reader) => {
                for segment in reader {
                    data += segment.map_err(|e| e.to_string())?.data.len();
                }
            }
            Payload::CustomSection(section) => {
                if let KnownCustom::Name(reader) = section.as_known() {
                    for subsection in reader {
                        if let Name::Function(map) = subsection.map_err(|e| e.to_string())? {
                            for naming in map {
                                let naming = naming.map_err(|e| e.to_string())?;
                                names.insert(naming.index, naming.name);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if names.is_empty() {
        return Err("no `name` section: the build strips symbol names (profile `strip`?)".into());
    }
    let mut out = Breakdown {
        parts: vec![Part::default(); PARTS.len() + 1],
        data,
        ..Breakdown::default()
    };
    let mut own = Vec::new();
    let mut others: HashMap<String, usize> = HashMap::new();
    for (i, size) in bodies.into_iter().enumerate() {
        let index = imported + i as u32;
        let demangled = names
            .get(&index)
            .map(|name| format!("{:#}", rustc_demangle::demangle(name)))
            .unwrap_or_default();
        let path = owner(&demangled);
        let part = PARTS
            .iter()
            .position(|(_, prefixes)| prefixes.iter().any(|p| under(path, p)))
            .unwrap_or(PARTS.len());
        out.parts[part].bytes += size;
        out.parts[part].functions += 1;
        if OURS.iter().any(|krate| under(path, krate)) {
            own.push((demangled, size));
        } else if part == PARTS.len() {
            let krate = path.split("::").next().unwrap_or(path);
            *others.entry(krate.to_string()).or_default() += size;
        }
    }
    own.sort_by_key(|(_, size)| std::cmp::Reverse(*size));
    own.truncate(8);
    out.largest_own = own;
    let mut others: Vec<_> = others.into_iter().collect();
    others.sort_by_key(|(_, size)| std::cmp::Reverse(*size));
    others.truncate(4);
    out.others = others;
    Ok(out)
}

/// Whether `path` is `prefix` or inside it (`yew` holds `yew::html`, not `yew_router`).
fn under(path: &str, prefix: &str) -> bool {
    if prefix == DESCRIBE {
        return path.starts_with(DESCRIBE);
    }
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
}

/// The path a function belongs to: `a::b::f` → `a::b::f`; `<T as Trait>::f` and `<T>::f` → `T`'s path
/// (a monomorphised impl is the type's code); when `T` is not a path (`&T`, a bare parameter, a tuple),
/// the trait's.
fn owner(demangled: &str) -> &str {
    let Some(inner) = demangled.strip_prefix('<') else {
        let path = leading_path(demangled);
        let first = path.split("::").next().unwrap_or(path);
        return if PRIMITIVES.contains(&first) {
            "core"
        } else {
            path
        };
    };
    // The self type ends at ` as ` or at the `>` that closes the opening `<`, whichever comes first at depth 0.
    let mut depth = 0_usize;
    let mut end = inner.len();
    let mut trait_start = None;
    for (i, c) in inner.char_indices() {
        match c {
            '<' | '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            '>' if depth == 0 => {
                end = i;
                break;
            }
            '>' => depth -= 1,
            ' ' if depth == 0 && inner[i..].starts_with(" as ") => {
                end = i;
                trait_start = Some(i + 4);
                break;
            }
            _ => {}
        }
    }
    let self_type = leading_path(strip_pointers(&inner[..end]));
    if self_type.contains("::") {
        return self_type;
    }
    if PRIMITIVES.contains(&self_type) {
        return "core";
    }
    match trait_start {
        Some(start) => leading_path(&inner[start..]),
        None => self_type,
    }
}

/// Types whose inherent methods live in `core`.
const PRIMITIVES: [&str; 16] = [
    "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64",
    "i128", "f32", "f64",
];

fn strip_pointers(mut ty: &str) -> &str {
    loop {
        let before = ty;
        for prefix in [
            "&", "mut ", "*const ", "*mut ", "dyn ", "[", "(", "'_ ", "'a ",
        ] {
            ty = ty.strip_prefix(prefix).unwrap_or(ty);
        }
        if ty == before {
            return ty;
        }
    }
}

/// The leading `a::b::c` of a name, without generic arguments (`a::b<T>::c` → `a::b`).
fn leading_path(name: &str) -> &str {
    let end = name
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(name.len());
    name[..end].trim_end_matches(':')
}

fn kb(bytes: usize) -> f64 {
    bytes as f64 / 1000.0
}

fn cell(part: Option<Part>) -> String {
    match part {
        Some(p) if p.functions > 0 => format!("{:>7.1} KB {:>5}", kb(p.bytes), p.functions),
        Some(p) => format!("{:>7.1} KB {:>5}", kb(p.bytes), ""),
        None => format!("{:>16}", "—"),
    }
}

fn difference(
    app: &Breakdown,
    floor: Option<&Breakdown>,
    pick: impl Fn(&Breakdown) -> usize,
) -> String {
    match floor {
        Some(floor) => format!("{:>+8.1} KB", kb(pick(app)) - kb(pick(floor))),
        None => String::new(),
    }
}

/// A build's breakdown (`label`: "the app", "the example") next to the bare Yew app's, with its largest
/// functions of Lanyard's code.
pub fn table(
    label: &str,
    app: &Result<Breakdown, String>,
    floor: &Result<Breakdown, String>,
) -> String {
    let mut out = format!(
        "\nwhere the bytes of {label} go: release wasm before wasm-bindgen and wasm-opt, raw function \
         bodies by crate\n"
    );
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            let _ = writeln!(out, "  no breakdown of {label}: {e}");
            return out;
        }
    };
    let floor = match floor {
        Ok(floor) => Some(floor),
        Err(e) => {
            let _ = writeln!(out, "  no breakdown of the bare Yew app: {e}");
            None
        }
    };
    let _ = writeln!(
        out,
        "  {:<42} {:>16} {:>16} {:>11}",
        "part (raw bytes, function count)", label, "bare Yew app", "difference"
    );
    let labels = PARTS.iter().map(|(label, _)| *label).chain([OTHER]);
    for (i, label) in labels.enumerate() {
        let _ = writeln!(
            out,
            "  {label:<42} {} {} {}",
            cell(Some(app.parts[i])),
            cell(floor.map(|f| f.parts[i])),
            difference(app, floor, |b| b.parts[i].bytes)
        );
    }
    let data = |b: &Breakdown| Part {
        bytes: b.data,
        functions: 0,
    };
    let _ = writeln!(
        out,
        "  {:<42} {} {} {}",
        "data segments (strings, tables)",
        cell(Some(data(app))),
        cell(floor.map(data)),
        difference(app, floor, |b| b.data)
    );
    let total = |b: &Breakdown| Part {
        bytes: b.total(),
        functions: b.parts.iter().map(|p| p.functions).sum(),
    };
    let _ = writeln!(
        out,
        "  {:<42} {} {} {}",
        "total",
        cell(Some(total(app))),
        cell(floor.map(total)),
        difference(app, floor, Breakdown::total)
    );
    if !app.others.is_empty() {
        let list: Vec<String> = app
            .others
            .iter()
            .map(|(name, bytes)| format!("{name} {:.1}", kb(*bytes)))
            .collect();
        let _ = writeln!(
            out,
            "  other crates in {label}, largest (KB): {}",
            list.join(", ")
        );
    }
    let _ = writeln!(out, "  the largest functions of Lanyard's code in {label}:");
    for (name, bytes) in &app.largest_own {
        let _ = writeln!(out, "    {:>7.1} KB  {}", kb(*bytes), shorten(name, 100));
    }
    out
}

fn shorten(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        return name.to_string();
    }
    let cut: String = name.chars().take(max - 1).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests;
