//! What templates need, prepared in Rust: the page frame, translated select options, and rows
//! of lists as display strings. Templates stay free of logic.

use crate::caller::Current;
use crate::i18n::Tr;
use chrono::NaiveDate;
use krousar_domain::child::ChildFields;
use krousar_domain::policy::{decide, Target};
use krousar_domain::{Action, Invalid};
use krousar_store::children::Child;
use krousar_store::locations::LocationPath;

/// The frame around every page.
pub struct Layout {
    pub tr: Tr,
    /// The page's heading: it may name a child, a family or a worker.
    pub title: String,
    /// The window's title: only the part of Krousar the page belongs to, never a name (titles
    /// stay in the browser's history after signing out, which no wipe clears).
    pub doc_title: String,
    pub nav: Vec<NavLink>,
    pub user_name: String,
    pub csrf: String,
    pub signed_in: bool,
    /// Unread notices (the number beside the bell), and what the bell says to a screen reader.
    pub unread: i64,
    pub inbox_label: String,
}

pub struct NavLink {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

impl Layout {
    pub fn anonymous(tr: Tr, title_key: &str) -> Layout {
        let title = tr.t(title_key);
        Layout {
            tr,
            doc_title: title.clone(),
            title,
            nav: Vec::new(),
            user_name: String::new(),
            csrf: String::new(),
            signed_in: false,
            unread: 0,
            inbox_label: String::new(),
        }
    }

    /// The frame for a signed-in user: the menu shows only what the role may use.
    pub fn new(cur: &Current, title: String, section: &str) -> Layout {
        let tr = cur.tr;
        let a = &cur.actor;
        let mut nav = vec![("/", "nav-home", true)];
        nav.push(("/children", "nav-children", decide(a, Action::ListChildren, Target::Nothing).allowed()));
        nav.push(("/households", "nav-households", decide(a, Action::ListHouseholds, Target::Nothing).allowed()));
        nav.push(("/carers", "nav-carers", decide(a, Action::ListCarers, Target::Organisation(a.org_id)).allowed()));
        nav.push(("/team", "nav-team", decide(a, Action::ViewTeam, Target::Organisation(a.org_id)).allowed()));
        nav.push(("/referrals", "nav-referrals", decide(a, Action::ListReferrals, Target::Organisation(a.org_id)).allowed()));
        nav.push(("/distributions", "nav-distributions", decide(a, Action::ManageDistributions, Target::Organisation(a.org_id)).allowed()));
        nav.push(("/groups", "nav-groups", decide(a, Action::ManageGroups, Target::Organisation(a.org_id)).allowed()));
        nav.push((
            "/inquiries",
            "nav-inquiries",
            decide(a, Action::RecordInquiry, Target::Organisation(a.org_id)).allowed()
                || decide(a, Action::AnswerMatch, Target::Organisation(a.org_id)).allowed(),
        ));
        nav.push((
            "/figures",
            "nav-figures",
            decide(a, Action::ViewAggregates, Target::Nothing).allowed()
                || decide(a, Action::ViewAggregates, Target::Organisation(a.org_id)).allowed(),
        ));
        nav.push(("/dashboard", "nav-dashboard", !krousar_store::indicators::Reach::available(a).is_empty()));
        nav.push((
            "/cash",
            "nav-cash",
            decide(a, Action::ListChildren, Target::Nothing).allowed() || decide(a, Action::ViewAggregates, Target::Nothing).allowed(),
        ));
        nav.push(("/training", "nav-training", decide(a, Action::ManageTraining, Target::Organisation(a.org_id)).allowed()));
        nav.push(("/rcis", "nav-rcis", true));
        nav.push(("/admin/users", "nav-users", decide(a, Action::ManageUsers, Target::Organisation(a.org_id)).allowed()));
        nav.push((
            "/admin/case-settings",
            "nav-case-settings",
            decide(a, Action::ManageCaseSettings, Target::Organisation(a.org_id)).allowed(),
        ));
        nav.push(("/admin/import", "nav-import", decide(a, Action::ImportRecords, Target::Organisation(a.org_id)).allowed()));
        nav.push(("/app", "nav-offline", decide(a, Action::WorkOffline, Target::Organisation(a.org_id)).allowed()));
        nav.push(("/admin/devices", "nav-devices", decide(a, Action::ManageDevices, Target::Organisation(a.org_id)).allowed()));
        nav.push(("/admin/audit", "nav-audit", decide(a, Action::ViewAudit, Target::Organisation(a.org_id)).allowed()));
        nav.push(("/admin/check", "nav-check", decide(a, Action::ManageOrgs, Target::Nothing).allowed()));
        nav.push(("/account", "nav-account", true));
        let doc_title = nav.iter().find(|(href, _, _)| *href == section).map(|(_, key, _)| tr.t(key)).unwrap_or_default();
        let nav = nav
            .into_iter()
            .filter(|(_, _, shown)| *shown)
            .map(|(href, key, _)| NavLink { href, label: tr.t(key), current: href == section })
            .collect();
        let unread = cur.session.as_ref().map_or(0, |s| s.unread_notices);
        let inbox_label = tr.tn("notify-inbox-label", unread);
        Layout {
            tr,
            title,
            doc_title,
            nav,
            user_name: cur.user.display_name.clone(),
            csrf: cur.csrf(),
            signed_in: true,
            unread,
            inbox_label,
        }
    }

