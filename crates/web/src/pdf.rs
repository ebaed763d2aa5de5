//! PDF through headless Chromium's print-to-PDF: the only renderer checked here that shapes
//! Khmer correctly (subscript consonants, vowel reordering) and embeds the fonts. Our own HTML
//! (every value escaped by the template) is written to a private temporary directory; Chromium
//! gets no network and its own throwaway profile. At most two render at once on a small server.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;
use tokio::sync::Semaphore;

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("no Chromium found (set KROUSAR_CHROMIUM)")]
    NoChromium,
    #[error("pdf rendering failed: {0}")]
    Failed(String),
}

fn slots() -> &'static Semaphore {
    static S: OnceLock<Semaphore> = OnceLock::new();
    S.get_or_init(|| Semaphore::new(2))
}

/// The Chromium to use: `KROUSAR_CHROMIUM`, else the first of the usual names on the PATH.
pub fn chromium() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("KROUSAR_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

pub async fn html_to_pdf(html: &str) -> Result<Vec<u8>, PdfError> {
    let bin = chromium().ok_or(PdfError::NoChromium)?;
    let _slot = slots().acquire().await.map_err(|e| PdfError::Failed(e.to_string()))?;
    let dir = std::env::temp_dir().join(format!("krousar-pdf-{}", uuid::Uuid::now_v7()));
    let fail = |e: std::io::Error| PdfError::Failed(e.to_string());
    // The page holds a child's record: only this process may read it while Chromium renders.
    private_dir(&dir).map_err(fail)?;
    let page = dir.join("form.html");
    let out = dir.join("form.pdf");
    tokio::fs::write(&page, html).await.map_err(fail)?;
    let run = tokio::process::Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-extensions",
            "--disable-background-networking",
            "--no-first-run",
            "--no-pdf-header-footer",
            "--proxy-server=127.0.0.1:9",
            "--proxy-bypass-list=<-loopback>",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("--print-to-pdf={}", out.display()))
        .arg(format!("file://{}", page.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .status();
    let status = tokio::time::timeout(Duration::from_secs(60), run).await;
    let bytes = match status {
        Ok(Ok(s)) if s.success() => tokio::fs::read(&out).await.map_err(fail),
        Ok(Ok(s)) => Err(PdfError::Failed(format!("chromium exited with {s}"))),
        Ok(Err(e)) => Err(fail(e)),
        Err(_) => Err(PdfError::Failed("chromium took longer than 60 s".into())),
    };
    let _ = tokio::fs::remove_dir_all(&dir).await;
    let bytes = bytes?;
    if !bytes.starts_with(b"%PDF") {
        return Err(PdfError::Failed("not a PDF".into()));
    }
    Ok(bytes)
}

fn private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}
