//! Shapes shared by the API's answers, and the error answers every operation refers to. The
//! handlers answer with these types, so what the description says is what is sent.

use crate::error::ErrorBody;
use serde::Serialize;
use serde_json::Value;
use utoipa::{ToResponse, ToSchema};
use uuid::Uuid;

/// What was made: its id.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub id: Uuid,
}

/// A list that is never cut into pages.
#[derive(Debug, Serialize, ToSchema)]
pub struct Items<T> {
    pub items: Vec<T>,
}

/// Some numbers are accepted as a JSON number or as the text a form sends (`2014` or
/// `"2014"`, described by `krousar_domain::api_schema::number_or_text`); those fields, and
/// only those, are turned into text before the body is read into its input type.
pub fn numbers_as_text(mut v: Value, fields: &[&str]) -> Value {
    if let Some(o) = v.as_object_mut() {
        for f in fields {
            if let Some(x) = o.get_mut(*f).filter(|x| x.is_number()) {
                *x = Value::String(x.to_string());
            }
        }
    }
    v
}

/// The body is not JSON, or not of the shape described (`bad_request`).
#[derive(ToResponse)]
#[allow(dead_code)]
pub struct BadRequest(ErrorBody);

/// No valid session or token (`unauthorized`).
#[derive(ToResponse)]
#[allow(dead_code)]
pub struct Unauthorized(ErrorBody);

/// Refused for who the caller is (`forbidden`, with why in the message), or two-step sign-in
/// must be set up first (`totp_required`). Never depends on what was sent.
#[derive(ToResponse)]
#[allow(dead_code)]
pub struct Forbidden(ErrorBody);

/// No such record, or one the caller may not know of (`not_found`).
#[derive(ToResponse)]
#[allow(dead_code)]
pub struct NotFound(ErrorBody);

/// The record changed since the version sent (`conflict`, with `current_version`); nothing was
/// written.
#[derive(ToResponse)]
#[allow(dead_code)]
pub struct Conflict(ErrorBody);

/// What was sent is not valid (`invalid`): every field's problem at once, in `fields`.
#[derive(ToResponse)]
#[allow(dead_code)]
pub struct Invalid(ErrorBody);

/// Asked too often (`too_many_requests`); the message says how often one may ask.
#[derive(ToResponse)]
#[allow(dead_code)]
pub struct TooMany(ErrorBody);

/// The device was revoked (`device_revoked`): the app wipes what it holds.
#[derive(ToResponse)]
#[allow(dead_code)]
pub struct Gone(ErrorBody);

/// A value a form sends as text that the API also takes as a JSON number (an amount, a count,
/// a score): read as its text, so validation is the page's.
#[derive(Debug, Clone)]
pub struct Text(pub String);

impl<'de> serde::Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Whole(i64),
            Number(f64),
        }
        Ok(Text(match Raw::deserialize(d)? {
            Raw::Text(s) => s,
            Raw::Whole(n) => n.to_string(),
            Raw::Number(n) => n.to_string(),
        }))
    }
}

impl utoipa::PartialSchema for Text {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        krousar_domain::api_schema::number_or_text()
    }
}

impl ToSchema for Text {}

/// Done, with nothing made to name.
#[derive(Debug, Serialize, ToSchema)]
pub struct Done {
    /// Always `true`.
    pub ok: bool,
}

/// A body that is one of several types, chosen by the path (not by a field): `anyOf` their
/// schemas, each also put in the components. `anyOf` because bodies of optional fields overlap.
macro_rules! any_of {
    ($(#[$doc:meta])* $name:ident, [$($t:ty),+ $(,)?]) => {
        $(#[$doc])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::AnyOfBuilder::new()
                    $(.item(utoipa::openapi::Ref::from_schema_name(<$t as utoipa::ToSchema>::name())))+
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
                $(
                    schemas.push((<$t as utoipa::ToSchema>::name().into(), <$t as utoipa::PartialSchema>::schema()));
                    <$t as utoipa::ToSchema>::schemas(schemas);
                )+
            }
        }
    };
}
pub(crate) use any_of;
