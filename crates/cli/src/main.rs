//! The `krousar` binary. Subcommand names and flags are part of the product's interface.

mod backup;
mod check;
mod config;
mod demo;
mod demo_cases;
mod demo_forms;
mod demo_groups;
mod demo_registers;
mod demo_support;
mod files;
mod import;
mod keys;
mod nation;
mod nation_cases;
mod nation_registers;
mod synth;
mod tls_args;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Parser, Subcommand};
use krousar_domain::choices::OrgKind;
use krousar_domain::Role;
use krousar_store::{Store, Who};
use std::io::Read;
use std::path::PathBuf;

// glibc malloc spent a fifth of a loaded server's CPU in malloc_consolidate and friends
// (BENCHMARKS.md, "Where a request's time goes"); mimalloc's thread-local pages do not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "krousar", version, about = "Case management for child protection and family-based care in Cambodia")]
struct Cli {
    /// Database: sqlite://PATH (embedded) or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "KROUSAR_DATABASE_URL")]
    database_url: Option<String>,
    /// The file holding the keys that seal sensitive information (default: `krousar.keys`
    /// beside the SQLite database, or in the current directory). Keep it out of the database's
    /// backups; several servers must share it.
    #[arg(long, global = true, env = "KROUSAR_KEY_FILE")]
    key_file: Option<PathBuf>,
    /// How log lines are written: `text` for a person reading, `json` (one object per line,
    /// with the request's id) for a log collector.
    #[arg(long, global = true, env = "KROUSAR_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    log_format: String,
    /// A TOML file of settings (the package's is /etc/krousar/krousar.toml): database_url,
    /// key_file and files_dir for every command; listen, TLS, sessions, sign-in limits, mail and
    /// metrics for `serve`. A flag or environment variable that is set wins over the file.
    #[arg(long, global = true, env = "KROUSAR_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application and API. Settings come from flags, then the environment,
    /// then the config file, then defaults.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long, env = "KROUSAR_LISTEN")]
        listen: Option<String>,
        /// Mark cookies Secure (when served over HTTPS).
        #[arg(long, env = "KROUSAR_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Where attached files are kept with SQLite (default: a `files` directory beside the
        /// database). With PostgreSQL files are kept in the database: files found here are
        /// moved into it.
        #[arg(long, env = "KROUSAR_FILES_DIR")]
        files_dir: Option<PathBuf>,
        /// Send no e-mail from this server (a restored copy or a rehearsal: notices stay in
        /// the inbox and their e-mails stay queued).
        #[arg(long, env = "KROUSAR_NO_MAIL")]
        no_mail: bool,
        #[command(flatten)]
        backups: backup::ScheduleArgs,
        #[command(flatten)]
        tls: tls_args::TlsArgs,
    },
    /// Bring records in from a workbook (Krousar's template or OSCaR's): checked first, then
    /// imported in one transaction (a second run creates nothing twice).
    Import(import::ImportArgs),
    /// Write an organisation's whole archive (records, files, schema, checksums) for another
    /// installation's `krousar import`.
    Export(import::ExportArgs),
    /// Make a consistent backup while Krousar runs (optionally encrypted with a passphrase).
    Backup(backup::BackupArgs),
    /// Copy the whole installation into another, empty database — SQLite to PostgreSQL or back
    /// — and prove that every table's rows arrived (stop the servers first).
    Copy {
        /// The target database (new and empty; migrated here).
        #[arg(long)]
        to: String,
        /// The source's files directory (SQLite; default: `files` beside the database).
        #[arg(long, env = "KROUSAR_FILES_DIR")]
        files_dir: Option<PathBuf>,
    },
    /// Check a backup and restore it (stop the servers first); what it replaces is kept.
    Restore(backup::RestoreArgs),
    /// Start with an embedded database and demo data (created on first start, reused after).
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        #[arg(long, default_value = "./krousar-demo")]
        data_dir: PathBuf,
        /// HTTPS for the demo (a phone on the network installs the offline app only over HTTPS).
        #[command(flatten)]
        tls: tls_args::TlsArgs,
    },
    /// Apply database migrations (and load the shipped gazetteer into an empty database).
    Migrate,
    /// Organisations.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// User accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The Cambodian gazetteer.
    Gazetteer {
        #[command(subcommand)]
        command: GazetteerCommand,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Walk the whole database and prove its derived state follows from its facts (where each
    /// child lives, stays, stages, visits, figures, merged records, the audit chain). Exits 1
    /// on any finding.
    Check {
        /// The report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The keys that seal sensitive information.
    Keys {
        #[command(subcommand)]
        command: keys::KeysCommand,
    },
    /// Generate synthetic but realistic children and households.
    GenData {
        #[arg(long, default_value_t = 1000)]
        children: usize,
        /// Where to create the SQLite database (ignored with --database-url).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Also open cases at every stage for this many children. Alone: the newest children,
        /// through the same operations as the pages (default none). With --orgs: spread over
        /// every organisation and written in bulk with their whole histories — notes, CSI,
        /// tracing, plans, approvals, placements, visits (default four children in ten).
        #[arg(long)]
        cases: Option<usize>,
        /// A synthetic nation: this many organisations with 50 users each, a ministry, RCIs,
        /// and the children shared out between the organisations' social workers.
        #[arg(long)]
        orgs: Option<usize>,
        /// RCIs to create with --orgs (default: two per organisation).
        #[arg(long)]
        rcis: Option<usize>,
    },
}

#[derive(Subcommand)]
enum OrgCommand {
    Add {
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["ngo", "ministry"])]
        kind: String,
    },
    List,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user; the password is read from standard input.
    Add {
        #[arg(long)]
        org: String,
        #[arg(long)]
        username: String,
        #[arg(long, value_parser = ["social-worker", "supervisor", "manager", "org-admin", "intake", "ministry", "system-admin"])]
        role: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        team: Option<String>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Print a new API token for a user (only its hash is stored).
    Create {
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "cli")]
        label: String,
    },
}

