//! Ranked place search on the whole NCDD 2025 gazetteer: the spellings the tracker's issue 22
//! quotes, numbers in every form, unit words, cross-script queries, and properties over every
//! place (a place asked for by its own name is found first).

use krousar_match::place::Level;
use krousar_match::place_index::PlaceIndex;
use proptest::prelude::*;
use std::sync::OnceLock;

struct Place {
    code: String,
    km: String,
    latin: String,
}

fn gazetteer() -> &'static (Vec<Place>, PlaceIndex) {
    static G: OnceLock<(Vec<Place>, PlaceIndex)> = OnceLock::new();
    G.get_or_init(|| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../store/data/gazetteer-ncdd-2025.tsv");
        let places: Vec<Place> = std::fs::read_to_string(path)
            .expect("gazetteer")
            .lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                (f.len() >= 4).then(|| Place { code: f[0].into(), km: f[2].into(), latin: f[3].into() })
            })
            .collect();
        let index = PlaceIndex::new(places.iter().map(|p| (p.code.as_str(), p.km.as_str(), p.latin.as_str(), "")));
        (places, index)
    })
}

fn first(q: &str, level: Option<Level>, within: &str) -> Option<String> {
    gazetteer().1.search(q, level, within, 5).into_iter().next().map(|h| h.code)
}

/// The query finds `code` first within its district (province for a district), with the level
/// given and without it.
fn finds(q: &str, code: &str) {
    let within = &code[..if code.len() <= 4 { 2 } else { 4 }];
    assert_eq!(first(q, Level::of_code(code), within).as_deref(), Some(code), "{q} (level given)");
    let any = gazetteer().1.search(q, None, within, 5);
    assert!(any.iter().take(3).any(|h| h.code == code), "{q} (any level): {any:?}");
}

/// Found by the property below on CI: a whole name among fifty that begin alike, and two names
/// alike by sound where one is spelled exactly as asked.
#[test]
fn a_name_spelled_exactly_beats_one_alike() {
    finds("Trapeang Khan", "21091512");
    finds("ទីកល្អក់", "04061308");
    finds("Tik L'ak", "04061308");
    finds("ចេក", "08011704");
    finds("Chek", "08011704");
}

#[test]
fn spellings_other_sources_use_find_the_place() {
    finds("Praset", "08080901");
    finds("Veal Shouv", "03060111");
    finds("Cham Serei", "06040604");
    finds("Thmal Baek", "06020909");
    finds("Kaoh Ta Kouv", "07061205");
    finds("Khemmeakrakphumin", "0904");
    finds("Saen Meaknourum", "110302");
    finds("Kakaoh Chrum", "17030105");
    finds("Pra Uol Tuek", "14131109");
    finds("Prauol Tuek", "14131109");
    // The gazetteer writes Roman numerals here; other lists write the Khmer number.
    finds("Ou Ta Koam Muoy", "02030101");
    finds("Ou Ta Koam Pir", "02030102");
    finds("អូរតាគាំបី", "02030103");
}

#[test]
fn numbers_in_every_form_find_the_same_place() {
    for q in ["Rumchek 3", "Rumchek Bei", "Rumchek III", "រំចេក ៣", "រំចេកបី", "រំចេក3", "Phum Rumchek Bei"]
    {
        finds(q, "02030303");
    }
    for q in ["Boeng 75 Techou Chhneah Chneah", "Boeng Chet Pram Techou Chhneah Chneah", "បឹង៧៥តេជោឈ្នះឈ្នះ"]
    {
        finds(q, "01090514");
    }
    // Phum 9 of a commune, asked within the commune.
    assert_eq!(first("Phum Pram Buon", Some(Level::Village), "120201").as_deref(), Some("12020109"));
    assert_eq!(first("ភូមិប្រាំបួន", Some(Level::Village), "120201").as_deref(), Some("12020109"));
    assert_eq!(first("Phum IX", Some(Level::Village), "120201").as_deref(), Some("12020109"));
    assert_ne!(first("Phum Pram Bei", Some(Level::Village), "120201").as_deref(), Some("12020109"));
}

