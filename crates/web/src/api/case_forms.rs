//! What `POST /children/{id}/case/{form}` takes, described from the forms themselves: each
//! form's fields as the pages define them (`pages::case::fields::groups`, the same definitions
//! the offline app downloads), so that the description cannot name a field the form does not
//! read. The body is read as the page's form is (`cases::fields`) and validated by the domain
//! through `commands::case::apply`; nothing here validates.

use crate::commands::case::{CaseForm, Fields};
use crate::i18n::{Lang, Tr};
use crate::pages::case::fields::{groups, Choices, Field, Input};
use serde_json::{json, Value};
use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

/// The name of a form's schema: `risk` → `RiskForm`, `tracing-attempt` → `TracingAttemptForm`.
pub fn schema_name(form: CaseForm) -> String {
    let mut out = String::new();
    for word in form.code().split('-') {
        let mut c = word.chars();
        if let Some(first) = c.next() {
            out.extend(first.to_uppercase());
            out.push_str(c.as_str());
        }
    }
    out + "Form"
}

/// One field: its type and choices as the form offers them, its English label as the title.
fn field_schema(f: &Field) -> Value {
    let mut v = match &f.input {
        Input::Text | Input::Area => json!({"type": "string"}),
        Input::Date => json!({"type": "string", "format": "date"}),
        Input::Select(opts) | Input::Radio(opts) => {
            let codes: Vec<&str> = opts.iter().map(|o| o.value.as_str()).filter(|v| !v.is_empty()).collect();
            if codes.is_empty() {
                // A list filled from the organisation's records (households, workers, institutions):
                // their ids.
                json!({"type": "string"})
            } else {
                let mut values: Vec<Value> = codes.iter().map(|c| json!(c)).collect();
                // Scores are numbers; a JSON number is read as its text.
                let numbers: Vec<Value> = codes.iter().filter_map(|c| c.parse::<i64>().ok()).map(|n| json!(n)).collect();
                let kind = if numbers.is_empty() { json!("string") } else { json!(["string", "integer"]) };
                values.extend(numbers);
                if opts.iter().any(|o| o.value.is_empty()) {
                    values.push(json!(""));
                }
                json!({"type": kind, "enum": values})
            }
        }
        Input::Check(_) => {
            json!({"type": ["boolean", "string"], "description": "Ticked: `true` (or any text but empty); not ticked: left out or `false`."})
        }
    };
    v["title"] = json!(f.label);
    if !f.hint.is_empty() && v.get("description").is_none() {
        v["description"] = json!(f.hint);
    }
    v
}

/// A form's fields as a JSON schema object; any field may be left out (the domain says which
/// are required, with a 422 naming each).
pub fn form_schema(form: CaseForm) -> Value {
    let tr = Tr::new(Lang::En);
    let g = groups(form, tr, &Fields::new(), &krousar_domain::Invalid::default(), &Choices::default());
    let mut props = serde_json::Map::new();
    for f in g.iter().flat_map(|g| g.fields.iter()) {
        props.insert(f.name.clone(), field_schema(f));
    }
    if form.has_place() && !props.contains_key("village_code") {
        props.insert(
            "village_code".into(),
            json!({"type": "string", "title": "Village", "description": "A village's code (`GET /locations/search?level=village`)."}),
        );
    }
    json!({
        "type": "object",
        "title": tr.t(&form.title_key()),
        "description": format!("The fields of `POST /api/v1/children/{{id}}/case/{}`.", form.code()),
        "properties": props,
    })
}

/// The body of `POST /children/{id}/case/{form}`: the fields of the form named in the path.
pub struct CaseFormBody;

impl PartialSchema for CaseFormBody {
    fn schema() -> RefOr<Schema> {
        // `anyOf`, not `oneOf`: forms share field names, and a body is the form the path names.
        let mut any = AnyOfBuilder::new().description(Some(
            "The fields of the form named in the path (strings; numbers and booleans are read as their text; `null` is left out). One schema per form.",
        ));
        for form in CaseForm::ALL {
            any = any.item(Ref::from_schema_name(schema_name(form)));
        }
        any.into()
    }
}

impl ToSchema for CaseFormBody {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        for form in CaseForm::ALL {
            let schema: Schema = serde_json::from_value(form_schema(form)).expect("a form's schema is a schema");
            schemas.push((schema_name(form), RefOr::T(schema)));
        }
    }
}

/// The `{form}` of the path: one of the forms' codes.
pub struct CaseFormCode;

impl PartialSchema for CaseFormCode {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new().schema_type(Type::String).enum_values(Some(CaseForm::ALL.map(CaseForm::code))).into()
    }
}

impl ToSchema for CaseFormCode {}
