//! How alike two written forms of a name are, from 0 to 1: a weighted edit distance. Folding
//! keys (`latin_key`) find the spellings the folding rules foresee; this finds the others
//! ("Praset" for Braseth, "Thmal" for Thnal, "Kakaoh" for Karkoh) and ranks what the keys find.
//!
//! Romanisations of one Khmer name differ most in vowels, in an `h` or `r` that marks a sound
//! more than a letter, in voiced and voiceless pairs (ប b/p, ដ d/t, គ k/g) and in nasals
//! (m/n). Those edits cost less than an unrelated letter; a digit edit costs much more, because
//! "Phum 8" is never "Phum 9".

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// Letters romanisations write for one Khmer sound, or for sounds people hear alike.
fn akin(a: char, b: char) -> bool {
    let pair = |x: char, y: char| (a == x && b == y) || (a == y && b == x);
    pair('b', 'p')
        || pair('d', 't')
        || pair('k', 'g')
        || pair('c', 'j')
        || pair('c', 's')
        || pair('v', 'w')
        || pair('v', 'b')
        || pair('m', 'n')
        || pair('n', 'g')
        || pair('l', 'r')
        || pair('k', 'c')
        || pair('s', 'h')
        || pair('o', 'v')
        || pair('u', 'v')
        || pair('i', 'y')
}

/// Cost of writing `b` where the other form has `a`.
fn substitute(a: char, b: char) -> f64 {
    if a == b {
        0.0
    } else if a.is_ascii_digit() || b.is_ascii_digit() {
        3.0
    } else if is_vowel(a) && is_vowel(b) {
        0.35
    } else if akin(a, b) {
        0.5
    } else {
        1.0
    }
}

/// Cost of a letter one form has and the other does not.
fn indel(c: char) -> f64 {
    match c {
        _ if c.is_ascii_digit() => 3.0,
        'h' => 0.3,
        _ if is_vowel(c) => 0.45,
        'r' | 'n' | 'g' | '\'' => 0.6,
        _ if !c.is_ascii() => 1.0,
        _ => 1.0,
    }
}

/// Weight of a letter in a form's length (what a full mismatch of it would cost).
fn weight(c: char) -> f64 {
    if c.is_ascii_digit() {
        3.0
    } else if is_vowel(c) || c == 'h' {
        0.6
    } else {
        1.0
    }
}

/// Distances between `q` and `c`: the whole of `c`, and the best prefix of `c` (for a query
/// still being typed). Plain dynamic programming over one row: names are short.
fn distances(q: &[char], c: &[char], weighted: bool) -> (f64, f64) {
    let sub = |a: char, b: char| {
        if weighted {
            substitute(a, b)
        } else if a == b {
            0.0
        } else {
            1.0
        }
    };
    let del = |a: char| if weighted { indel(a) } else { 1.0 };
    let mut prev: Vec<f64> = Vec::with_capacity(c.len() + 1);
    prev.push(0.0);
    for &b in c {
        let last = *prev.last().expect("one");
        prev.push(last + del(b));
    }
    let mut row = vec![0.0; c.len() + 1];
    for &a in q {
        row[0] = prev[0] + del(a);
        for j in 1..=c.len() {
            let b = c[j - 1];
            row[j] = (prev[j - 1] + sub(a, b)).min(prev[j] + del(a)).min(row[j - 1] + del(b));
        }
        std::mem::swap(&mut prev, &mut row);
    }
    let whole = prev[c.len()];
    let prefix = prev.iter().copied().fold(f64::INFINITY, f64::min);
    (whole, prefix)
}

/// Similarity of two forms in one script (1 is the same): the weighted distance over the
/// weight of the longer form. The second value scores `q` against the best *prefix* of `c`.
pub fn similarity(q: &[char], c: &[char]) -> (f64, f64) {
    if q.is_empty() || c.is_empty() {
        return (0.0, 0.0);
    }
    let latin = q.iter().chain(c).all(char::is_ascii);
    let (whole, prefix) = distances(q, c, latin);
    let len = |s: &[char]| if latin { s.iter().map(|&x| weight(x)).sum::<f64>() } else { s.len() as f64 };
    let (lq, lc) = (len(q), len(c));
    let whole_sim = 1.0 - whole / lq.max(lc);
    let prefix_sim = 1.0 - prefix / lq;
    (whole_sim.max(0.0), prefix_sim.max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim(a: &str, b: &str) -> f64 {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        similarity(&a, &b).0
    }

    #[test]
    fn romanisation_edits_cost_less_than_other_letters() {
        assert_eq!(sim("kaohtakov", "kaohtakov"), 1.0);
        assert!(sim("praset", "braseth") > sim("praset", "prakeap"));
        assert!(sim("thmalbaek", "thnalbaek") > 0.9);
        assert!(sim("kaohtakouv", "kaohtakov") > sim("kaohtakouv", "kaohtakaev"));
        assert!(sim("phum9", "phum8") < sim("phum9", "phim9"));
    }

    #[test]
    fn a_prefix_is_found_while_typing() {
        let (q, c): (Vec<char>, Vec<char>) = ("krap".chars().collect(), "krapeupir".chars().collect());
        let (whole, prefix) = similarity(&q, &c);
        assert_eq!(prefix, 1.0);
        assert!(whole < 0.7);
    }
}
