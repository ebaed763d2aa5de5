//! Schemas the API description needs for inputs whose JSON is looser than their Rust type:
//! the API accepts some numbers either as a JSON number or as the text a form would send, and
//! `krousar-web` turns the number into text before validation (`api::text`).

use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
use utoipa::openapi::RefOr;

/// A whole number, as a JSON number or as text (`2014` or `"2014"`); absent or `null` is none.
pub fn number_or_text() -> RefOr<utoipa::openapi::schema::Schema> {
    OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::Integer))
        .item(ObjectBuilder::new().schema_type(Type::String))
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .description(Some("A whole number, as a JSON number or as text."))
        .into()
}
