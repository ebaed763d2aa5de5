//! Which sheet holds what, and which column is which field: Krousar's own template (headers in
//! English or Khmer) and OSCaR's import template (`users`, `families`, `clients`). Headers are
//! compared loosely (case, stars marking required columns, spacing, a trailing "?"). A column
//! that is no field of ours is kept with the record as it was written (`Field::Extra`) and
//! reported, so nothing a user brings is silently dropped.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SheetKind {
    Staff,
    Households,
    Children,
    Cases,
}

impl SheetKind {
    pub const ALL: [SheetKind; 4] = [SheetKind::Staff, SheetKind::Households, SheetKind::Children, SheetKind::Cases];

    pub fn as_str(self) -> &'static str {
        match self {
            SheetKind::Staff => "staff",
            SheetKind::Households => "households",
            SheetKind::Children => "children",
            SheetKind::Cases => "cases",
        }
    }

    /// Sheets of Krousar's template that only explain it.
    pub fn is_instructions(name: &str) -> bool {
        matches!(normal(name).as_str(), "instructions" | "ការណែនាំ" | "allowed values" | "តម្លៃដែលអនុញ្ញាត")
    }

    /// The kind of a sheet from its name (Krousar's in English or Khmer, OSCaR's).
    pub fn of_sheet(name: &str) -> Option<SheetKind> {
        match normal(name).as_str() {
            "staff" | "users" | "បុគ្គលិក" => Some(SheetKind::Staff),
            "households" | "families" | "family" | "គ្រួសារ" => Some(SheetKind::Households),
            "children" | "clients" | "កុមារ" => Some(SheetKind::Children),
            "cases" | "ករណី" => Some(SheetKind::Cases),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    // Staff
    StaffId,
    StaffGivenName,
    StaffFamilyName,
    StaffFullName,
    Username,
    Email,
    Role,
    Manager,
    // Households
    HouseholdId,
    HouseholdName,
    HouseholdPhone,
    FamilyType,
    FamilyStatus,
    House,
    Street,
    HouseholdIdPoor,
    // Addresses (households and children)
    Province,
    District,
    Commune,
    Village,
    // Children
    ChildId,
    GivenNameKm,
    FamilyNameKm,
    GivenNameLatin,
    FamilyNameLatin,
    Nickname,
    Sex,
    DateOfBirth,
    ChildIdPoor,
    Disability,
    BirthCertificate,
    ChildHouseholdId,
    ChildHouseholdName,
    WorkerId,
    WorkerName,
    CarerName,
    CarerPhone,
    // Cases (own sheet, or the referral columns of OSCaR's clients)
    CaseChildId,
    OpenedOn,
    Route,
    ReferralCategory,
    ReferralSource,
    CaseSummary,
    /// Kept with the record as written, not a Krousar field.
    Extra,
}

/// One known column: its field and the headers it goes by.
struct Column {
    field: Field,
    headers: &'static [&'static str],
}

const fn col(field: Field, headers: &'static [&'static str]) -> Column {
    Column { field, headers }
}

const STAFF: &[Column] = &[
    col(Field::StaffId, &["staff id", "case worker id", "លេខសម្គាល់បុគ្គលិក"]),
    col(Field::StaffGivenName, &["given name", "first name", "នាមខ្លួន"]),
    col(Field::StaffFamilyName, &["family name", "last name", "នាមត្រកូល"]),
    col(Field::StaffFullName, &["full name", "display name", "ឈ្មោះពេញ"]),
    col(Field::Username, &["username", "ឈ្មោះអ្នកប្រើ"]),
    col(Field::Email, &["email", "អ៊ីមែល"]),
    col(Field::Role, &["role", "permission level", "តួនាទី"]),
    col(Field::Manager, &["manager", "line manager", "អ្នកគ្រប់គ្រង"]),
    col(Field::Extra, &["gender"]),
];

const ADDRESS: &[Column] = &[
    col(Field::Province, &["province", "province / city", "current province", "ខេត្ត"]),
    col(Field::District, &["district", "district / khan", "address - district/khan", "ស្រុក", "ស្រុក/ខណ្ឌ"]),
    col(Field::Commune, &["commune", "commune / sangkat", "address - commune/sangkat", "ឃុំ", "ឃុំ/សង្កាត់"]),
    col(Field::Village, &["village", "address - village", "ភូមិ"]),
    col(Field::House, &["house#", "house", "address - house#", "ផ្ទះលេខ"]),
    col(Field::Street, &["street", "address - street", "ផ្លូវ"]),
];

const HOUSEHOLDS: &[Column] = &[
    col(Field::HouseholdId, &["household id", "family id", "លេខសម្គាល់គ្រួសារ"]),
    col(Field::HouseholdName, &["household name", "name", "family name", "ឈ្មោះគ្រួសារ"]),
    col(Field::HouseholdPhone, &["phone", "ទូរស័ព្ទ"]),
    col(Field::FamilyType, &["family type", "ប្រភេទគ្រួសារ"]),
    col(Field::FamilyStatus, &["family status", "ស្ថានភាពគ្រួសារ"]),
    col(Field::HouseholdIdPoor, &["id poor", "ប័ណ្ណក្រីក្រ"]),
    col(Field::Extra, &["family history"]),
];

