//! Synthetic but realistic children and households: Khmer names from the kname list (with
//! their romanisations, varied as people really spell them), villages from the real gazetteer,
//! more children where the country has more (Phnom Penh, Battambang, Siem Reap).

use chrono::{Datelike, NaiveDate};
use krousar_domain::child::ChildFields;
use krousar_domain::choices::*;
use krousar_domain::household::{HouseholdFields, Member};
use krousar_store::gazetteer::{Level, Place};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::Rng;
use serde::Deserialize;

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Name {
    pub given_name: String,
    pub surname: String,
    pub gender: String,
    pub romanized_given: String,
    pub romanized_surname: String,
}

pub struct Synth {
    names: Vec<Name>,
    villages: Vec<(String, u32)>,
    total_weight: u32,
}

/// Relative weight of provinces by population of children in care (rough, for realism).
fn province_weight(code: &str) -> u32 {
    match code {
        "12" => 12, // Phnom Penh
        "02" => 8,  // Battambang
        "17" => 7,  // Siem Reap
        "03" | "08" | "14" | "21" => 5,
        "01" | "04" | "05" | "06" | "07" | "13" | "15" | "18" | "20" | "22" | "25" => 3,
        _ => 1,
    }
}

/// A place's name without its unit (ខេត្ត, រាជធានី, ស្រុក…), in Khmer and in Latin, from the
/// gazetteer: ("បាត់ដំបង", "Battambang") for "02". Empty strings for an unknown code.
pub fn place_names(places: &[Place], code: &str) -> (String, String) {
    let Some(p) = places.iter().find(|p| p.code == code) else { return (String::new(), String::new()) };
    let km = p.name_km.strip_prefix(p.kind_km.as_str()).unwrap_or(&p.name_km).trim().to_string();
    let mut latin = p.name_latin.as_str();
    for unit in [" Province", " Capital", " District", " Municipality", " Khan", " Commune", " Sangkat", " Village"] {
        latin = latin.strip_suffix(unit).unwrap_or(latin);
    }
    (km, latin.trim().to_string())
}

/// The province of a village (or any place) code, named as `place_names` does.
pub fn province_names(places: &[Place], code: &str) -> (String, String) {
    place_names(places, code.get(..2).unwrap_or(code))
}

/// The province of a code with its unit, as Khmer writes it: "ខេត្តបាត់ដំបង", "រាជធានីភ្នំពេញ".
pub fn province_km(places: &[Place], code: &str) -> String {
    let province = code.get(..2).unwrap_or(code);
    places.iter().find(|p| p.code == province).map(|p| p.name_km.clone()).unwrap_or_default()
}

/// A residential care institution's name in Khmer with the Latin in brackets, naming the
/// province it is in: "មណ្ឌលកុមារសៀមរាប ០០៧ (Siemreap Children's Centre 007)".
pub fn rci_name(places: &[Place], village: &str, n: usize) -> String {
    let (_, latin) = province_names(places, village);
    let digits: String = format!("{n:03}").chars().map(|c| char::from_u32(c as u32 - '0' as u32 + 0x17E0).unwrap_or(c)).collect();
    format!("មណ្ឌលកុមារ {} {digits} ({latin} Children's Centre {n:03})", province_km(places, village))
}

/// The latest day a child can have been born on, as her record says: her date of birth, or the
/// last day of the estimated year (never after `today`). Nothing about her is dated before it.
pub fn born_by(f: &ChildFields, today: NaiveDate) -> NaiveDate {
    let year_end = f.estimated_birth_year.and_then(|y| NaiveDate::from_ymd_opt(y, 12, 31));
    f.date_of_birth.or(year_end).unwrap_or(today).min(today)
}

/// A romanisation as another clerk might write it.
fn vary(rng: &mut StdRng, s: &str) -> String {
    let variants: &[(&str, &str)] = &[("ey", "ei"), ("ea", "ie"), ("ou", "o"), ("kh", "k"), ("nn", "n"), ("ch", "chh")];
    if rng.random_ratio(1, 4) {
        if let Some((a, b)) = variants.choose(rng) {
            let lower = s.to_lowercase();
            if lower.contains(a) {
                let replaced = lower.replacen(a, b, 1);
                let mut c = replaced.chars();
                return c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default();
            }
        }
    }
    s.to_string()
}

impl Synth {
    pub fn new(places: &[Place], provinces: Option<&[&str]>) -> Synth {
        let names: Vec<Name> = serde_json::from_str(include_str!("../data/khmer_names.json")).expect("names list is valid JSON");
        let villages: Vec<(String, u32)> = places
            .iter()
            .filter(|p| p.level == Level::Village)
            .filter(|p| provinces.is_none_or(|ps| ps.contains(&&p.code[..2])))
            .map(|p| (p.code.clone(), province_weight(&p.code[..2])))
            .collect();
        let total_weight = villages.iter().map(|v| v.1).sum();
        Synth { names, villages, total_weight }
    }