#[test]
fn unit_words_point_to_a_level_and_are_no_part_of_the_name() {
    // A new user typing a district anywhere in the country.
    let bakan = first("bakan", None, "").expect("Bakan");
    assert_eq!(Level::of_code(&bakan), Some(Level::District), "{bakan}");
    assert_eq!(first("kompong siem", None, "").as_deref(), Some("0306"));
    assert_eq!(first("Srok Kampong Siem", None, "").as_deref(), Some("0306"));
    assert_eq!(first("ស្រុកកំពង់សៀម", None, "").as_deref(), Some("0306"));
    // "Saen Monourom" is a commune and a municipality: the unit word says which.
    assert_eq!(first("Khum Saen Monourom", None, "11").as_deref(), Some("110302"));
    assert_eq!(first("Krong Saen Monourom", None, "11").as_deref(), Some("1105"));
}

#[test]
fn a_place_above_after_a_comma_narrows_the_answer() {
    let (places, index) = gazetteer();
    // Villages named វាល are many; the one in commune Kaoh Ta Kov's district is asked for with
    // its commune's name after a comma.
    let veal: Vec<&Place> = places.iter().filter(|p| p.latin == "Veal" && p.code.len() == 8).collect();
    assert!(veal.len() > 10);
    for v in veal.iter().take(8) {
        let commune = places.iter().find(|p| p.code == v.code[..6]).expect("commune");
        let hits = index.search(&format!("veal, {}", commune.latin), Some(Level::Village), "", 3);
        assert_eq!(hits.first().map(|h| h.code.as_str()), Some(v.code.as_str()), "veal, {}", commune.latin);
    }
}

#[test]
fn across_scripts() {
    let (places, _) = gazetteer();
    let latin_only = PlaceIndex::new(places.iter().map(|p| (p.code.as_str(), "", p.latin.as_str(), "")));
    let khmer_only = PlaceIndex::new(places.iter().map(|p| (p.code.as_str(), p.km.as_str(), "", "")));
    let braseth = places.iter().find(|p| p.code == "08080901").unwrap();
    assert_eq!(latin_only.search(&braseth.km, None, "0808", 1)[0].code, "08080901");
    assert_eq!(khmer_only.search("Braseth", None, "0808", 1)[0].code, "08080901");
    assert_eq!(khmer_only.search("Kaoh Ta Kov", Some(Level::Village), "0706", 1)[0].code, "07061205");
}

