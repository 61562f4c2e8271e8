//! "Did you mean" suggestions, shared by syntax errors (misspelt keywords) and the checker
//! (misspelt names).

/// The candidate closest to `name` by edit distance, if it is close enough to be a typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let len = name.chars().count();
    let limit = (len / 3).clamp(1, 3);
    candidates
        .into_iter()
        .filter(|c| *c != name)
        // The lengths bound the distance from below; skipping early keeps a megabyte-long
        // "word" in hostile input from costing a megabyte of work per candidate.
        .filter(|c| c.chars().count().abs_diff(len) <= limit)
        .map(|c| (edit_distance(name, c), c))
        // Rewriting every character is no typo: `D` is not a misspelt `A`.
        .filter(|(d, c)| *d <= limit && *d < len.max(c.chars().count()).min(len))
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// Edit distance over characters counting a swap of two neighbours as one edit (optimal
/// string alignment), since `titel` for `title` is as much one slip as `titl`; three rows of memory.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    let mut last_a = None;
    for (i, ca) in a.chars().enumerate() {
        if let Some(first) = cur.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            let swapped = j > 0 && last_a == Some(*cb) && b.get(j - 1) == Some(&ca);
            let swap = if swapped {
                before.get(j - 1).copied().unwrap_or(0) + 1
            } else {
                usize::MAX
            };
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = sub.min(del).min(ins).min(swap);
            }
        }
        last_a = Some(ca);
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(
            did_you_mean("rout", ["route", "sla", "priority"]),
            Some("route")
        );
        assert_eq!(did_you_mean("xyz", ["route", "sla"]), None);
        assert_eq!(did_you_mean("D", ["A", "B", "C"]), None);
        assert_eq!(did_you_mean("sdrs", ["sdr"]), Some("sdr"));
        assert_eq!(edit_distance("titel", "title"), 1);
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("abc", "ca"), 3);
        assert_eq!(did_you_mean("titel", ["segment", "title"]), Some("title"));
        assert_eq!(did_you_mean(&"x".repeat(1 << 20), ["reason"]), None);
    }
}
