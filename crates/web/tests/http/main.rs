//! Integration tests through HTTP against a real server on 127.0.0.1 and a real database:
//! SQLite always, and PostgreSQL too when `KROUSAR_TEST_POSTGRES_URL` is set (CI sets it).

mod access;
mod accounts;
mod admin_accounts;
mod api;
mod app;
mod bulk_reads;
mod carers;
mod cases;
mod cash;
mod check_page;
mod device_sessions;
mod devices;
mod disclosure;
mod duplicates;
mod export;
mod figures;
mod hardening;
mod imports;
mod indicators;
mod pages;
mod place_search;
mod rci_transition;
mod records;
mod referrals;
mod search;
mod second_step_everywhere;
mod sensitive;
mod sign_in;
mod sweep;
mod sync;
mod teams;
mod totp_sealed;
mod training;
mod visits;