#[derive(Subcommand)]
enum GazetteerCommand {
    /// Load a newer NCDD release from a directory of workbooks (adds and renames; never deletes).
    Import { dir: PathBuf },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the hash chain; exit status 1 if it is broken.
    Verify,
}

/// How often a running server looks whether the audit chain's head is due to be signed into
/// the anchor file (`Store::spawn_audit_checkpoints`).
const AUDIT_CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// `audit verify`: the chain, held to the checkpoints signed with the key file; when intact, a
/// new checkpoint is signed. Exit status 1 when broken.
async fn audit_verify(store: Store, key_file: &std::path::Path) -> Result<()> {
    let keys = krousar_store::keyring::Keyring::open(key_file)
        .with_context(|| "the key file is needed to check the audit chain's signed checkpoints (--key-file)")?;
    let store = store.with_keys(keys);
    let v = store.verify_audit().await?;
    let mut checked = match &v.last {
        Some(c) => format!("{} signed checkpoints checked, the last at entry {} ({})", v.checkpoints, c.seq, c.at),
        None => "no signed checkpoint to check against".to_string(),
    };
    if v.retired > 0 {
        checked += &format!(" ({} signed with retired keys not checked)", v.retired);
    }
    if v.intact() {
        let since = v.chain.entries - v.last.as_ref().map_or(0, |c| c.seq);
        println!("audit chain intact: {} entries; {checked}; {since} entries since", v.chain.entries);
        store.checkpoint_audit().await?;
        return Ok(());
    }
    if !v.bad_lines.is_empty() {
        eprintln!("audit anchor file: lines {:?} are not signed with the key file (forged or damaged)", v.bad_lines);
    }
    if let (Some(seq), Some(why)) = (v.chain.broken_at, v.chain.why) {
        let reason = match why {
            krousar_store::audit::Break::Link => "an entry does not follow from the one before".to_string(),
            krousar_store::audit::Break::End => "entries were removed from the end".to_string(),
            krousar_store::audit::Break::Checkpoint => format!("does not match the signed checkpoint at entry {seq}"),
            krousar_store::audit::Break::Beyond => format!("the signed checkpoint at entry {seq} names an entry that is no longer there"),
        };
        eprintln!("audit chain BROKEN at entry {seq}: {reason} ({} entries verified before it)", v.chain.entries);
    }
    eprintln!("{checked}");
    std::process::exit(1);
}

/// Sign the audit chain's head before a backup, so the backup's chain is anchored (a missing
/// key file only warns: the backup matters more).
async fn checkpoint_before_backup(url: &str, key_file: &std::path::Path) {
    let signed = async {
        let store = Store::connect(url).await?.with_keys(krousar_store::keyring::Keyring::open(key_file)?);
        store.checkpoint_audit().await?;
        Ok::<(), anyhow::Error>(())
    }
    .await;
    if let Err(e) = signed {
        tracing::warn!(error = %e, "could not sign an audit checkpoint before the backup");
    }
}

/// After a restore the chain is an older one: the anchor file's later checkpoints no longer
/// apply. It is kept aside (for the record) and a new one starts.
fn set_aside_anchor(key_file: &std::path::Path) -> Result<()> {
    let anchor = key_file.with_file_name(krousar_store::audit_anchor::FILE_NAME);
    if anchor.exists() {
        let aside = anchor.with_extension(format!("audit-anchor.before-restore-{}", chrono::Utc::now().format("%Y%m%d-%H%M%S")));
        std::fs::rename(&anchor, &aside).with_context(|| format!("cannot set {} aside", anchor.display()))?;
        println!("the audit anchor file of the replaced chain is kept as {}", aside.display());
    }
    Ok(())
}

