//! A small builder for the few queries whose WHERE clause depends on filters. Values are always
//! bound, never spliced: the builder writes `$n` and keeps the values in order.
//!
//! SQLite looks up `$n` parameters by name, linearly, so a statement's cost grows with the square
//! of its parameter count: multi-row statements stay under a few hundred parameters.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AssertSqlSafe};

#[derive(Debug, Clone)]
pub enum Value {
    Text(String),
    Int(i64),
    /// NULL bound as a parameter (typed, for PostgreSQL) so that the SQL text, and with it the
    /// prepared statement, stays the same whatever is missing.
    NullText,
    NullInt,
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

    /// ` LIMIT n`, the number written into the text. SQLite re-prepares a statement whose LIMIT
    /// is a bound parameter each time it is bound (it plans with the value: `sqlite3ExprIsInteger`
    /// marks the parameter), which cost a tenth of a loaded server's CPU in parsing; an integer
    /// is safe in the text and the prepared statement is reused.
    pub fn limit(&mut self, n: i64) -> &mut Sql {
        self.push(&format!(" LIMIT {n}"))
    }

    pub fn bind_int(&mut self, n: i64) -> &mut Sql {
        self.bind(Value::Int(n))
    }

    pub fn bind_opt_text(&mut self, s: Option<String>) -> &mut Sql {
        self.bind(s.map(Value::Text).unwrap_or(Value::NullText))
    }

    pub fn bind_opt_int(&mut self, n: Option<i64>) -> &mut Sql {
        self.bind(n.map(Value::Int).unwrap_or(Value::NullInt))
    }

    pub fn query(&self) -> Query<'_, Any, AnyArguments> {
        self.bound(self.text.clone())
    }

    fn bound(&self, text: String) -> Query<'_, Any, AnyArguments> {
        let mut q = sqlx::query(AssertSqlSafe(text));
        for v in &self.values {
            q = match v {
                Value::Text(s) => q.bind(s.clone()),
                Value::Int(n) => q.bind(*n),
                Value::NullText => q.bind(None::<String>),
                Value::NullInt => q.bind(None::<i64>),
            };
        }
        q
    }
}
