//! [`Closed`]: a value from a closed set (a serde enum) that, when it is not one of the set,
//! keeps what was written instead of failing the whole table — so a misspelt `kind = "car"`
//! is reported together with every other problem of the same entry, and with the list of
//! accepted values.

use serde::de::{DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize};

/// A value of a closed set `T`, or what was written instead and why it is not accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct Closed<T>(Result<T, Rejected>);

/// A value that is not in the closed set.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    /// The value as written.
    pub written: String,
    /// Why not ("unknown variant `car`, expected one of `road`, `boat`, `air`").
    pub reason: String,
}

impl<T> Closed<T> {
    /// The value, or the rejection.
    pub fn get(&self) -> Result<&T, &Rejected> {
        self.0.as_ref()
    }

    /// A valid value.
    pub fn of(v: T) -> Closed<T> {
        Closed(Ok(v))
    }
}

impl<T: Copy> Closed<T> {
    /// The value, if valid.
    pub fn ok(&self) -> Option<T> {
        self.0.as_ref().ok().copied()
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Closed<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = toml::Value::deserialize(d)?;
        let written = match &v {
            toml::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        Ok(Closed(T::deserialize(v).map_err(|e| Rejected {
            written,
            // The TOML deserialiser appends where it was ("\nin `kind`"); the caller knows.
            reason: e.to_string().lines().next().unwrap_or_default().to_string(),
        })))
    }
}

impl<T: Serialize> Serialize for Closed<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Ok(v) => v.serialize(s),
            Err(r) => s.serialize_str(&r.written),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
    #[serde(rename_all = "lowercase")]
    enum K {
        Road,
        Boat,
    }

    #[derive(Deserialize)]
    struct T {
        k: Closed<K>,
        n: u32,
    }

    #[test]
    fn a_wrong_value_is_kept_with_its_reason() {
        let t: T = toml::from_str("k = \"car\"\nn = 3").unwrap();
        assert_eq!(t.n, 3, "the rest of the table still deserialises");
        let r = t.k.get().unwrap_err();
        assert_eq!(r.written, "car");
        assert!(
            r.reason.contains("road") && r.reason.contains("boat"),
            "{}",
            r.reason
        );
        let t: T = toml::from_str("k = \"boat\"\nn = 3").unwrap();
        assert_eq!(t.k.ok(), Some(K::Boat));
    }
}
