//! Regenerate the gazetteer shipped in the binary from a directory of NCDD workbooks:
//! `cargo run -p krousar-store --example dump_gazetteer -- DIR > crates/store/data/gazetteer-ncdd-2025.tsv`

fn main() {
    let dir = std::env::args().nth(1).expect("usage: dump_gazetteer DIR");
    let places = krousar_store::gazetteer::read_dir(std::path::Path::new(&dir)).expect("readable NCDD workbooks");
    print!("{}", krousar_store::gazetteer::to_tsv(&places));
}
