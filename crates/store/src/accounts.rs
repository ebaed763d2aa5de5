//! Organisations, teams and user accounts.

use crate::audit::{self, Entry, Who};
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use krousar_domain::choices::OrgKind;
use krousar_domain::{new_id, Actor, Role};
use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Org {
    pub id: Uuid,
    pub name: String,
    pub kind: OrgKind,
    pub code: String,
    pub require_totp: bool,
}

/// An organisation in the directory a referral's sender picks from (`organisation_directory`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrgEntry {
    pub id: Uuid,
    pub name: String,
    pub kind: OrgKind,
    /// The reader's own organisation (not a receiver of its referrals).
    pub own: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Team {
    pub id: Uuid,
    pub org_id: Uuid,
    pub name: String,
    /// The team above this one, if any.
    pub parent_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: Uuid,
    pub org_id: Uuid,
    pub team_id: Option<Uuid>,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    #[serde(skip)]
    pub password_hash: String,
    pub locale: String,
    pub disabled: bool,
    #[serde(skip)]
    pub failed_logins: i64,
    #[serde(skip)]
    pub locked_until: Option<String>,
    /// The second-step secret, sealed (`totp.rs`); `None` while two-step sign-in is off.
    #[serde(skip)]
    pub totp: Option<crate::totp::SealedTotp>,
    pub version: i64,
    /// The user's organisation requires two-step sign-in.
    #[serde(skip)]
    pub org_requires_totp: bool,
    /// A supervisor's team and the teams below it (read for supervisors only).
    #[serde(skip)]
    pub teams: Vec<Uuid>,
}

impl User {
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.id,
            org_id: self.org_id,
            team_id: self.team_id,
            teams: self.teams.clone(),
            role: self.role,
            via: Default::default(),
            now: chrono::Utc::now(),
        }
    }
}

/// A team of the account's organisation, or none.
async fn team_of_org(tx: &mut crate::db::Tx, team: Option<Uuid>, org: Uuid) -> Result<(), StoreError> {
    let Some(team) = team else { return Ok(()) };
    let n = sqlx::query("SELECT COUNT(*) AS n FROM teams WHERE id = $1 AND org_id = $2")
        .bind(team.to_string())
        .bind(org.to_string())
        .fetch_one(&mut **tx)
        .await?
        .int("n")?;
    if n == 0 {
        return Err(StoreError::invalid("team_id", "err-invalid-choice"));
    }
    Ok(())
}

fn org_from(r: &AnyRow) -> Result<Org, StoreError> {
    Ok(Org {
        id: r.uuid("id")?,
        name: r.text("name")?,
        kind: OrgKind::parse(&r.text("kind")?).ok_or_else(|| StoreError::Corrupt("org kind".into()))?,
        code: r.text("code")?,
        require_totp: r.int("require_totp")? != 0,
    })
}

/// The columns of a user, with the organisation's two-step rule (read with the user because
/// every request needs both).
pub(crate) const USER_COLUMNS: &str =
    "u.id, u.org_id, u.team_id, u.username, u.display_name, u.role, u.password_hash, u.locale, u.disabled, \
    u.failed_logins, u.locked_until, u.totp_secret, u.totp_key_id, u.version, o.require_totp AS org_requires_totp";
pub(crate) const USER_FROM: &str = "users u JOIN organisations o ON o.id = u.org_id";

pub(crate) fn user_from(r: &AnyRow) -> Result<User, StoreError> {
    Ok(User {
        id: r.uuid("id")?,
        org_id: r.uuid("org_id")?,
        team_id: r.opt_uuid("team_id")?,
        username: r.text("username")?,
        display_name: r.text("display_name")?,
        role: Role::parse(&r.text("role")?).ok_or_else(|| StoreError::Corrupt("role".into()))?,
        password_hash: r.text("password_hash")?,
        locale: r.text("locale")?,
        disabled: r.int("disabled")? != 0,
        failed_logins: r.int("failed_logins")?,
        locked_until: r.opt_text("locked_until")?,
        totp: match r.opt_text("totp_secret")? {
            Some(sealed) => Some(crate::totp::SealedTotp { key_id: r.opt_text("totp_key_id")?, sealed }),
            None => None,
        },
        version: r.int("version")?,
        org_requires_totp: r.int("org_requires_totp")? != 0,
        teams: Vec::new(),
    })
}

