//! The closed sets every layer shares: urgency levels (hastegrad) and the two telephone channels,
//! with arrays indexed by them ([`PerUrgency`], [`PerChannel`]) instead of bare `[T; 3]`
//! positions.

use serde::{Deserialize, Serialize};
use std::ops::{Index, IndexMut};

/// Urgency level (hastegrad) used by AMK and the legevaktsentral (*Norsk indeks for medisinsk
/// nødhjelp*; Legevaktindeks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum Urgency {
    /// Rød: acute, life-threatening.
    #[serde(alias = "rød", alias = "rod")]
    Red = 0,
    /// Gul: urgent, "uten opphold, men vanligvis uten blålys".
    #[serde(alias = "gul")]
    Yellow = 1,
    /// Grønn: ordinary.
    #[serde(alias = "grønn", alias = "gronn")]
    Green = 2,
}

impl Urgency {
    /// All urgencies, most urgent first (the queue priority order).
    pub const ALL: [Urgency; 3] = [Urgency::Red, Urgency::Yellow, Urgency::Green];

    /// Lower-case English name used in files and KPI names.
    pub fn name(self) -> &'static str {
        match self {
            Urgency::Red => "red",
            Urgency::Yellow => "yellow",
            Urgency::Green => "green",
        }
    }

    /// Queue priority: 0 is served first.
    #[inline]
    pub fn priority(self) -> u8 {
        self as u8
    }
}

/// A value for each urgency level. In files it is written `{ red = …, yellow = …, green = … }`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PerUrgency<T> {
    /// Red: acute, life-threatening (rød).
    pub red: T,
    /// Yellow: urgent (gul).
    pub yellow: T,
    /// Green: ordinary (grønn).
    pub green: T,
}

impl<T> PerUrgency<T> {
    /// The same value for every urgency.
    pub fn splat(v: T) -> Self
    where
        T: Clone,
    {
        PerUrgency {
            red: v.clone(),
            yellow: v.clone(),
            green: v,
        }
    }

    /// Build from a function of the urgency.
    pub fn from_fn(mut f: impl FnMut(Urgency) -> T) -> Self {
        PerUrgency {
            red: f(Urgency::Red),
            yellow: f(Urgency::Yellow),
            green: f(Urgency::Green),
        }
    }

    /// Apply `f` to each value.
    pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> PerUrgency<U> {
        PerUrgency {
            red: f(self.red),
            yellow: f(self.yellow),
            green: f(self.green),
        }
    }

    /// Borrow each value.
    pub fn as_ref(&self) -> PerUrgency<&T> {
        PerUrgency {
            red: &self.red,
            yellow: &self.yellow,
            green: &self.green,
        }
    }

    /// (urgency, value) pairs, most urgent first.
    pub fn iter(&self) -> impl Iterator<Item = (Urgency, &T)> {
        [
            (Urgency::Red, &self.red),
            (Urgency::Yellow, &self.yellow),
            (Urgency::Green, &self.green),
        ]
        .into_iter()
    }
}

impl<T> PerUrgency<Option<T>> {
    /// `Some` when every urgency has a value.
    pub fn transpose(self) -> Option<PerUrgency<T>> {
        Some(PerUrgency {
            red: self.red?,
            yellow: self.yellow?,
            green: self.green?,
        })
    }
}

impl<T> Index<Urgency> for PerUrgency<T> {
    type Output = T;
    #[inline]
    fn index(&self, u: Urgency) -> &T {
        match u {
            Urgency::Red => &self.red,
            Urgency::Yellow => &self.yellow,
            Urgency::Green => &self.green,
        }
    }
}

impl<T> IndexMut<Urgency> for PerUrgency<T> {
    #[inline]
    fn index_mut(&mut self, u: Urgency) -> &mut T {
        match u {
            Urgency::Red => &mut self.red,
            Urgency::Yellow => &mut self.yellow,
            Urgency::Green => &mut self.green,
        }
    }
}

/// The telephone number a need reaches first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
pub enum Channel {
    /// 116117, the legevaktsentral (out-of-hours call centre).
    #[serde(rename = "116117")]
    Lvs,
    /// 113, AMK (emergency medical communication centre).
    #[serde(rename = "113")]
    Amk,
}

impl Channel {
    /// Both channels, in stream order.
    pub const ALL: [Channel; 2] = [Channel::Lvs, Channel::Amk];

    /// Stable code used in stream seeds (0 = 116117, 1 = 113).
    pub fn code(self) -> u8 {
        match self {
            Channel::Lvs => 0,
            Channel::Amk => 1,
        }
    }

    /// The number as written in files.
    pub fn number(self) -> &'static str {
        match self {
            Channel::Lvs => "116117",
            Channel::Amk => "113",
        }
    }
}

/// A value for each channel.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PerChannel<T> {
    /// 116117.
    pub lvs: T,
    /// 113.
    pub amk: T,
}

impl<T> Index<Channel> for PerChannel<T> {
    type Output = T;
    #[inline]
    fn index(&self, c: Channel) -> &T {
        match c {
            Channel::Lvs => &self.lvs,
            Channel::Amk => &self.amk,
        }
    }
}

impl<T> IndexMut<Channel> for PerChannel<T> {
    #[inline]
    fn index_mut(&mut self, c: Channel) -> &mut T {
        match c {
            Channel::Lvs => &mut self.lvs,
            Channel::Amk => &mut self.amk,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norwegian_names_are_accepted() {
        #[derive(Deserialize)]
        struct T {
            u: Vec<Urgency>,
        }
        let t: T = toml::from_str(r#"u = ["rød", "gul", "grønn", "red"]"#).unwrap();
        assert_eq!(
            t.u,
            vec![Urgency::Red, Urgency::Yellow, Urgency::Green, Urgency::Red]
        );
        assert!(toml::from_str::<T>(r#"u = ["orange"]"#).is_err());
    }

    #[test]
    fn per_urgency_indexes_by_urgency() {
        let mut p = PerUrgency::from_fn(|u| u.priority() as u32 * 10);
        assert_eq!(p[Urgency::Yellow], 10);
        p[Urgency::Green] += 1;
        assert_eq!(p.green, 21);
        assert_eq!(p.map(|x| x + 1).red, 1);
    }
}
