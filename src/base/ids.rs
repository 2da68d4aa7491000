//! Typed indices of the entities of a scenario and of a replication.
//!
//! Every entity lives in a vector (or a slab) and is referred to by a small `Copy` id —
//! never by a reference and never by a bare integer: a [`ZoneId`] cannot be passed where a
//! [`VehicleId`] is meant, and "none" is `Option<Id>` (no `u32::MAX` sentinels). Ids are
//! `#[repr(transparent)]` over `NonZeroU32` (holding index + 1), so an `Option<Id>` is 4 bytes,
//! no more than a sentinel would have cost. Collections indexed by an id are [`IdVec`]s (`typed_index_collections::TiVec`), which
//! only accept their own id type.
//!
//! Conversions from `usize` panic above `u32::MAX`: every count is bounded far below that when
//! a scenario is validated (see `input::scenario::limits`), so this can only be a bug.

/// A vector indexed by a typed id.
pub type IdVec<I, T> = typed_index_collections::TiVec<I, T>;

macro_rules! ids {
    ($( $(#[$doc:meta])* $name:ident ),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[repr(transparent)]
        pub struct $name(std::num::NonZeroU32);

        impl $name {
            /// The id of position `i`.
            #[inline]
            pub fn new(i: usize) -> Self {
                u32::try_from(i)
                    .ok()
                    .and_then(|x| x.checked_add(1))
                    .and_then(std::num::NonZeroU32::new)
                    .map(Self)
                    .expect(concat!(stringify!($name), " out of range: counts are bounded at load"))
            }
            /// The position this id stands for.
            #[inline]
            pub fn index(self) -> usize {
                (self.0.get() - 1) as usize
            }
            /// The raw value (for traces and fingerprints).
            #[inline]
            pub fn raw(self) -> u32 {
                self.0.get() - 1
            }
        }

        impl From<usize> for $name {
            #[inline]
            fn from(i: usize) -> Self {
                Self::new(i)
            }
        }

        impl From<$name> for usize {
            #[inline]
            fn from(i: $name) -> usize {
                i.index()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.raw())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_u32(self.raw())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = <u32 as serde::Deserialize>::deserialize(d)?;
                if raw == u32::MAX {
                    return Err(serde::de::Error::custom(concat!(stringify!($name), " out of range")));
                }
                Ok(Self::new(raw as usize))
            }
        }
    )*};
}

ids! {
    /// A zone: a population point (delområde, kommune or a user's zone).
    ZoneId,
    /// A facility point (legevakt station, satellite, ambulance station, hospital).
    FacilityId,
    /// A place a vehicle or person can be at: a zone or a facility. The travel matrix is indexed
    /// by places and says which one a place is.
    PlaceId,
    /// A legevakt site a patient can be sent to: a station or a satellite.
    SiteId,
    /// A legevakt station (with doctors).
    StationId,
    /// A satellite legevakt (nurse on site, doctor by video).
    SatelliteId,
    /// A legevaktsentral (116117 call centre).
    LvsId,
    /// An ambulance station (road, boat or air base).
    AmbStationId,
    /// One ambulance vehicle.
    VehicleId,
    /// A hospital with an emergency department.
    HospitalId,
    /// A population point of a zone (where its needs arise and its travel is measured from).
    PointId,
    /// A scripted incident of a scenario.
    IncidentId,
    /// A patient of a replication (a slot in the patient slab; reused after the path ends).
    PatientId,
    /// A pool of identical servers of a replication (nurses, doctors, operators, ED bays).
    PoolId,
    /// A red event being followed by AMK in a replication.
    RedEventId,
    /// A legevakt call-out in a replication.
    CalloutId,
    /// A legevakt doctor car of a scenario.
    DoctorCarId,
    /// A doctor-car mission in a replication.
    CarMissionId,
    /// A call on the AMK's other lines in a replication (it carries no patient).
    LineCallId,
    /// A demand source (the superposed needs of one channel, the transfers, the calls with no new
    /// need) of a replication.
    DemandStreamId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_of_an_id_is_as_small_as_the_id() {
        assert_eq!(std::mem::size_of::<VehicleId>(), 4);
        assert_eq!(std::mem::size_of::<Option<VehicleId>>(), 4);
        assert_eq!(VehicleId::new(0).raw(), 0);
        assert_eq!(VehicleId::new(7).index(), 7);
    }

    #[test]
    fn ids_index_only_their_own_vectors() {
        let mut v: IdVec<ZoneId, &str> = IdVec::new();
        let a = v.push_and_get_key("a");
        let b = v.push_and_get_key("b");
        assert_eq!((a.index(), b.index()), (0, 1));
        assert_eq!(v[b], "b");
        assert_eq!(ZoneId::from(1usize), b);
    }
}