fn database_url(cli: &Option<String>) -> String {
    cli.clone().unwrap_or_else(|| "sqlite://krousar.db".to_string())
}

#[tokio::main]
async fn main() -> Result<()> {
    let mut cli = Cli::parse();
    let file = match &cli.config {
        Some(path) => config::FileConfig::read(path)?,
        None => config::FileConfig::default(),
    };
    cli.database_url = cli.database_url.or(file.database_url.clone());
    cli.key_file = cli.key_file.or(file.key_file.clone());
    let filter = || tracing_subscriber::EnvFilter::try_from_env("KROUSAR_LOG").unwrap_or_else(|_| "info".into());
    if cli.log_format == "json" {
        tracing_subscriber::fmt().json().with_current_span(true).with_env_filter(filter()).with_writer(std::io::stderr).init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter()).with_writer(std::io::stderr).init();
    }
    match cli.command {
        Command::Serve { listen, secure_cookies, files_dir, no_mail, backups, tls } => {
            let url = database_url(&cli.database_url);
            let listen = listen.or(file.listen.clone()).unwrap_or_else(|| "127.0.0.1:8080".into());
            let files = files_dir.or(file.files_dir.clone());
            let key_file = cli.key_file.unwrap_or_else(|| keys::default_key_file(&url));
            let certs = tls.certificates(&file, &key_file)?;
            let store = keys::attach(files::attach(Store::open(&url).await?, &url, files).await?, &key_file).await?;
            backup::schedule(store.clone(), url.clone(), backups)?;
            store.spawn_audit_checkpoints(AUDIT_CHECKPOINT_EVERY);
            tls_args::serve(store, file.web(secure_cookies, no_mail), &listen, certs).await
        }
        Command::Copy { to, files_dir } => {
            let url = database_url(&cli.database_url);
            if url == to {
                bail!("the source and the target are the same database");
            }
            let from = files::attach(Store::open(&url).await?, &url, files_dir.or(file.files_dir.clone())).await?;
            // Only the schema: the gazetteer and the installation id come from the source.
            let target = Store::connect(&to).await?;
            target.migrate().await?;
            let report = krousar_store::copy::copy_installation(&from, &target).await?;
            for t in &report.tables {
                println!("{:<40} {:>10} rows  {}", t.table, t.rows, t.digest);
            }
            let rows: i64 = report.tables.iter().map(|t| t.rows).sum();
            println!(
                "copied {} tables, {rows} rows, and {} attached files; every table was counted and digested on both sides and agrees.",
                report.tables.len(),
                report.files
            );
            println!("Point database_url at the new database and start the servers with the same key file.");
            Ok(())
        }
        Command::Backup(mut a) => {
            a.files_dir = a.files_dir.or(file.files_dir.clone());
            let url = database_url(&cli.database_url);
            checkpoint_before_backup(&url, &cli.key_file.unwrap_or_else(|| keys::default_key_file(&url))).await;
            backup::backup(&url, a).await
        }
        Command::Restore(a) => {
            let url = database_url(&cli.database_url);
            let check_only = a.check;
            let key_file = cli.key_file.unwrap_or_else(|| keys::default_key_file(&url));
            backup::restore(&url, a, &key_file).await?;
            if !check_only {
                set_aside_anchor(&key_file)?;
            }
            Ok(())
        }
        Command::Demo { listen, data_dir, tls } => demo::run(&listen, &data_dir, cli.database_url, cli.key_file, tls).await,
        Command::Keys { command } => {
            let url = database_url(&cli.database_url);
            let key_file = cli.key_file.unwrap_or_else(|| keys::default_key_file(&url));
            keys::run(Store::open(&url).await?, &key_file, command).await
        }
        Command::Migrate => {
            // Also the step that seals what an older version kept in clear (needs the key file).
            let url = database_url(&cli.database_url);
            let key_file = cli.key_file.unwrap_or_else(|| keys::default_key_file(&url));
            let store = keys::attach(Store::open(&url).await?, &key_file).await?;
            println!("database is up to date ({} places in the gazetteer)", store.location_count().await?);
            Ok(())
        }
        Command::Org { command } => {
            let store = Store::open(&database_url(&cli.database_url)).await?;
            match command {
                OrgCommand::Add { name, kind } => {
                    let kind = OrgKind::parse(&kind).ok_or_else(|| anyhow!("kind must be ngo or ministry"))?;
                    let org = store.create_org(Who::system(), &name, kind).await?;
                    println!("{}\t{}\t{}", org.id, org.code, org.name);
                }
                OrgCommand::List => {
                    for o in store.list_orgs().await? {
                        println!("{}\t{}\t{}\t{}", o.id, o.code, o.kind.code(), o.name);
                    }
                }
            }
            Ok(())
        }
        Command::User { command: UserCommand::Add { org, username, role, name, team } } => {
            let store = Store::open(&database_url(&cli.database_url)).await?;
            let org = store.org_by_name(&org).await.map_err(|_| anyhow!("no organisation named {org}"))?;
            let role = Role::parse(&role).ok_or_else(|| anyhow!("unknown role"))?;
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password)?;
            let password = password.trim_end_matches(['\n', '\r']);
            if !krousar_web::auth::password_acceptable(password) {
                bail!("the password (read from standard input) must have at least 10 characters");
            }
            let team_id = match team {
                None => None,
                Some(t) => {
                    let teams = store.teams(org.id).await?;
                    Some(match teams.into_iter().find(|x| x.name == t) {
                        Some(x) => x.id,
                        None => store.create_team(Who::system(), org.id, &t).await?.id,
                    })
                }
            };
            let hash = krousar_web::auth::hash_password(password).map_err(|e| anyhow!(e))?;
            let user = store
                .create_user(Who::system(), org.id, team_id, &username, name.as_deref().unwrap_or(&username), role, &hash, "km")
                .await?;
            println!("{}\t{}\t{}", user.id, user.username, user.role);
            Ok(())
        }
        Command::Token { command: TokenCommand::Create { username, label } } => {
            let store = Store::open(&database_url(&cli.database_url)).await?;
            let user = store.user_by_username(&username).await.map_err(|_| anyhow!("no user named {username}"))?;
            println!("{}", store.create_token(Who::system(), &user, &label).await?);
            Ok(())
        }
        Command::Gazetteer { command: GazetteerCommand::Import { dir } } => {
            let store = Store::open(&database_url(&cli.database_url)).await?;
            let places = krousar_store::gazetteer::read_dir(&dir)?;
            let release = dir.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "import".into());
            let s = store.import_places(Who::system(), &release, &places).await?;
            println!("added {}, renamed {}, unchanged {}, retired {}", s.added, s.renamed, s.unchanged, s.retired);
            Ok(())
        }
        // Archives carry attached files and sensitive information: the files directory and
        // the key file are the server's.
        Command::Import(mut args) => {
            args.files_dir = args.files_dir.or(file.files_dir.clone());
            let url = database_url(&cli.database_url);
            let key_file = cli.key_file.unwrap_or_else(|| keys::default_key_file(&url));
            let store = keys::attach(files::attach(Store::open(&url).await?, &url, args.files_dir.clone()).await?, &key_file).await?;
            import::run(&store, args).await
        }
        Command::Export(mut args) => {
            args.files_dir = args.files_dir.or(file.files_dir.clone());
            let url = database_url(&cli.database_url);
            let key_file = cli.key_file.unwrap_or_else(|| keys::default_key_file(&url));
            let store = keys::attach(files::attach(Store::open(&url).await?, &url, args.files_dir.clone()).await?, &key_file).await?;
            import::export(&store, args).await
        }
        Command::Check { json } => check::run(Store::connect(&database_url(&cli.database_url)).await?, json).await,
        Command::Audit { command: AuditCommand::Verify } => {
            let url = database_url(&cli.database_url);
            let key_file = cli.key_file.unwrap_or_else(|| keys::default_key_file(&url));
            audit_verify(Store::connect(&url).await?, &key_file).await
        }
        Command::GenData { children, data_dir, seed, cases, orgs, rcis } => {
            let url = match (cli.database_url, data_dir) {
                (Some(u), _) => u,
                (None, Some(dir)) => {
                    std::fs::create_dir_all(&dir)?;
                    format!("sqlite://{}", dir.join("krousar.db").display())
                }
                (None, None) => bail!("give --data-dir or --database-url"),
            };
            match orgs {
                Some(n) if n > 0 => {
                    let store = Store::open_with(&url, 1024).await?;
                    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(seed);
                    let sizes = nation::Sizes {
                        orgs: n,
                        children,
                        rcis: rcis.unwrap_or(2 * n),
                        cases: cases.unwrap_or(children * 2 / 5).min(children),
                    };
                    nation::generate(&store, sizes, &mut rng).await
                }
                _ => demo::gen_data(&url, children, seed, cases.unwrap_or(0)).await,
            }
        }
    }
}