    pub fn other_lang(&self) -> (&'static str, &'static str) {
        if self.tr.is_km() {
            ("en", "English")
        } else {
            ("km", "ខ្មែរ")
        }
    }
}

/// One `<option>`.
#[derive(Clone)]
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// Options of a pick-list, labelled in the user's language, with an empty first choice if asked.
pub fn options<T: Copy>(
    tr: Tr,
    all: &[T],
    code: fn(T) -> &'static str,
    key: fn(T) -> String,
    selected: Option<&str>,
    empty: Option<&str>,
) -> Vec<Opt> {
    let mut out = Vec::new();
    if let Some(k) = empty {
        out.push(Opt { value: String::new(), label: tr.t(k), selected: selected.is_none_or(str::is_empty) });
    }
    out.extend(all.iter().map(|&v| Opt { value: code(v).to_string(), label: tr.t(&key(v)), selected: selected == Some(code(v)) }));
    out
}

/// The translated message for a field's error, if any.
pub fn field_error(tr: Tr, errors: &Invalid, field: &str) -> String {
    errors.for_field(field).map(|k| tr.t(k)).unwrap_or_default()
}

pub fn age_text(tr: Tr, f: &ChildFields, today: NaiveDate) -> String {
    match (f.date_of_birth, f.estimated_birth_year) {
        (Some(d), _) => tr.tn("msg-age-years", i64::from(krousar_domain::age::age_on(d, today))),
        (None, Some(y)) => tr.tn("msg-age-about", i64::from(chrono::Datelike::year(&today) - y)),
        _ => String::new(),
    }
}

/// A row of the children list.
pub struct ChildRow {
    pub id: String,
    pub case_number: String,
    pub name: String,
    pub other_name: String,
    pub sex: String,
    pub age: String,
    pub place: String,
    pub worker: String,
    /// The kinds of the flags still up ("Runaway risk"), for a badge.
    pub flags: Vec<String>,
    /// The child has a profile photo (shown small).
    pub photo: bool,
}

impl ChildRow {
    /// The rows of a list page with each child's flags still up (`Store::active_flags`) and
    /// whether it has a photo (`Store::with_photos`).
    pub fn with_flags(
        tr: Tr,
        children: &[Child],
        flags: &std::collections::HashMap<uuid::Uuid, Vec<krousar_store::flags::Flag>>,
        photos: &std::collections::HashSet<uuid::Uuid>,
        paths: &[LocationPath],
        today: NaiveDate,
    ) -> Vec<ChildRow> {
        children
            .iter()
            .map(|c| {
                let mut row = ChildRow::new(tr, c, paths, today);
                row.flags = flags.get(&c.id).map(|fs| fs.iter().map(|f| tr.t(&f.kind.label_key())).collect()).unwrap_or_default();
                row.photo = photos.contains(&c.id);
                row
            })
            .collect()
    }

    pub fn new(tr: Tr, c: &Child, paths: &[LocationPath], today: NaiveDate) -> ChildRow {
        let path = c.fields.village_code.as_ref().and_then(|v| paths.iter().find(|p| &p.code == v));
        // District and province are enough on a list; the record shows the whole address.
        let place = path
            .map(|p| {
                p.parts
                    .iter()
                    .take(2)
                    .rev()
                    .map(|l| if tr.is_km() { l.name_km.clone() } else { l.name_latin.clone() })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        let name = c.display_name(tr.is_km());
        let other = c.display_name(!tr.is_km());
        ChildRow {
            id: c.id.to_string(),
            case_number: c.case_number.clone(),
            other_name: if other == name { String::new() } else { other },
            name,
            sex: tr.t(&c.fields.sex.label_key()),
            age: age_text(tr, &c.fields, today),
            place,
            worker: c.assigned_worker_name.clone().unwrap_or_default(),
            flags: Vec::new(),
            photo: false,
        }
    }
}

/// The Cambodian calendar day of a stored date (`YYYY-MM-DD`) or time (UTC, RFC 3339).
pub fn local_day(stored: &str) -> Option<NaiveDate> {
    if stored.len() > 10 {
        let t = chrono::DateTime::parse_from_rfc3339(stored).ok()?;
        Some((t.with_timezone(&chrono::Utc) + chrono::Duration::hours(7)).date_naive())
    } else {
        NaiveDate::parse_from_str(stored, "%Y-%m-%d").ok()
    }
}

/// "42 children", or "more than 1000 children" past the counting cap.
pub fn children_count(tr: Tr, n: i64, cap: i64) -> String {
    if n > cap {
        tr.t1("msg-count-children-many", "count", tr.num(cap))
    } else {
        tr.tn("msg-count-children", n)
    }
}