/// A short code for case numbers, from the organisation's initials ("Family Care First" → FCF).
pub fn org_code_from_name(name: &str) -> String {
    let code: String = name
        .split_whitespace()
        .filter_map(|w| w.chars().find(|c| c.is_ascii_alphanumeric()))
        .map(|c| c.to_ascii_uppercase())
        .take(6)
        .collect();
    if code.is_empty() {
        "ORG".into()
    } else {
        code
    }
}

impl Store {
    pub async fn create_org(&self, who: Who, name: &str, kind: OrgKind) -> Result<Org, StoreError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 120 || name.chars().any(char::is_control) {
            return Err(StoreError::invalid("name", "err-required"));
        }
        let mut tx = self.write().await?;
        let base = org_code_from_name(name);
        let mut code = base.clone();
        for n in 2.. {
            let taken =
                sqlx::query("SELECT COUNT(*) AS n FROM organisations WHERE code = $1").bind(&code).fetch_one(&mut *tx).await?.int("n")?;
            if taken == 0 {
                break;
            }
            code = format!("{base}{n}");
        }
        let id = new_id();
        sqlx::query("INSERT INTO organisations (id, name, kind, code, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id.to_string())
            .bind(name)
            .bind(kind.code())
            .bind(&code)
            .bind(now_text())
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::from(e).unique_as("organisation"))?;
        audit::append(
            &mut tx,
            who,
            Entry {
                action: "org.create",
                record_type: "organisation",
                record_id: Some(id.to_string()),
                detail: json!({"name": name, "kind": kind.code()}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Org { id, name: name.to_string(), kind, code, require_totp: false })
    }

    /// Every organisation as a partner may know it — id, name, kind — to pick who a referral
    /// goes to (`Action::ListOrganisations`); the actor's own is marked (one cannot refer to
    /// it). Nothing of their settings, people or cases.
    pub async fn organisation_directory(&self, actor: &Actor) -> Result<Vec<OrgEntry>, StoreError> {
        if !krousar_domain::policy::decide(actor, krousar_domain::Action::ListOrganisations, krousar_domain::policy::Target::Nothing)
            .allowed()
        {
            return Err(StoreError::Forbidden);
        }
        let orgs = self.list_orgs().await?;
        Ok(orgs.into_iter().map(|o| OrgEntry { id: o.id, name: o.name, kind: o.kind, own: o.id == actor.org_id }).collect())
    }

    pub async fn list_orgs(&self) -> Result<Vec<Org>, StoreError> {
        let rows = sqlx::query("SELECT id, name, kind, code, require_totp FROM organisations ORDER BY name").fetch_all(&self.pool).await?;
        rows.iter().map(org_from).collect()
    }

    pub async fn org(&self, id: Uuid) -> Result<Org, StoreError> {
        let r = sqlx::query("SELECT id, name, kind, code, require_totp FROM organisations WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        r.as_ref().map(org_from).transpose()?.ok_or(StoreError::NotFound)
    }

    pub async fn org_by_name(&self, name: &str) -> Result<Org, StoreError> {
        let r = sqlx::query("SELECT id, name, kind, code, require_totp FROM organisations WHERE name = $1 OR code = $1")
            .bind(name.trim())
            .fetch_optional(&self.pool)
            .await?;
        r.as_ref().map(org_from).transpose()?.ok_or(StoreError::NotFound)
    }

    pub async fn set_org_require_totp(&self, who: Who, org: Uuid, required: bool) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE organisations SET require_totp = $1 WHERE id = $2")
            .bind(required as i64)
            .bind(org.to_string())
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            who,
            Entry {
                action: "org.require_totp",
                record_type: "organisation",
                record_id: Some(org.to_string()),
                detail: json!({"required": required}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn create_team(&self, who: Who, org: Uuid, name: &str) -> Result<Team, StoreError> {
        let mut tx = self.write().await?;
        let id = new_id();
        sqlx::query("INSERT INTO teams (id, org_id, name) VALUES ($1, $2, $3)")
            .bind(id.to_string())
            .bind(org.to_string())
            .bind(name.trim())
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::from(e).unique_as("team"))?;
        audit::append(
            &mut tx,
            who,
            Entry { action: "team.create", record_type: "team", record_id: Some(id.to_string()), detail: json!({"name": name}) },
        )
        .await?;
        tx.commit().await?;
        Ok(Team { id, org_id: org, name: name.trim().to_string(), parent_id: None })
    }

    pub async fn teams(&self, org: Uuid) -> Result<Vec<Team>, StoreError> {
        let rows = sqlx::query("SELECT id, org_id, name, parent_id FROM teams WHERE org_id = $1 ORDER BY name")
            .bind(org.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok(Team { id: r.uuid("id")?, org_id: r.uuid("org_id")?, name: r.text("name")?, parent_id: r.opt_uuid("parent_id")? }))
            .collect()
    }

    /// Place `team` under `parent` (or at the top with `None`); refused when it would make a
    /// loop or cross organisations. The caller checked `ManageUsers` for the organisation.
    pub async fn set_team_parent(&self, who: Who, org: Uuid, team: Uuid, parent: Option<Uuid>) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let edges = team_edges(&mut tx, org).await?;
        if !edges.iter().any(|(t, _)| *t == team) {
            return Err(StoreError::NotFound);
        }
        if !krousar_domain::team::parent_allowed(&edges, team, parent) {
            return Err(StoreError::invalid("parent", "err-team-loop"));
        }
        sqlx::query("UPDATE teams SET parent_id = $1 WHERE id = $2")
            .bind(parent.map(|p| p.to_string()))
            .bind(team.to_string())
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            who,
            Entry { action: "team.move", record_type: "team", record_id: Some(team.to_string()), detail: json!({"parent": parent}) },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A supervisor's teams: their own and every one below it.
    pub(crate) async fn with_teams(&self, mut user: User) -> Result<User, StoreError> {
        if let (true, Some(team)) = (krousar_domain::policy::oversees_team_tree(user.role), user.team_id) {
            let mut conn = self.pool.acquire().await?;
            let rows = sqlx::query("SELECT id, parent_id FROM teams WHERE org_id = $1")
                .bind(user.org_id.to_string())
                .fetch_all(&mut *conn)
                .await?;
            let edges = rows.iter().map(|r| Ok((r.uuid("id")?, r.opt_uuid("parent_id")?))).collect::<Result<Vec<_>, StoreError>>()?;
            user.teams = krousar_domain::team::subtree(&edges, team);
        }
        Ok(user)
    }

    /// Create a user. The password must already be hashed (the web layer owns hashing).
    #[allow(clippy::too_many_arguments)]
    pub async fn create_user(
        &self,
        who: Who,
        org: Uuid,
        team: Option<Uuid>,
        username: &str,
        display_name: &str,
        role: Role,
        password_hash: &str,
        locale: &str,
    ) -> Result<User, StoreError> {
        let username = username.trim().to_lowercase();
        if !krousar_domain::text::valid_username(&username) {
            return Err(StoreError::invalid("username", "err-invalid-username"));
        }
        let display_name = display_name.trim();
        if display_name.is_empty() || display_name.chars().count() > 120 || display_name.chars().any(char::is_control) {
            return Err(StoreError::invalid("display_name", "err-required"));
        }
        let mut tx = self.write().await?;
        if let Some(team) = team {
            let n = sqlx::query("SELECT COUNT(*) AS n FROM teams WHERE id = $1 AND org_id = $2")
                .bind(team.to_string())
                .bind(org.to_string())
                .fetch_one(&mut *tx)
                .await?
                .int("n")?;
            if n == 0 {
                return Err(StoreError::invalid("team_id", "err-invalid-choice"));
            }
        }
        let id = new_id();
        sqlx::query(
            "INSERT INTO users (id, org_id, team_id, username, display_name, role, password_hash, locale, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id.to_string())
        .bind(org.to_string())
        .bind(team.map(|t| t.to_string()))
        .bind(&username)
        .bind(display_name)
        .bind(role.as_str())
        .bind(password_hash)
        .bind(locale)
        .bind(now_text())
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::from(e).unique_as("username"))?;
        audit::append(
            &mut tx,
            who,
            Entry {
                action: "user.create",
                record_type: "user",
                record_id: Some(id.to_string()),
                detail: json!({"username": username, "role": role.as_str(), "org": org}),
            },
        )
        .await?;
        tx.commit().await?;
        self.user(id).await
    }

    pub async fn user(&self, id: Uuid) -> Result<User, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM {USER_FROM} WHERE u.id = $1");
        let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(&self.pool).await?;
        self.with_teams(r.as_ref().map(user_from).transpose()?.ok_or(StoreError::NotFound)?).await
    }

    pub async fn user_by_username(&self, username: &str) -> Result<User, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM {USER_FROM} WHERE u.username = $1");
        let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(username.trim().to_lowercase()).fetch_optional(&self.pool).await?;
        self.with_teams(r.as_ref().map(user_from).transpose()?.ok_or(StoreError::NotFound)?).await
    }

    /// Users of one organisation, or of all when `org` is `None`.
    pub async fn users(&self, org: Option<Uuid>) -> Result<Vec<User>, StoreError> {
        let rows = match org {
            Some(org) => {
                let sql = format!("SELECT {USER_COLUMNS} FROM {USER_FROM} WHERE u.org_id = $1 ORDER BY u.username");
                sqlx::query(sqlx::AssertSqlSafe(sql)).bind(org.to_string()).fetch_all(&self.pool).await?
            }
            None => {
                let sql = format!("SELECT {USER_COLUMNS} FROM {USER_FROM} ORDER BY u.username");
                sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await?
            }
        };
        rows.iter().map(user_from).collect()
    }

    /// The accounts the actor administers (`list_scope(ManageUsers)`): their organisation's, or
    /// every one for a system administrator.
    pub async fn manageable_users(&self, actor: &Actor) -> Result<Vec<User>, StoreError> {
        use krousar_domain::ListScope;
        match krousar_domain::policy::list_scope(actor, krousar_domain::Action::ManageUsers) {
            ListScope::Org(o) => self.users(Some(o)).await,
            ListScope::Everything => self.users(None).await,
            _ => Err(StoreError::Forbidden),
        }
    }

    /// An account the actor may manage: in an organisation they administer, reaching no
    /// further than their own role (the policy's `Target::Account`). Another organisation's
    /// account is answered as one that does not exist — which usernames a neighbour has is not
    /// for it to find out; one of the actor's own organisation beyond their reach is refused.
    pub async fn managed_user(&self, actor: &Actor, id: Uuid) -> Result<User, StoreError> {
        use krousar_domain::policy::{decide, Account, Target};
        use krousar_domain::Action;
        let u = self.user(id).await?;
        let may_manage_org = decide(actor, Action::ManageUsers, Target::Organisation(u.org_id)).allowed();
        if u.org_id != actor.org_id && !may_manage_org {
            return Err(StoreError::NotFound);
        }
        if !may_manage_org || !decide(actor, Action::ManageUsers, Target::Account(Account { org_id: u.org_id, role: u.role })).allowed() {
            return Err(StoreError::Forbidden);
        }
        Ok(u)
    }

    /// The teams of an organisation the actor administers.
    pub async fn managed_teams(&self, actor: &Actor, org: Uuid) -> Result<Vec<Team>, StoreError> {
        use krousar_domain::policy::{decide, Target};
        if !decide(actor, krousar_domain::Action::ManageUsers, Target::Organisation(org)).allowed() {
            return Err(StoreError::Forbidden);
        }
        self.teams(org).await
    }

    /// Put an account in one of its organisation's teams, or in none (the API's assignment;
    /// the users page changes it with the rest of the account through `update_user_admin`).
    /// The same checks as every change to an account (`managed_user`).
    pub async fn set_user_team(&self, actor: &Actor, id: Uuid, team: Option<Uuid>) -> Result<User, StoreError> {
        let u = self.managed_user(actor, id).await?;
        let mut tx = self.write().await?;
        team_of_org(&mut tx, team, u.org_id).await?;
        sqlx::query("UPDATE users SET team_id = $1, version = version + 1 WHERE id = $2")
            .bind(team.map(|t| t.to_string()))
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        let detail = json!({"team": team, "was": u.team_id});
        audit::append(&mut tx, actor.into(), Entry { action: "user.team", record_type: "user", record_id: Some(id.to_string()), detail })
            .await?;
        tx.commit().await?;
        self.user(id).await
    }

    /// Update an account's administrative fields (role, team, disabled, password hash).
    pub async fn update_user_admin(
        &self,
        who: Who,
        id: Uuid,
        role: Role,
        team: Option<Uuid>,
        disabled: bool,
        new_password_hash: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let org = sqlx::query("SELECT org_id FROM users WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?
            .text("org_id")?;
        team_of_org(&mut tx, team, Uuid::parse_str(&org).map_err(|_| StoreError::Corrupt("user org".into()))?).await?;
        sqlx::query("UPDATE users SET role = $1, team_id = $2, disabled = $3, version = version + 1 WHERE id = $4")
            .bind(role.as_str())
            .bind(team.map(|t| t.to_string()))
            .bind(disabled as i64)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        if let Some(hash) = new_password_hash {
            sqlx::query("UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL WHERE id = $2")
                .bind(hash)
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
            // The phone's copy must no longer open with the old password once it next connects.
            crate::sync::rotate_for_password_change(&mut tx, self.keys.as_deref(), id).await?;
        }
        if disabled || new_password_hash.is_some() {
            // A disabled account or a reset password ends every open session and token, and
            // the private calendar address (a leaked one stops with the password).
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id.to_string()).execute(&mut *tx).await?;
            sqlx::query("UPDATE notification_feeds SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                .bind(now_text())
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                .bind(now_text())
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
        }
        if disabled || new_password_hash.is_some() {
            // A disabled account's phones are told nothing more; after a password reset, a phone
            // is told again only once its owner turns notices on with the new password.
            crate::notifications::push::end_subscriptions(&mut tx, "user_id", id).await?;
        }
        let detail = json!({"role": role.as_str(), "team": team, "disabled": disabled, "password_reset": new_password_hash.is_some()});
        audit::append(&mut tx, who, Entry { action: "user.update", record_type: "user", record_id: Some(id.to_string()), detail }).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_user_locale(&self, id: Uuid, locale: &str) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE users SET locale = $1 WHERE id = $2").bind(locale).bind(id.to_string()).execute(&mut *tx).await?;
        audit::append(
            &mut tx,
            Who { actor_id: Some(id), org_id: None, device: None },
            Entry { action: "user.locale", record_type: "user", record_id: Some(id.to_string()), detail: json!({"locale": locale}) },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn team_edges(tx: &mut crate::db::Tx, org: Uuid) -> Result<Vec<(Uuid, Option<Uuid>)>, StoreError> {
    let rows = sqlx::query("SELECT id, parent_id FROM teams WHERE org_id = $1").bind(org.to_string()).fetch_all(&mut **tx).await?;
    rows.iter().map(|r| Ok((r.uuid("id")?, r.opt_uuid("parent_id")?))).collect()
}
