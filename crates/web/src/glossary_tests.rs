//! The glossary of Krousar's Khmer terms (`docs/glossary.md`): every role, stage, pick-list value
//! and field label, in Khmer and English, with where it is used — one file a Khmer-speaking
//! reviewer can read from top to bottom. Made from the translation files, so it cannot drift:
//! this test fails when it is out of date, and `KROUSAR_WRITE_GLOSSARY=1 cargo test -p
//! krousar-web glossary` writes it again.

use std::collections::{BTreeMap, BTreeSet};

fn messages(lang: &str) -> BTreeMap<String, String> {
    let path = format!("{}/locales/{lang}/main.ftl", env!("CARGO_MANIFEST_DIR"));
    let mut out = BTreeMap::new();
    let mut last: Option<String> = None;
    for line in std::fs::read_to_string(path).unwrap().lines() {
        if let Some((k, v)) = line.split_once(" = ").filter(|(k, _)| k.chars().next().is_some_and(|c| c.is_ascii_lowercase())) {
            out.insert(k.to_string(), v.trim().to_string());
            last = Some(k.to_string());
        } else if line.starts_with(' ') {
            // A message over several lines (plural forms): its lines joined.
            if let Some(k) = &last {
                let v = out.entry(k.clone()).or_default();
                v.push(' ');
                v.push_str(line.trim());
            }
        } else {
            last = None;
        }
    }
    out
}

/// The source files that name each key (templates and handlers), by file name.
fn uses() -> BTreeMap<String, BTreeSet<String>> {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![std::path::PathBuf::from(format!("{root}/templates")), std::path::PathBuf::from(format!("{root}/src"))];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if name.ends_with("_tests.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            for literal in text.split('"').skip(1).step_by(2) {
                if literal.starts_with("field-") || literal.starts_with("role-") {
                    out.entry(literal.to_string()).or_default().insert(name.clone());
                }
            }
        }
    }
    out
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

fn glossary() -> String {
    let (en, km, uses) = (messages("en"), messages("km"), uses());
    let mut md = String::from(
        "# Glossary of Krousar's Khmer terms\n\n\
         Every role, case stage, ministry form, pick-list value and field label of the interface, in Khmer and\n\
         English, with where it is used. Made from `crates/web/locales/*/main.ftl` by a test\n\
         (`KROUSAR_WRITE_GLOSSARY=1 cargo test -p krousar-web glossary`), so it is always the text the pages show;\n\
         change a term in the translation files, never here. The terms follow the MoSVY case-management forms as\n\
         OSCaR prints them and the government's own pages where they give one (reviewed in `../shared/khmer-terms.md`):\n\
         *case* is ករណី, *follow-up visit* ការចុះតាមដាន, *foster care* ការថែទាំដោយគ្រួសារធម៌, the *ID Poor* card\n\
         ប័ណ្ណសមធម៌ (Ministry of Planning). A Khmer-speaking social worker who knows the forms should confirm\n\
         the rest.\n",
    );
    let section = |md: &mut String, title: &str, rows: Vec<(String, String)>| {
        md.push_str(&format!("\n## {title}\n\n| key | Khmer | English | where used |\n|---|---|---|---|\n"));
        for (key, used) in rows {
            let (k, e) = (km.get(&key).cloned().unwrap_or_default(), en.get(&key).cloned().unwrap_or_default());
            md.push_str(&format!("| `{key}` | {} | {} | {} |\n", cell(&k), cell(&e), cell(&used)));
        }
    };
    let keys_with = |prefix: &str| en.keys().filter(|k| k.starts_with(prefix)).cloned().collect::<Vec<_>>();
    let used_in = |k: &str| uses.get(k).map(|f| f.iter().cloned().collect::<Vec<_>>().join(", ")).unwrap_or_default();
    section(&mut md, "Roles", keys_with("role-").into_iter().map(|k| (k, "accounts, sign-in (demo), audit".into())).collect());
    section(&mut md, "Case stages", keys_with("opt-stage-").into_iter().map(|k| (k, "case page, lists, dashboard".into())).collect());
    section(&mut md, "Ministry forms", (1..=6).map(|n| (format!("form-{n}-title"), format!("form {n} (PDF and print view)"))).collect());
    // Pick-lists: `opt-<list>-<value>`, each list by its name.
    let mut lists: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for k in keys_with("opt-") {
        let rest = &k["opt-".len()..];
        let list = rest.rsplit_once('-').map(|(l, _)| l).unwrap_or(rest).to_string();
        lists.entry(list).or_default().push(k);
    }
    let mut rows = Vec::new();
    for (list, keys) in lists {
        rows.extend(keys.into_iter().map(|k| (k, format!("pick-list `{list}`"))));
    }
    section(&mut md, "Pick-list values", rows);
    section(&mut md, "Field labels", keys_with("field-").into_iter().map(|k| (k.clone(), used_in(&k))).collect());
    md
}

#[test]
fn the_glossary_is_the_translation_files_as_they_are() {
    let path = format!("{}/../../docs/glossary.md", env!("CARGO_MANIFEST_DIR"));
    let made = glossary();
    if std::env::var("KROUSAR_WRITE_GLOSSARY").is_ok() {
        std::fs::write(&path, &made).unwrap();
    }
    let kept = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(kept == made, "docs/glossary.md is out of date: KROUSAR_WRITE_GLOSSARY=1 cargo test -p krousar-web glossary");
}
