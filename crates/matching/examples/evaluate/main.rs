//! Matching quality, measured: `cargo run --release -p krousar-match --example evaluate`
//! (`-- places` or `-- names` for one part, `--misses N` to list misses of the tuning part).
//! BENCHMARKS.md keeps the tables.

mod names;
mod places;
mod previous;
mod sources;

use krousar_match::place_index::PlaceIndex;

pub struct Lcg(pub u64);
impl Lcg {
    pub fn step(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.step() % n as u64) as usize
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let misses = args.iter().position(|a| a == "--misses").and_then(|i| args.get(i + 1)?.parse().ok()).unwrap_or(0);
    let show = args.iter().position(|a| a == "--source").and_then(|i| args.get(i + 1)).cloned().unwrap_or_default();
    let only = |part: &str| !args.iter().any(|a| a == "places" || a == "names") || args.iter().any(|a| a == part);
    println!("# Matching evaluation (krousar-match)");
    if only("places") {
        let gaz = places::gazetteer();
        let start = std::time::Instant::now();
        let index = PlaceIndex::new(gaz.iter().map(|p| (p.code.as_str(), p.km.as_str(), p.latin.as_str(), "")));
        let latin_only = PlaceIndex::new(gaz.iter().map(|p| (p.code.as_str(), "", p.latin.as_str(), "")));
        let khmer_only = PlaceIndex::new(gaz.iter().map(|p| (p.code.as_str(), p.km.as_str(), "", "")));
        println!("\n(three indexes of {} places built in {:.0?})", index.len(), start.elapsed());
        let m = places::Methods { index: &index, latin_only: &latin_only, khmer_only: &khmer_only, places: &gaz };
        let cases = places::cases(&gaz, &mut Lcg(2026));
        places::report("Places: other spellings, each looked for within its district (or province)", &cases, &m, misses, &show);
        places::report("Places across scripts (every fifth place)", &places::cross_script(&gaz), &m, misses, &show);
    }
    if only("names") {
        names::names();
    }
}
