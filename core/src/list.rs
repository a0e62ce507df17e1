//! The one list parser of the `CORS_*` variables: comma-separated entries, spaces trimmed,
//! empty entries and repeats reported as warnings, each list compared by its own rule. What
//! a list may hold (`*` alone or entries) is checked by each list's own module.

use crate::problem::Problem;

/// How the entries of a list compare when looking for repeats: each list by its own rule.
#[derive(Clone, Copy)]
pub(crate) enum Compare {
    /// Byte for byte: methods (`PATCH` and `patch` are two methods), and origins, whose
    /// repeats once normalized are found by their own check.
    Exact,
    /// Header names.
    IgnoreCase,
}

/// Splits a comma-separated list, trimming spaces; warns about empty and repeated entries.
pub(crate) fn list<'a>(
    var: &'static str,
    text: &'a str,
    compare: Compare,
    problems: &mut Vec<Problem>,
) -> Vec<&'a str> {
    let mut entries: Vec<&'a str> = Vec::new();
    if text.trim().is_empty() {
        return entries;
    }
    for entry in text.split(',').map(str::trim) {
        if entry.is_empty() {
            problems.push(Problem::warning(
                var,
                Some(text),
                "has an empty entry (a doubled, leading or trailing comma); it is ignored",
                "remove the extra comma",
            ));
        } else if entries.iter().any(|e| match compare {
            Compare::Exact => *e == entry,
            Compare::IgnoreCase => e.eq_ignore_ascii_case(entry),
        }) {
            problems.push(Problem::warning(
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
