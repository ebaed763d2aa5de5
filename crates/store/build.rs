fn main() {
    // sqlx::migrate! embeds the folders; a new migration file must rebuild the crate.
    println!("cargo:rerun-if-changed=migrations");
}