const CHILDREN: &[Column] = &[
    col(Field::ChildId, &["child id", "client id", "លេខសម្គាល់កុមារ"]),
    col(Field::GivenNameKm, &["given name (khmer)", "នាមខ្លួន (ខ្មែរ)"]),
    col(Field::FamilyNameKm, &["family name (khmer)", "នាមត្រកូល (ខ្មែរ)"]),
    col(Field::GivenNameLatin, &["given name (english)", "given name (latin)", "នាមខ្លួន (ឡាតាំង)"]),
    col(Field::FamilyNameLatin, &["family name (english)", "family name (latin)", "នាមត្រកូល (ឡាតាំង)"]),
    col(Field::Nickname, &["nickname", "ឈ្មោះហៅក្រៅ"]),
    col(Field::Sex, &["sex", "gender", "ភេទ"]),
    col(Field::DateOfBirth, &["date of birth", "ថ្ងៃខែឆ្នាំកំណើត"]),
    col(Field::ChildIdPoor, &["id poor", "is the client rated for id poor", "ប័ណ្ណក្រីក្រ"]),
    col(Field::Disability, &["disability", "ពិការភាព"]),
    col(Field::BirthCertificate, &["birth certificate number", "លេខសំបុត្រកំណើត"]),
    col(Field::ChildHouseholdId, &["household id", "family id", "លេខសម្គាល់គ្រួសារ"]),
    col(Field::ChildHouseholdName, &["household name", "family name", "ឈ្មោះគ្រួសារ"]),
    col(Field::WorkerId, &["worker id", "case worker id", "staff id", "លេខសម្គាល់បុគ្គលិក"]),
    col(Field::WorkerName, &["worker", "case worker / staff", "case worker", "បុគ្គលិកសង្គម"]),
    col(Field::CarerName, &["primary carer name", "carer name", "ឈ្មោះអ្នកថែទាំ"]),
    col(Field::CarerPhone, &["primary carer phone number", "carer phone", "ទូរស័ព្ទអ្នកថែទាំ"]),
    // OSCaR's referral columns: the client's case is opened from them.
    col(Field::OpenedOn, &["initial referral date", "case opened on", "ថ្ងៃបើកករណី"]),
    col(Field::ReferralCategory, &["referral category"]),
    col(Field::ReferralSource, &["referral source", "ប្រភពបញ្ជូន"]),
    col(Field::CaseSummary, &["relevant referral information / notes", "case summary", "សេចក្ដីសង្ខេប"]),
    col(
        Field::Extra,
        &[
            "name of referee",
            "referee phone number",
            "referral received by",
            "first follow-up by",
            "first follow-up date",
            "what3words",
            "school name",
            "school grade",
            "main school contact",
            "client birth province",
            "other agencies involved",
            "donor",
            "has the client lived in an orphanage",
            "has the client lived in government care",
            "custom id number 1",
            "custom id number 2",
            "donor id",
        ],
    ),
];

const CASES: &[Column] = &[
    col(Field::CaseChildId, &["child id", "លេខសម្គាល់កុមារ"]),
    col(Field::OpenedOn, &["opened on", "case opened on", "ថ្ងៃបើកករណី"]),
    col(Field::Route, &["route", "intake route", "ផ្លូវចូល"]),
    col(Field::ReferralSource, &["referral source", "ប្រភពបញ្ជូន"]),
    col(Field::CaseSummary, &["summary", "case summary", "សេចក្ដីសង្ខេប"]),
];

/// A header as compared: lower case, no stars, single spaces, no trailing "?" or ":".
pub fn normal(header: &str) -> String {
    let cleaned: String = header.replace(['*', '\u{200B}'], " ");
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    words.join(" ").trim_end_matches(['?', ':']).trim().to_lowercase()
}

fn columns(kind: SheetKind) -> Vec<&'static Column> {
    let own = match kind {
        SheetKind::Staff => STAFF,
        SheetKind::Households => HOUSEHOLDS,
        SheetKind::Children => CHILDREN,
        SheetKind::Cases => CASES,
    };
    let address: &[Column] = if matches!(kind, SheetKind::Households | SheetKind::Children) { ADDRESS } else { &[] };
    own.iter().chain(address).collect()
}

/// The field a header names on a sheet of this kind; `None` for a column we do not know.
pub fn field_of(kind: SheetKind, header: &str) -> Option<Field> {
    let h = normal(header);
    columns(kind).into_iter().find(|c| c.headers.contains(&h.as_str())).map(|c| c.field)
}

/// The headers of Krousar's own template for a sheet: (field, English, Khmer).
pub fn template_headers(kind: SheetKind) -> Vec<(Field, &'static str, &'static str)> {
    columns(kind)
        .into_iter()
        .filter(|c| c.field != Field::Extra && !matches!(c.field, Field::ReferralCategory))
        .map(|c| {
            let km =
                c.headers.iter().find(|h| h.chars().any(|ch| ('\u{1780}'..='\u{17FF}').contains(&ch))).copied().unwrap_or(c.headers[0]);
            (c.field, c.headers[0], km)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oscar_headers_are_recognised() {
        assert_eq!(field_of(SheetKind::Children, "* Gender"), Some(Field::Sex));
        assert_eq!(field_of(SheetKind::Children, "*Case Worker ID"), Some(Field::WorkerId));
        assert_eq!(field_of(SheetKind::Children, "What3words "), Some(Field::Extra));
        assert_eq!(field_of(SheetKind::Children, "Is the Client Rated for ID Poor?"), Some(Field::ChildIdPoor));
        assert_eq!(field_of(SheetKind::Households, "*Family ID"), Some(Field::HouseholdId));
        assert_eq!(field_of(SheetKind::Staff, "*Permission Level"), Some(Field::Role));
        assert_eq!(field_of(SheetKind::Children, "Favourite colour"), None);
        assert_eq!(SheetKind::of_sheet("Clients"), Some(SheetKind::Children));
    }
}
