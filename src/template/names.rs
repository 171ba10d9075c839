//! Names a template may use (styles, codecs, field paths…), parsed once at load, and
//! the "did you mean" suggestion for a name that is not one of them.

/// A closed set of names a template key accepts.
pub trait Named: Sized + Copy + 'static {
    /// The template key these names are given under, for messages ("style").
    const KEY: &'static str;
    /// What one of them is called in messages ("style", "field").
    const WHAT: &'static str;
    /// Every valid name and its value, in documentation order.
    fn all() -> &'static [(&'static str, Self)];

    /// The value of a name.
    fn from_name(name: &str) -> Option<Self> {
        Self::all()
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }

    /// The name of a value.
    fn name(self) -> &'static str
    where
        Self: PartialEq,
    {
        Self::all()
            .iter()
            .find(|(_, v)| *v == self)
            .map_or("", |(n, _)| n)
    }
}

/// Parses a name of `T`, or says which key was wrong and what was probably meant.
pub fn parse_name<T: Named>(name: &str) -> Result<T, String> {
    T::from_name(name).ok_or_else(|| {
        unknown(
            T::KEY,
            name,
            T::WHAT,
            T::all().iter().map(|(n, _)| n.to_string()),
        )
    })
}

/// "`style = "txet"`: unknown style; did you mean `text`?"
pub fn unknown(
    key: &str,
    name: &str,
    what: &str,
    valid: impl IntoIterator<Item = String>,
) -> String {
    let valid: Vec<String> = valid.into_iter().collect();
    let mut message = format!("`{key} = {name:?}`: unknown {what}");
    match nearest(name, &valid) {
        Some(best) => message.push_str(&format!("; did you mean `{best}`?")),
        None => message.push_str(&format!("; expected one of {}", valid.join(", "))),
    }
    message
}

/// The valid name closest to `name` (edit distance), when it is close enough to be a
/// likely typo; otherwise none.
pub fn nearest<'a>(name: &str, valid: &'a [String]) -> Option<&'a str> {
    let best = valid
        .iter()
        .map(|v| (distance(name, v), v))
        .min_by_key(|(d, _)| *d)?;
    let limit = (name.chars().count().max(best.1.chars().count()) / 2).max(2);
    (best.0 <= limit).then_some(best.1.as_str())
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Implements `Deserialize` for a [`Named`] type: the name is checked when the
/// template loads, and a wrong one is refused with a suggestion.
macro_rules! deserialize_named {
    ($ty:ty) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let name = String::deserialize(d)?;
                $crate::template::names::parse_name::<$ty>(&name).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use deserialize_named;

/// Declares the names of an enum a template key takes: the [`Named`] table and its
/// checked `Deserialize`, in one place.
macro_rules! named {
    ($ty:ty, key = $key:literal, what = $what:literal, [$(($name:literal, $value:expr)),+ $(,)?]) => {
        impl $crate::template::names::Named for $ty {
            const KEY: &'static str = $key;
            const WHAT: &'static str = $what;
            fn all() -> &'static [(&'static str, Self)] {
                &[$(($name, $value)),+]
            }
        }
        $crate::template::names::deserialize_named!($ty);
    };
}
pub(crate) use named;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_nearest_name() {
        let valid: Vec<String> = ["text", "value", "note", "note-right"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(nearest("txet", &valid), Some("text"));
        assert_eq!(nearest("note_right", &valid), Some("note-right"));
        assert_eq!(nearest("completely-different", &valid), None);
        assert_eq!(
            unknown("style", "txet", "style", valid.clone()),
            "`style = \"txet\"`: unknown style; did you mean `text`?"
        );
    }
}