    pub fn village(&self, rng: &mut StdRng) -> String {
        let mut pick = rng.random_range(0..self.total_weight.max(1));
        for (code, w) in &self.villages {
            if pick < *w {
                return code.clone();
            }
            pick -= w;
        }
        self.villages.last().map(|v| v.0.clone()).unwrap_or_default()
    }

    fn name_of(&self, rng: &mut StdRng, sex: Sex) -> &Name {
        let want = if sex == Sex::Female { "female" } else { "male" };
        loop {
            let n = self.names.choose(rng).expect("names");
            if n.gender == want || n.gender == "unisex" || rng.random_ratio(1, 20) {
                return n;
            }
        }
    }

    fn surname(&self, rng: &mut StdRng) -> (String, String) {
        let n = self.names.choose(rng).expect("names");
        (n.surname.clone(), n.romanized_surname.clone())
    }

    pub fn child(&self, rng: &mut StdRng, today: NaiveDate, rci: Option<uuid::Uuid>) -> (ChildFields, (String, String)) {
        let sex = if rng.random_bool(0.49) { Sex::Female } else { Sex::Male };
        let given = self.name_of(rng, sex).clone();
        let (fam_km, fam_latin) = self.surname(rng);
        let age_days = rng.random_range(0..18 * 365);
        let dob = today - chrono::Duration::days(age_days);
        let exact = rng.random_ratio(7, 10);
        let protection: Vec<Protection> = Protection::ALL.iter().copied().filter(|_| rng.random_ratio(1, 8)).take(3).collect();
        let disability = if rng.random_ratio(1, 12) { *Disability::ALL[1..].choose(rng).expect("list") } else { Disability::None };
        let fields = ChildFields {
            given_name_km: Some(given.given_name.clone()),
            family_name_km: Some(fam_km.clone()),
            given_name_latin: Some(vary(rng, &given.romanized_given)),
            family_name_latin: Some(vary(rng, &fam_latin)),
            nickname: None,
            sex,
            date_of_birth: exact.then_some(dob),
            estimated_birth_year: (!exact).then_some(dob.year()),
            birth_registration: *BirthRegistration::ALL.choose(rng).expect("list"),
            birth_certificate_number: None,
            id_poor: *IdPoor::ALL.choose(rng).expect("list"),
            disability,
            protection,
            protection_note: None,
            village_code: Some(self.village(rng)),
            living_arrangement: if rci.is_some() { LivingArrangement::InRci } else { LivingArrangement::WithFamily },
            rci_id: rci,
        };
        (fields, (fam_km, fam_latin))
    }

    pub fn household(&self, rng: &mut StdRng, family: &(String, String), village: Option<String>, today: NaiveDate) -> HouseholdFields {
        let mother = self.name_of(rng, Sex::Female).clone();
        let grand = self.name_of(rng, Sex::Female).clone();
        let mut members = vec![Member {
            id: None,
            name_km: Some(format!("{} {}", self.surname(rng).0, mother.given_name)),
            name_latin: Some(format!("{} {}", self.surname(rng).1, mother.romanized_given)),
            relationship: Relationship::Mother,
            sex: Some(Sex::Female),
            birth_year: Some(today.year() - rng.random_range(24..48)),
            is_head: true,
            phone: Some(format!("0{} {:03} {:03}", rng.random_range(10..99), rng.random_range(0..1000), rng.random_range(0..1000))),
        }];
        if rng.random_bool(0.6) {
            let father = self.name_of(rng, Sex::Male).clone();
            members.push(Member {
                id: None,
                name_km: Some(format!("{} {}", family.0, father.given_name)),
                name_latin: Some(format!("{} {}", family.1, father.romanized_given)),
                relationship: Relationship::Father,
                sex: Some(Sex::Male),
                birth_year: Some(today.year() - rng.random_range(26..55)),
                is_head: false,
                phone: None,
            });
        }
        if rng.random_bool(0.4) {
            members.push(Member {
                id: None,
                name_km: Some(grand.given_name.clone()),
                name_latin: Some(grand.romanized_given.clone()),
                relationship: Relationship::Grandparent,
                sex: Some(Sex::Female),
                birth_year: Some(today.year() - rng.random_range(55..80)),
                is_head: false,
                phone: None,
            });
        }
        HouseholdFields {
            name: format!("{} / {}", family.0, family.1),
            phone: members[0].phone.clone(),
            village_code: village,
            address_detail: None,
            income_band: *IncomeBand::ALL.choose(rng).expect("list"),
            id_poor: *IdPoor::ALL.choose(rng).expect("list"),
            id_poor_number: None,
            members,
        }
    }
}
