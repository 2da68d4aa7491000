//! The multi-error deserialiser: TOML text → table → raw structs, reporting every type problem.
//!
//! serde stops at the first problem. To report every problem of a table at once, the field that
//! failed (a wrong type, an unknown name, a value outside a closed set) is removed from a copy and
//! deserialisation is tried again, until it succeeds or a problem cannot be removed. Sections and
//! the elements of array sections are deserialised one by one, so a type error in `zones[3]` does
//! not hide one in `legevakt[1]`.

use crate::input::problem::{LoadError, Problems};
use serde::de::DeserializeOwned;
use serde_path_to_error::Segment;

/// How many problems of one table are reported before giving up on it.
const MAX_RETRIES: usize = 64;

/// Add a "how to fix" hint to a serde message (without the location the TOML deserialiser
/// appends on a second line: the path says where).
fn serde_hint(msg: &str) -> String {
    let msg = msg.lines().next().unwrap_or_default().trim();
    if msg.starts_with("unknown field") {
        format!("{msg} — remove it or correct the spelling")
    } else if msg.starts_with("missing field") {
        format!("{msg} — add it (see models/README.md for its meaning and unit)")
    } else if msg.starts_with("unknown variant") {
        format!("{msg} — use one of the values listed")
    } else if msg.starts_with("invalid type") || msg.starts_with("invalid value") {
        format!("{msg} — write a value of the expected type")
    } else {
        msg.to_string()
    }
}

/// Join a field path inside a value to the path of the value.
fn join(path: &str, inner: &str) -> String {
    if inner == "." || inner.is_empty() {
        path.to_string()
    } else if inner.starts_with('[') || path.is_empty() {
        format!("{path}{inner}")
    } else {
        format!("{path}.{inner}")
    }
}

/// Deserialize one TOML value into `T`, reporting every type problem under `path`. Returns
/// `None` if any problem was found (the value is then not used).
pub fn de<T: DeserializeOwned>(v: toml::Value, path: &str, p: &mut Problems) -> Option<T> {
    let mut v = v;
    let mut removed: Vec<String> = Vec::new();
    for _ in 0..MAX_RETRIES {
        let err = match serde_path_to_error::deserialize::<_, T>(v.clone()) {
            Ok(t) => return removed.is_empty().then_some(t),
            Err(e) => e,
        };
        let inner = err.path().to_string();
        let msg = err.inner().to_string();
        if let Some(rest) = msg.strip_prefix("missing field `") {
            // A field we removed ourselves is "missing" now: already reported.
            let field = rest.split('`').next().unwrap_or_default();
            let full = join(
                path,
                &if inner == "." || inner.is_empty() {
                    field.to_string()
                } else {
                    format!("{inner}.{field}")
                },
            );
            if !removed.contains(&full) {
                p.push(join(path, &inner), serde_hint(&msg));
            }
            return None;
        }
        let full = join(path, &inner);
        p.push(full.clone(), serde_hint(&msg));
        let segs: Vec<Segment> = err.path().iter().cloned().collect();
        if !remove_at(&mut v, &segs) {
            return None;
        }
        removed.push(full);
    }
    None
}

/// Remove the map entry at `segs` (only when the path ends in a map key; list entries are not
/// removed, which would shift the positions reported for the entries after them).
fn remove_at(v: &mut toml::Value, segs: &[Segment]) -> bool {
    let Some((last, init)) = segs.split_last() else {
        return false;
    };
    let mut cur = v;
    for s in init {
        cur = match (s, cur) {
            (Segment::Map { key }, toml::Value::Table(t)) => match t.get_mut(key) {
                Some(x) => x,
                None => return false,
            },
            (Segment::Seq { index }, toml::Value::Array(a)) => match a.get_mut(*index) {
                Some(x) => x,
                None => return false,
            },
            _ => return false,
        };
    }
    match (last, cur) {
        (Segment::Map { key }, toml::Value::Table(t)) => t.remove(key).is_some(),
        _ => false,
    }
}

/// One element of an array-of-tables section: its `name` (when readable) and its value (when
/// it deserialised without problems).
pub struct Element<T> {
    /// `name = "…"` of the element, if it is a string.
    pub name: Option<String>,
    /// The element, `None` when it had problems (reported).
    pub value: Option<T>,
}

/// Take an array-of-tables section, deserializing each element separately.
pub fn de_array<T: DeserializeOwned>(
    v: Option<toml::Value>,
    key: &str,
    p: &mut Problems,
) -> Vec<Element<T>> {
    let Some(v) = v else { return Vec::new() };
    let toml::Value::Array(items) = v else {
        p.push(
            key,
            format!("expected an array of tables — write each entry as [[{key}]]"),
        );
        return Vec::new();
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| Element {
            name: item
                .get("name")
                .and_then(|n| n.as_str())
                .map(|s| s.to_string()),
            value: de(item, &format!("{key}[{i}]"), p),
        })
        .collect()
}

/// A value of a closed set: `Some` when valid, else the problem is reported at `path`.
pub fn closed<T: Copy>(
    v: &crate::base::closed::Closed<T>,
    path: &str,
    p: &mut Problems,
) -> Option<T> {
    match v.get() {
        Ok(x) => Some(*x),
        Err(r) => {
            p.push(
                path,
                format!(
                    "\"{}\" — {}; use one of the values listed",
                    r.written,
                    r.reason.replace("unknown variant", "unknown value")
                ),
            );
            None
        }
    }
}

/// An optional value of a closed set, with a default.
pub fn closed_or<T: Copy>(
    v: &Option<crate::base::closed::Closed<T>>,
    default: T,
    path: &str,
    p: &mut Problems,
) -> T {
    match v {
        None => default,
        Some(c) => closed(c, path, p).unwrap_or(default),
    }
}

/// Take an optional section (a table) and deserialize it.
pub fn de_section<T: DeserializeOwned>(
    table: &mut toml::Table,
    key: &str,
    p: &mut Problems,
) -> Option<T> {
    table.remove(key).and_then(|v| de(v, key, p))
}

/// Parse TOML text into a table, reporting a syntax error with its line.
pub fn parse_toml(text: &str, label: &str) -> Result<toml::Table, LoadError> {
    toml::from_str(text).map_err(|e| {
        let loc = e
            .span()
            .map(|s| {
                let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                format!("line {line}")
            })
            .unwrap_or_else(|| "file".into());
        LoadError::one(
            label,
            loc,
            format!("not valid TOML: {} — fix the syntax", e.message().trim()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        a: u32,
        b: String,
        c: Option<bool>,
    }

    #[test]
    fn every_type_problem_of_a_table_is_reported() {
        let v: toml::Value = toml::from_str("a = \"x\"\nb = 3\nd = 1").unwrap();
        let mut p = Problems::default();
        assert!(de::<T>(v, "t", &mut p).is_none());
        let paths: Vec<&str> = p.as_slice().iter().map(|q| q.path.as_str()).collect();
        assert!(paths.contains(&"t.a"), "{paths:?}");
        assert!(paths.contains(&"t.b"), "{paths:?}");
        assert!(paths.contains(&"t.d") || paths.contains(&"t"), "{paths:?}");
        // The removed fields are not reported a second time as missing.
        assert_eq!(p.len(), 3, "{:?}", p.as_slice());
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let e = parse_toml("a = 1\nb = = 2\n", "x.toml").unwrap_err();
        assert_eq!(e.problems()[0].path, "line 2");
    }
}
