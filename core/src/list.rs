//! The one list parser of the `CORS_*` variables: comma-separated entries, spaces trimmed,
//! `*` alone or entries, empty entries and repeats reported as warnings, each list compared by
//! its own rule. What an entry may be is checked by each list's own module.

use std::borrow::Cow;

use crate::problem::Problem;

/// A list as it was given: the text of a variable (comma-separated), or the typed builder's
/// items (one entry each).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Given<'a> {
    Text(&'a str),
    Items(&'a [String]),
}

impl Given<'_> {
    /// The list as one text, for the messages about it.
    pub(crate) fn shown(&self) -> Cow<'_, str> {
        match self {
            Given::Text(text) => Cow::Borrowed(text),
            Given::Items(items) => Cow::Owned(items.join(",")),
        }
    }
}

/// How the entries of a list compare when looking for repeats: each list by its own rule.
#[derive(Clone, Copy)]
pub(crate) enum Compare {
    /// Byte for byte: methods (`PATCH` and `patch` are two methods), and origins, whose
    /// repeats once normalized are found by their own check.
    Exact,
    /// Header names.
    IgnoreCase,
}

/// A parsed list.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Entries<'a> {
    /// `*` alone.
    Any,
    /// The entries, without empty ones and repeats; `*` among them only with the error that
    /// it must stand alone (the other entries are still checked, so that every problem is
    /// reported at once).
    Items(Vec<&'a str>),
}

impl<'a> Entries<'a> {
    /// The entries a list of these items parses to (tests write lists this way).
    #[cfg(test)]
    pub(crate) fn of(items: &[&'a str]) -> Entries<'a> {
        if items == ["*"] {
            Entries::Any
        } else {
            Entries::Items(items.to_vec())
        }
    }
}

/// What `*` means in a list, for the error when it does not stand alone: "`*` means every
/// `every` and must stand alone", "write either `*` or a list of `list_of`".
pub(crate) struct Star {
    pub(crate) every: &'static str,
    pub(crate) list_of: &'static str,
}

/// Splits a comma-separated list, trimming spaces; warns about empty and repeated entries;
/// `*` must stand alone.
///
/// ```text
/// "GET, PUT"   -> Items(["GET", "PUT"])
/// "*"          -> Any
/// "*, GET"     -> Items(["*", "GET"]), and the error that `*` must stand alone
/// "GET,,PUT"   -> Items(["GET", "PUT"]), and a warning about the empty entry
/// ```
pub(crate) fn list<'a>(
    var: &'static str,
    given: Given<'a>,
    compare: Compare,
    star: Star,
    problems: &mut Vec<Problem>,
) -> Entries<'a> {
    let entries = items(var, given, compare, problems);
    if entries == ["*"] {
        return Entries::Any;
    }
    if entries.contains(&"*") {
        problems.push(Problem::error(
            "list-star-not-alone",
            var,
            Some("*"),
            format!("`*` means every {} and must stand alone", star.every),
            format!("write either `*` or a list of {}", star.list_of),
        ));
    }
    Entries::Items(entries)
}

fn items<'a>(
    var: &'static str,
    given: Given<'a>,
    compare: Compare,
    problems: &mut Vec<Problem>,
) -> Vec<&'a str> {
    let mut entries: Vec<&'a str> = Vec::new();
    let (all, whole): (Box<dyn Iterator<Item = &'a str>>, Option<&str>) = match given {
        Given::Text(text) if text.trim().is_empty() => return entries,
        Given::Text(text) => (Box::new(text.split(',').map(str::trim)), Some(text)),
        Given::Items(items) => (Box::new(items.iter().map(|item| item.trim())), None),
    };
    for entry in all {
        if entry.is_empty() {
            problems.push(Problem::warning("list-empty-entry", 
                var,
                whole,
                "has an empty entry (a doubled, leading or trailing comma, or an empty item); it is ignored",
                "remove the empty entry",
            ));
        } else if entries.iter().any(|e| match compare {
            Compare::Exact => *e == entry,
            Compare::IgnoreCase => e.eq_ignore_ascii_case(entry),
        }) {
            problems.push(Problem::warning(
                "list-repeat",
                var,
                Some(entry),
                "is listed twice",
                "remove the repeat",
            ));
        } else {
            entries.push(entry);
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAR: Star = Star {
        every: "thing",
        list_of: "things",
    };

    fn parse(text: &str, compare: Compare) -> (Entries<'_>, Vec<String>) {
        let mut problems = Vec::new();
        let entries = list("CORS_X", Given::Text(text), compare, STAR, &mut problems);
        (
            entries,
            problems.iter().map(|p| p.reason().to_string()).collect(),
        )
    }

    #[test]
    fn star_stands_alone_in_every_list() {
        assert_eq!(parse("*", Compare::Exact), (Entries::Any, vec![]));
        let (entries, problems) = parse("*, a", Compare::Exact);
        assert_eq!(entries, Entries::Items(vec!["*", "a"]));
        assert_eq!(problems, ["`*` means every thing and must stand alone"]);
    }

    #[test]
    fn repeats_compare_by_each_lists_rule() {
        let (entries, problems) = parse("PATCH, patch", Compare::Exact);
        assert_eq!(entries, Entries::Items(vec!["PATCH", "patch"]));
        assert!(problems.is_empty());
        let (entries, problems) = parse("X-A, x-a,, ", Compare::IgnoreCase);
        assert_eq!(entries, Entries::Items(vec!["X-A"]));
        assert_eq!(problems.len(), 3, "{problems:?}"); // the repeat, two empty entries
    }

    #[test]
    fn typed_items_are_entries_as_they_are() {
        let items = [
            "GET".to_string(),
            " PUT ".into(),
            String::new(),
            "GET".into(),
        ];
        let mut problems = Vec::new();
        let entries = list(
            "CORS_X",
            Given::Items(&items),
            Compare::Exact,
            STAR,
            &mut problems,
        );
        assert_eq!(entries, Entries::Items(vec!["GET", "PUT"]));
        assert_eq!(problems.len(), 2, "{problems:?}"); // the empty item, the repeat
    }
}
