use krousar_domain::Invalid;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// Refused by who the actor is (a role, an organisation, their own request), on a record
    /// the actor may know exists: 403 like `Forbidden`, with the translation key that says why
    /// ("a supervisor or manager accepts or declines"), so a page can show it.
    #[error("refused: {0}")]
    Refused(&'static str),
    /// The record changed since the caller read it (optimistic concurrency).
    #[error("stale version: the record is now at version {current}")]
    Conflict { current: i64 },
    #[error("{0}")]
    Invalid(Invalid),
    /// A uniqueness rule was broken (e.g. a username already taken).
    #[error("duplicate: {0}")]
    Duplicate(&'static str),
    /// A device an administrator (or its user) revoked: what it carries is wiped.
    #[error("device revoked")]
    DeviceRevoked,
    /// A device that is not the caller's (another user is signed in on the browser) or a
    /// browser that cannot prove it is the device it names: refused, and the copy it carries
    /// is locked but kept for its owner.
    #[error("device not the caller's")]
    DeviceNotYours,
    /// Asked too often (the translation key says what and how often may be asked).
    #[error("too many requests")]
    TooMany(&'static str),
    #[error("configuration: {0}")]
    Config(String),
    #[error("corrupt data: {0}")]
    Corrupt(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

impl From<Invalid> for StoreError {
    fn from(value: Invalid) -> Self {
        StoreError::Invalid(value)
    }
}

impl StoreError {
    pub fn invalid(field: &'static str, code: &'static str) -> StoreError {
        let mut e = Invalid::default();
        e.push(field, code);
        StoreError::Invalid(e)
    }

    /// Corrupt data said more precisely: which record held it.
    pub fn within(self, record: impl std::fmt::Display) -> StoreError {
        match self {
            StoreError::Corrupt(msg) => StoreError::Corrupt(format!("{record}: {msg}")),
            other => other,
        }
    }

    /// Map a unique-constraint violation to `Duplicate`, leaving other errors as they are.
    pub fn unique_as(self, what: &'static str) -> StoreError {
        match &self {
            StoreError::Db(sqlx::Error::Database(d)) if d.is_unique_violation() => StoreError::Duplicate(what),
            _ => self,
        }
    }
}
