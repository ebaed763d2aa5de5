//! `krousar import`: a workbook checked (the dry run) and, unless asked only to check, imported
//! in one transaction — with a progress bar for each pass and the report printed in the chosen
//! language and written as CSV on request.

use anyhow::{anyhow, bail, Result};
use indicatif::{ProgressBar, ProgressStyle};
use krousar_domain::{Actor, Role};
use krousar_store::Store;
use krousar_web::i18n::{Lang, Tr};
use krousar_web::import_report;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct ImportArgs {
    /// The workbook: XLSX or CSV, in Krousar's template or OSCaR's import template.
    file: PathBuf,
    /// The organisation (name or code) the records belong to (not for an archive, which names
    /// its own).
    #[arg(long)]
    org: Option<String>,
    /// The administrator of the organisation the import is recorded under (default: its first).
    #[arg(long)]
    user: Option<String>,
    /// Check only: print the report, write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Take every suggested fix (places, dates, IDs) instead of what the workbook says.
    #[arg(long)]
    accept_fixes: bool,
    /// Also write the report to this CSV file.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Where the server keeps attached files (as `serve --files-dir`), for an archive's files.
    #[arg(long, env = "KROUSAR_FILES_DIR")]
    pub files_dir: Option<PathBuf>,
    /// The report's language: km or en.
    #[arg(long, default_value = "km")]
    lang: String,
}

fn bar(what: &str) -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} {elapsed}").expect("template").progress_chars("=> "));
    bar.set_message(what.to_string());
    bar
}

fn ticker(bar: &ProgressBar) -> impl FnMut(usize, usize) + Send + '_ {
    move |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    }
}

pub async fn acting_admin(store: &Store, org: uuid::Uuid, user: Option<&str>) -> Result<Actor> {
    let admins: Vec<_> = store.users(Some(org)).await?.into_iter().filter(|u| u.role == Role::OrgAdmin && !u.disabled).collect();
    let found = match user {
        Some(name) => admins.into_iter().find(|u| u.username == name.to_lowercase()),
        None => admins.into_iter().next(),
    };
    found
        .map(|u| u.actor())
        .ok_or_else(|| anyhow!("the organisation needs an enabled org-admin account to import under (krousar user add … --role org-admin)"))
}

/// Whether the file is an organisation archive (`krousar export`) rather than a workbook.
fn is_archive(path: &std::path::Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else { return false };
    zip::ZipArchive::new(file).is_ok_and(|mut z| z.by_name("manifest.json").is_ok() && z.by_name("[Content_Types].xml").is_err())
}

pub async fn run(store: &Store, args: ImportArgs) -> Result<()> {
    if is_archive(&args.file) {
        let org = store.import_archive(&args.file).await?;
        println!("organisation {org} loaded from the archive");
        return Ok(());
    }
    let tr = Tr::new(Lang::parse(&args.lang).unwrap_or(Lang::Km));
    let name = args.org.as_deref().ok_or_else(|| anyhow!("give --org: the organisation the workbook's records belong to"))?;
    let org = store.org_by_name(name).await.map_err(|_| anyhow!("no organisation named {name}"))?;
    let admin = acting_admin(store, org.id, args.user.as_deref()).await?;
    let bytes = std::sync::Arc::new(std::fs::read(&args.file)?);
    let name = args.file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let checking = bar("check");
    let tick = checking.clone();
    let progress: krousar_store::imports::Progress = std::sync::Arc::new(move |done, total| {
        tick.set_length(total as u64);
        tick.set_position(done as u64);
    });
    let checked = store.check_workbook(&admin, &name, bytes, args.accept_fixes, true, progress).await;
    checking.finish();
    let (plan, report) = match checked {
        Err(krousar_store::StoreError::Invalid(e)) => bail!("{}", tr.t(e.errors[0].code)),
        other => other?,
    };
    for p in &report.problems {
        let row = if p.row == 0 { String::new() } else { format!(" {} {}", tr.t("imp-report-row"), p.row) };
        let column = if p.column.is_empty() { String::new() } else { format!(" [{}]", p.column) };
        let value = if p.value.is_empty() { String::new() } else { format!(" «{}»", p.value) };
        let fix = p.fix.as_deref().map(|f| format!(" → {f}")).unwrap_or_default();
        println!("{}: {}{row}{column}{value}: {}{fix}", import_report::severity(&tr, p.severity), p.sheet, import_report::message(&tr, p));
    }
    let c = &report.counts;
    println!(
        "staff {}, households {}, children {}, cases {}; already imported {}; errors {} ({} without a suggested fix), warnings {}",
        c.staff,
        c.households,
        c.children,
        c.cases,
        c.already_imported,
        report.errors(),
        report.errors_without_fix(),
        report.warnings()
    );
    if let Some(path) = &args.report {
        std::fs::write(path, import_report::csv(&tr, &report))?;
    }
    if args.dry_run {
        return Ok(());
    }
    if !report.importable(args.accept_fixes) {
        let hint = if report.errors_without_fix() == 0 { " (or run again with --accept-fixes)" } else { "" };
        bail!("nothing imported: fix the errors in the workbook{hint}");
    }
    if plan.staff.is_empty() && plan.households.is_empty() && plan.children.is_empty() {
        println!("nothing new to import");
        return Ok(());
    }
    let writing = bar("import");
    let id = store.import_plan(&admin, &plan, &report, &mut ticker(&writing)).await?;
    writing.finish();
    println!("imported (import {id})");
    Ok(())
}

#[derive(clap::Args)]
pub struct ExportArgs {
    /// The organisation (name or code) whose archive to make.
    #[arg(long)]
    org: String,
    /// The administrator of the organisation the export is recorded under (default: its first).
    #[arg(long)]
    user: Option<String>,
    /// Where to write the archive (a zip).
    #[arg(long)]
    out: PathBuf,
    /// Where the server keeps attached files (as `serve --files-dir`).
    #[arg(long, env = "KROUSAR_FILES_DIR")]
    pub files_dir: Option<PathBuf>,
}

/// `krousar export`: the organisation's whole archive, for another installation.
pub async fn export(store: &Store, args: ExportArgs) -> Result<()> {
    let org = store.org_by_name(&args.org).await.map_err(|_| anyhow!("no organisation named {}", args.org))?;
    let admin = acting_admin(store, org.id, args.user.as_deref()).await?;
    let m = store.export_archive(&admin, &args.out).await?;
    let rows: i64 = m.files.iter().filter(|f| f.path.starts_with("records/")).map(|f| f.rows).sum();
    println!("{}: {} files, {rows} records, written to {}", m.organisation_name, m.files.len(), args.out.display());
    for (table, n) in &m.left_behind {
        println!("left behind: {n} rows of {table} that refer to another organisation's records");
    }
    Ok(())
}
