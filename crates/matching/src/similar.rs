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
        'r' | 'n' | 'm' | 'g' | '\'' => 0.6,
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

/// A written form compared letter by letter, with where its words end (exclusive indexes):
/// a whole word one form has and the other lacks ("Trapeang Ta Moan", "Kouk Ruessei Khang
/// Cheung") costs less than the letters it is made of.
#[derive(Debug, Clone, Copy)]
pub struct Spelled<'a> {
    pub chars: &'a [char],
    pub word_ends: &'a [u16],
}

/// What leaving out a whole word costs: less than its letters, more than a vowel.
fn skip_word(word: &[char], weighted: bool) -> f64 {
    let letters: f64 = if weighted { word.iter().map(|&c| indel(c)).sum() } else { word.len() as f64 };
    letters.min(0.6 + 0.15 * word.len() as f64)
}

/// Distances between `q` and `c`: the whole of `c`, and the best prefix of `c` (for a query
/// still being typed). Dynamic programming over the full table: names are short.
fn distances(q: Spelled, c: Spelled, weighted: bool) -> (f64, f64) {
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
    let (n, m) = (q.chars.len(), c.chars.len());
    let w = m + 1;
    let mut d = vec![0.0f64; (n + 1) * w];
    // Word spans (start, end) of each side, keyed by their end.
    let spans = |ends: &[u16]| -> Vec<(usize, usize)> {
        let mut start = 0;
        ends.iter()
            .map(|&e| {
                let span = (start, e as usize);
                start = e as usize;
                span
            })
            .collect()
    };
    let (q_words, c_words) = (spans(q.word_ends), spans(c.word_ends));
    let several = |words: &[(usize, usize)]| words.len() > 1;
    for i in 0..=n {
        for j in 0..=m {
            let mut best = if i == 0 && j == 0 { 0.0 } else { f64::INFINITY };
            if i > 0 && j > 0 {
                best = best.min(d[(i - 1) * w + j - 1] + sub(q.chars[i - 1], c.chars[j - 1]));
            }
            if i > 0 {
                best = best.min(d[(i - 1) * w + j] + del(q.chars[i - 1]));
            }
            if j > 0 {
                best = best.min(d[i * w + j - 1] + del(c.chars[j - 1]));
            }
            if several(&q_words) {
                if let Some(&(s, _)) = q_words.iter().find(|(_, e)| *e == i) {
                    best = best.min(d[s * w + j] + skip_word(&q.chars[s..i], weighted));
                }
            }
            if several(&c_words) {
                if let Some(&(s, _)) = c_words.iter().find(|(_, e)| *e == j) {
                    best = best.min(d[i * w + s] + skip_word(&c.chars[s..j], weighted));
                }
            }
            d[i * w + j] = best;
        }
    }
    let last = &d[n * w..];
    (last[m], last.iter().copied().fold(f64::INFINITY, f64::min))
}

/// Similarity of two forms in one script (1 is the same): the weighted distance over the
/// weight of the longer form. The second value scores `q` against the best *prefix* of `c`.
pub fn similarity(q: Spelled, c: Spelled) -> (f64, f64) {
    if q.chars.is_empty() || c.chars.is_empty() {
        return (0.0, 0.0);
    }
    let latin = q.chars.iter().chain(c.chars).all(char::is_ascii);
    let (whole, prefix) = distances(q, c, latin);
    let len = |s: &[char]| if latin { s.iter().map(|&x| weight(x)).sum::<f64>() } else { s.len() as f64 };
    let (lq, lc) = (len(q.chars), len(c.chars));
    let whole_sim = 1.0 - whole / lq.max(lc);
    let prefix_sim = 1.0 - prefix / lq;
    (whole_sim.max(0.0), prefix_sim.max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spelled(s: &str) -> (Vec<char>, Vec<u16>) {
        let mut chars = Vec::new();
        let mut ends = Vec::new();
        for w in s.split_whitespace() {
            chars.extend(w.chars());
            ends.push(chars.len() as u16);
        }
        (chars, ends)
    }

    fn both(a: &str, b: &str) -> (f64, f64) {
        let (a, b) = (spelled(a), spelled(b));
        similarity(Spelled { chars: &a.0, word_ends: &a.1 }, Spelled { chars: &b.0, word_ends: &b.1 })
    }

    fn sim(a: &str, b: &str) -> f64 {
        both(a, b).0
    }

    #[test]
    fn romanisation_edits_cost_less_than_other_letters() {
        assert_eq!(sim("kaohtakov", "kaohtakov"), 1.0);
        assert!(sim("praset", "braseth") > sim("praset", "prakeap"));
        assert!(sim("thmalbaek", "thnalbaek") > 0.9);
        assert!(sim("kaohtakouv", "kaohtakov") > sim("kaohtakouv", "kaohtakaev"));
        assert!(sim("phum9", "phum8") < sim("phum9", "phim9"));
        // A whole word left out costs less than changing letters inside one.
        assert!(sim("kouk ruessei cheung", "kouk ruessei khang cheung") > sim("kouk ruessei cheung", "kouk ruessei khang tboung"));
    }

    #[test]
    fn a_prefix_is_found_while_typing() {
        let (whole, prefix) = both("krap", "krapeu pir");
        assert_eq!(prefix, 1.0);
        assert!(whole < 0.85, "{whole}");
    }
}
