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

/// `substitute` for every pair of ASCII characters, computed once: the comparison's inner loop.
fn ascii_costs() -> &'static [[f32; 128]; 128] {
    static TABLE: std::sync::OnceLock<Box<[[f32; 128]; 128]>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = Box::new([[0.0f32; 128]; 128]);
        for (a, row) in t.iter_mut().enumerate() {
            for (b, cell) in row.iter_mut().enumerate() {
                *cell = substitute(a as u8 as char, b as u8 as char) as f32;
            }
        }
        t
    })
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

/// For each index of a form, the word ending there and what leaving it out costs, if the form
/// has several words.
fn word_skips(f: Spelled, weighted: bool) -> Vec<Option<(usize, f64)>> {
    let mut out = vec![None; f.chars.len() + 1];
    if f.word_ends.len() > 1 {
        let mut start = 0;
        for &e in f.word_ends {
            let e = (e as usize).min(f.chars.len());
            if e > start {
                out[e] = Some((start, skip_word(&f.chars[start..e], weighted)));
            }
            start = e;
        }
    }
    out
}

thread_local! {
    /// The dynamic programming table, kept between calls: a search compares hundreds of forms.
    static TABLE: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Distances between `q` and `c`: the whole of `c`, and the best prefix of `c` (for a query
/// still being typed). Dynamic programming over the full table (names are short), with a whole
/// word of either side left out at once.
// The table is indexed by row and column together; iterators over one side would hide that.
#[allow(clippy::needless_range_loop)]
fn distances(q: Spelled, c: Spelled, weighted: bool) -> (f64, f64) {
    let costs = ascii_costs();
    // Latin forms are weighted by table; Khmer ones (or anything not ASCII) count each edit 1.
    let sub = |a: char, b: char| -> f32 {
        if weighted {
            costs[a as usize & 127][b as usize & 127]
        } else if a == b {
            0.0
        } else {
            1.0
        }
    };
    let del = |a: char| -> f32 {
        if weighted {
            indel(a) as f32
        } else {
            1.0
        }
    };
    let (n, m) = (q.chars.len(), c.chars.len());
    let w = m + 1;
    let skips =
        |f: Spelled| -> Vec<Option<(usize, f32)>> { word_skips(f, weighted).into_iter().map(|s| s.map(|(i, c)| (i, c as f32))).collect() };
    let (q_skip, c_skip) = (skips(q), skips(c));
    let c_del: Vec<f32> = c.chars.iter().map(|&b| del(b)).collect();
    TABLE.with(|t| {
        let mut d = t.borrow_mut();
        d.clear();
        d.resize((n + 1) * w, 0.0);
        for j in 1..=m {
            let mut v = d[j - 1] + c_del[j - 1];
            if let Some((s, cost)) = c_skip[j] {
                v = v.min(d[s] + cost);
            }
            d[j] = v;
        }
        for i in 1..=n {
            let a = q.chars[i - 1];
            let del_a = del(a);
            let (row, prev) = (i * w, (i - 1) * w);
            let mut v = d[prev] + del_a;
            if let Some((s, cost)) = q_skip[i] {
                v = v.min(d[s * w] + cost);
            }
            d[row] = v;
            for j in 1..=m {
                let mut v = (d[prev + j - 1] + sub(a, c.chars[j - 1])).min(d[prev + j] + del_a).min(d[row + j - 1] + c_del[j - 1]);
                if let Some((s, cost)) = q_skip[i] {
                    v = v.min(d[s * w + j] + cost);
                }
                if let Some((s, cost)) = c_skip[j] {
                    v = v.min(d[row + s] + cost);
                }
                d[row + j] = v;
            }
        }
        let last = &d[n * w..];
        (last[m] as f64, last.iter().copied().fold(f32::INFINITY, f32::min) as f64)
    })
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
