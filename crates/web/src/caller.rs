//! Who is asking: the caller of a request that passed authentication, as the `context`
//! middleware (`auth.rs`) established them. Its own module so that the error page and the
//! layout (which show the caller's menu) need nothing else of `auth`.

use crate::i18n::Tr;
use krousar_domain::Actor;
use krousar_store::accounts::User;
use krousar_store::sessions::Session;

/// The caller of a request that passed authentication.
#[derive(Clone)]
pub struct Current {
    pub user: User,
    pub actor: Actor,
    pub session: Option<Session>,
    pub tr: Tr,
    /// The organisation requires two-step sign-in and this user has not set it up yet.
    pub must_set_up_totp: bool,
}

impl Current {
    pub fn csrf(&self) -> String {
        self.session.as_ref().map(|s| s.csrf.clone()).unwrap_or_default()
    }
}
