//! A small builder for the few queries whose WHERE clause depends on filters. Values are always
//! bound, never spliced: the builder writes `$n` and keeps the values in order.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AssertSqlSafe};

#[derive(Debug, Clone)]
pub enum Value {
    Text(String),
    Int(i64),
}

#[derive(Debug, Default)]
pub struct Sql {
    pub text: String,
    values: Vec<Value>,
}

impl Sql {
    pub fn new(start: &str) -> Sql {
        Sql { text: start.to_string(), values: Vec::new() }
    }

    pub fn push(&mut self, s: &str) -> &mut Sql {
        self.text.push_str(s);
        self
    }

    /// Append a placeholder bound to `v`.
    pub fn bind(&mut self, v: Value) -> &mut Sql {
        self.values.push(v);
        self.text.push_str(&format!("${}", self.values.len()));
        self
    }

    pub fn bind_text(&mut self, s: impl Into<String>) -> &mut Sql {
        self.bind(Value::Text(s.into()))
    }

    pub fn bind_int(&mut self, n: i64) -> &mut Sql {
        self.bind(Value::Int(n))
    }

    pub fn query(&self) -> Query<'_, Any, AnyArguments> {
        let mut q = sqlx::query(AssertSqlSafe(self.text.clone()));
        for v in &self.values {
            q = match v {
                Value::Text(s) => q.bind(s.clone()),
                Value::Int(n) => q.bind(*n),
            };
        }
        q
    }
}
