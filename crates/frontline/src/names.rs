//! One name table per enum of named values: `Display`, `FromStr` and serde
//! all read it, so the three always agree.

/// The name of `value` in `table`.
pub(crate) fn name_of<T: Copy + PartialEq>(table: &[(&'static str, T)], value: T) -> &'static str {
    table
        .iter()
        .find(|(_, v)| *v == value)
        .map(|(name, _)| *name)
        .expect("every value is in its table")
}

/// `Display`, `FromStr` (an unknown name is [`crate::Error::UnknownId`]
/// listing the known ones), `Serialize` and `Deserialize` from `$ty::ALL`.
macro_rules! named {
    ($ty:ident, $kind:literal) => {
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl std::str::FromStr for $ty {
            type Err = crate::Error;

            fn from_str(name: &str) -> crate::Result<$ty> {
                $ty::ALL
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, value)| *value)
                    .ok_or_else(|| crate::Error::UnknownId {
                        kind: $kind,
                        id: name.to_owned(),
                        suggestions: $ty::ALL.iter().map(|(n, _)| n.to_string()).collect(),
                    })
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.name())
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<$ty, D::Error> {
                let name = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                name.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use named;
