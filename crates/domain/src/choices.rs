//! Pick-lists. Each value has a stable code (stored and used in the API) and a translation key
//! `opt-<list>-<code>` for the pages, so lists are defined once and shown in Khmer or English.

macro_rules! pick_list {
    ($(#[$doc:meta])* $name:ident, $list:literal, { $($variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        // Serialised as the stable code, as stored and as the API shows it.
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        // Written by hand because serialisation is (the code, not the variant's name): the
        // schema is the list of codes, so a client sees exactly what is stored and accepted.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($code),+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let code = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                $name::parse(&code).ok_or_else(|| serde::de::Error::custom(format!("unknown {} code", $list)))
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const LIST: &'static str = $list;

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn parse(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// The translation key of this value's label.
            pub fn label_key(self) -> String {
                format!("opt-{}-{}", $list, self.code())
            }
        }
    };
}
pub(crate) use pick_list;

pick_list!(
    /// Sex as recorded for reporting (the field reports girls separately: "42 (17F)").
    Sex, "sex", { Female => "female", Male => "male" }
);

pick_list!(BirthRegistration, "birth-reg", {
    Registered => "registered",
    NotRegistered => "not_registered",
    Unknown => "unknown",
});

pick_list!(
    /// ID Poor: the national poverty identification (level 1 is the poorest).
    IdPoor, "id-poor", { Level1 => "level1", Level2 => "level2", NotPoor => "not_poor", Unknown => "unknown" }
);

pick_list!(Disability, "disability", {
    None => "none",
    Physical => "physical",
    Visual => "visual",
    Hearing => "hearing",
    Intellectual => "intellectual",
    Psychosocial => "psychosocial",
    Multiple => "multiple",
    Other => "other",
});

pick_list!(Protection, "protection", {
    Orphan => "orphan",
    Abandoned => "abandoned",
    Abused => "abused",
    Exploited => "exploited",
    StreetChild => "street_child",
    ConflictWithLaw => "conflict_with_law",
    WithDisability => "disability",
    HivAffected => "hiv_affected",
    Other => "other",
});

pick_list!(LivingArrangement, "living", { WithFamily => "with_family", InRci => "in_rci", Other => "other" });

pick_list!(Relationship, "relationship", {
    Mother => "mother",
    Father => "father",
    Grandparent => "grandparent",
    AuntUncle => "aunt_uncle",
    Sibling => "sibling",
    OtherRelative => "other_relative",
    NonRelativeCarer => "non_relative_carer",
});

pick_list!(
    /// Monthly household income in riel.
    IncomeBand, "income", {
    Under300k => "under_300k",
    From300kTo600k => "300k_600k",
    From600kTo1m => "600k_1m",
    Over1m => "over_1m",
    Unknown => "unknown",
});

pick_list!(RciType, "rci-type", {
    Government => "government",
    Ngo => "ngo",
    FaithBased => "faith_based",
    Private => "private",
    Other => "other",
});

pick_list!(RciRegistration, "rci-reg", {
    Registered => "registered",
    Pending => "pending",
    Unregistered => "unregistered",
    Closed => "closed",
});

pick_list!(OrgKind, "org-kind", { Ngo => "ngo", Ministry => "ministry" });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for v in Protection::ALL {
            assert_eq!(Protection::parse(v.code()), Some(*v));
        }
        for v in Relationship::ALL {
            assert_eq!(Relationship::parse(v.code()), Some(*v));
        }
        assert_eq!(Sex::parse("F"), None);
        assert_eq!(Sex::Female.label_key(), "opt-sex-female");
        assert_eq!(serde_json::to_string(&Sex::Female).unwrap(), "\"female\"");
    }
}