/// Two places a name in one script cannot tell apart: same level, same name in that script.
fn twins(a: &Place, b: &Place, khmer: bool) -> bool {
    a.code.len() == b.code.len()
        && if khmer {
            krousar_match::khmer_key(&a.km) == krousar_match::khmer_key(&b.km)
        } else {
            krousar_match::plain_key(&a.latin) == krousar_match::plain_key(&b.latin)
        }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Any place, asked for by its own Khmer or romanised name within its district (province),
    /// is found first, or a twin of it is.
    #[test]
    fn a_place_written_with_its_own_name_finds_itself(i in 0usize..16_463, khmer in any::<bool>()) {
        let (places, index) = gazetteer();
        let p = &places[i % places.len()];
        prop_assume!(p.code.len() >= 4);
        let within = &p.code[..if p.code.len() == 4 { 2 } else { 4 }];
        let q = if khmer { &p.km } else { &p.latin };
        prop_assume!(!q.trim().is_empty());
        let hits = index.search(q, Level::of_code(&p.code), within, 1);
        let got = places.iter().find(|x| Some(&x.code) == hits.first().map(|h| &h.code));
        prop_assert!(got.is_some_and(|g| twins(g, p, khmer)), "{q}: {:?}", hits);
    }

    /// A number written as digits, Khmer digits, romanised or Khmer words or a Roman numeral
    /// finds the same place.
    #[test]
    fn any_number_form_finds_the_same_place(n in 1u32..=12, form in 0usize..5) {
        let words = ["", "Muoy", "Pir", "Bei", "Buon", "Pram", "Pram Muoy", "Pram Pir", "Pram Bei", "Pram Buon", "Dab", "Dab Muoy", "Dab Pir"];
        let km = ["", "មួយ", "ពីរ", "បី", "បួន", "ប្រាំ", "ប្រាំមួយ", "ប្រាំពីរ", "ប្រាំបី", "ប្រាំបួន", "ដប់", "ដប់មួយ", "ដប់ពីរ"];
        let roman = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"];
        let khmer_digits: String = n.to_string().chars().map(|c| char::from_u32(0x17E0 + c.to_digit(10).unwrap()).unwrap()).collect();
        let q = match form {
            0 => format!("Phum {n}"),
            1 => format!("Phum {}", words[n as usize]),
            2 => format!("Phum {}", roman[n as usize]),
            3 => format!("ភូមិ{}", km[n as usize]),
            _ => format!("ភូមិ {khmer_digits}"),
        };
        // Commune 120201 (Phnom Penh) numbers its villages Phum 1 … Phum 12 or more.
        let (places, index) = gazetteer();
        let want: Vec<&str> = places.iter().filter(|p| p.code.starts_with("120201") && p.code.len() == 8 && p.latin == format!("Phum {n}")).map(|p| p.code.as_str()).collect();
        prop_assume!(!want.is_empty());
        let hits = index.search(&q, Some(Level::Village), "120201", 1);
        prop_assert!(hits.first().is_some_and(|h| want.contains(&h.code.as_str())), "{q}: {hits:?}");
    }

    /// Any text, however hostile, is answered: at most `limit` places, inside the scope and of
    /// the level asked, scored between 0 and 1, best first.
    #[test]
    fn any_query_is_answered_within_its_bounds(
        q in prop_oneof![any::<String>(), "[\u{1780}-\u{17FF}\u{200B} ,%_IVXivx0-9a-z]{0,80}"],
        level in proptest::option::of(0usize..4),
        within in prop_oneof![Just(String::new()), Just("02".to_string()), Just("0203".to_string()), Just("x%".to_string())],
        limit in 1usize..20,
    ) {
        let (_, index) = gazetteer();
        let level = level.map(|l| Level::ALL[l]);
        let hits = index.search(&q, level, &within, limit);
        prop_assert!(hits.len() <= limit);
        for h in &hits {
            prop_assert!(h.code.starts_with(&within) && h.code != within);
            prop_assert!(level.is_none_or(|l| Level::of_code(&h.code) == Some(l)));
            prop_assert!((0.0..=1.0).contains(&h.score));
        }
        prop_assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
    }
}

/// Every place of the gazetteer, asked for by its own name in each script within its district
/// (province), is found first or a twin of it is. A release build asks for all of them (CI:
/// `cargo test --release -p krousar-match --test place_search every_place`); a debug build, ten
/// times slower, every fifteenth.
#[test]
fn every_place_written_with_its_own_name_finds_itself() {
    let (places, index) = gazetteer();
    let mut missed = Vec::new();
    let step = if cfg!(debug_assertions) { 15 } else { 1 };
    for p in places.iter().filter(|p| p.code.len() >= 4).step_by(step) {
        let within = &p.code[..if p.code.len() == 4 { 2 } else { 4 }];
        for khmer in [true, false] {
            let q = if khmer { &p.km } else { &p.latin };
            if q.trim().is_empty() {
                continue;
            }
            let hits = index.search(q, Level::of_code(&p.code), within, 1);
            let got = places.iter().find(|x| Some(&x.code) == hits.first().map(|h| &h.code));
            if !got.is_some_and(|g| twins(g, p, khmer)) {
                missed.push(format!("{} {q}: {:?}", p.code, hits));
            }
        }
    }
    assert!(missed.is_empty(), "{} missed:\n{}", missed.len(), missed.join("\n"));
}
