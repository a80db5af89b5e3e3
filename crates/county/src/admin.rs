//! What a county clerk does from a terminal (`redvest-county team create`, …): each
//! function changes the database and, where devices must learn of it, publishes to the
//! team's feed.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use redvest_shared::hazard::{CountyAction, HazardState};
use redvest_shared::seal::sha256;
use redvest_shared::team::Role;
use redvest_shared::wire::{Alert, MemberMerge, PlanDuty, Published, RosterMember};
use uuid::Uuid;

use crate::db::{CountyDecision, DbError, Decided, KeyRow, MemberRow};
use crate::Db;

/// How long an enrolment code stays usable.
pub const CODE_VALID_DAYS: i64 = 7;

/// Why an admin command failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The database refused or is unreachable.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The thing named does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// An argument breaks a rule.
    #[error("{0}")]
    Invalid(String),
    /// A decision on a hazard was not taken.
    #[error(transparent)]
    Decision(#[from] DecisionRefused),
    /// A clerk was not added.
    #[error(transparent)]
    Clerk(#[from] ClerkRefused),
}

/// A unit enum's serde name (`key_revoked`, `leader`), as the API and the CLI spell it.
pub(crate) fn enum_text<T: serde::Serialize>(value: T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// The value of a unit enum kept as its serde name (`None` for text no value has).
pub(crate) fn from_key<T: serde::de::DeserializeOwned>(key: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(key.to_owned())).ok()
}

/// Creates a team.
pub async fn create_team(db: &Db, name: &str) -> Result<Uuid, AdminError> {
    if name.trim().is_empty() || name.chars().count() > 200 {
        return Err(AdminError::Invalid("a team name is 1–200 characters".into()));
    }
    Ok(db.create_team(name.trim()).await?)
}

/// Creates a township (乡镇).
pub async fn create_township(db: &Db, name: &str) -> Result<Uuid, AdminError> {
    if name.trim().is_empty() || name.chars().count() > 100 {
        return Err(AdminError::Invalid("a township name is 1–100 characters".into()));
    }
    Ok(db.create_township(name.trim()).await?)
}

/// Puts a team in a township.
pub async fn set_team_township(db: &Db, team: Uuid, township: Uuid) -> Result<(), AdminError> {
    if db.townships(Some(township)).await?.is_empty() {
        return Err(AdminError::NotFound(format!("township {township}")));
    }
    if !db.set_team_township(team, township).await? {
        return Err(AdminError::NotFound(format!("team {team}")));
    }
    Ok(())
}

/// Why a clerk was not added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClerkRefused {
    /// The login is empty, too long or has spaces.
    #[error("a login is 1–64 characters without spaces")]
    Login,
    /// Another clerk has this login.
    #[error("this login is taken")]
    LoginTaken,
    /// The name is empty or too long.
    #[error("a name is 1–100 characters")]
    Name,
    /// The password is shorter than 10 characters.
    #[error("a password has at least 10 characters")]
    Password,
    /// No such township.
    #[error("no such township")]
    Township,
}

impl ClerkRefused {
    /// What the clerk reads: the field and the fix.
    pub fn zh(&self) -> &'static str {
        match self {
            ClerkRefused::Login => "登录名请填 1–64 个字符,不要有空格。",
            ClerkRefused::LoginTaken => "这个登录名已经有人用了,请换一个。",
            ClerkRefused::Name => "姓名请填 1–100 个字。",
            ClerkRefused::Password => "初始密码至少 10 个字符。",
            ClerkRefused::Township => "没有这个乡镇。",
        }
    }
}

/// A clerk to add.
#[derive(Debug, Clone)]
pub struct NewClerk<'a> {
    /// What they log in with.
    pub login: &'a str,
    /// Their name.
    pub name: &'a str,
    /// Their first password (they change it under 修改密码).
    pub password: &'a str,
    /// Their township; `None` for a county clerk.
    pub township: Option<Uuid>,
    /// May manage clerks.
    pub is_admin: bool,
}

/// Adds a clerk for the console (a county clerk without `township`); the password is kept
/// as an Argon2id hash only.
pub async fn add_clerk(db: &Db, login: &str, name: &str, password: &str, township: Option<Uuid>, is_admin: bool) -> Result<Uuid, AdminError> {
    add_clerk_by(db, &NewClerk { login, name, password, township, is_admin }, None).await
}

/// Adds a clerk, in the audit log as made by `by` (a console admin: id and login) or by the
/// command line.
pub async fn add_clerk_by(db: &Db, new: &NewClerk<'_>, by: Option<(Uuid, &str)>) -> Result<Uuid, AdminError> {
    let refuse = |r| Err(AdminError::Clerk(r));
    let (login, name) = (new.login.trim(), new.name.trim());
    if login.is_empty() || login.chars().count() > 64 || login.chars().any(char::is_whitespace) {
        return refuse(ClerkRefused::Login);
    }
    if name.is_empty() || name.chars().count() > 100 {
        return refuse(ClerkRefused::Name);
    }
    if new.password.chars().count() < 10 {
        return refuse(ClerkRefused::Password);
    }
    if let Some(t) = new.township {
        if db.townships(Some(t)).await?.is_empty() {
            return refuse(ClerkRefused::Township);
        }
    }
    if db.clerk_login_taken(login).await? {
        return refuse(ClerkRefused::LoginTaken);
    }
    // Argon2 takes its time off the async threads.
    let password = new.password.to_owned();
    let hash = tokio::task::spawn_blocking(move || crate::console::hash_password(&password))
        .await
        .map_err(|e| AdminError::Invalid(format!("hashing the password: {e}")))?
        .map_err(|e| AdminError::Invalid(format!("hashing the password: {e}")))?;
    let id = match db.add_clerk(login, name, &hash, new.township, new.is_admin).await {
        // Another admin took the login in the meantime.
        Err(DbError::Conflict(c)) if c.contains("login") => return refuse(ClerkRefused::LoginTaken),
        other => other?,
    };
    let (by_id, by_login) = by.map_or((None, "redvest-county"), |(id, login)| (Some(id), login));
    db.audit(by_id, by_login, "添加用户", &format!("{login}({name})")).await?;
    Ok(id)
}

/// Adds a member, with a phone number (empty or `None`: none), and publishes the team's
/// roster as it now is.
pub async fn add_member(db: &Db, team: Uuid, name: &str, role: Role, phone: Option<&str>) -> Result<Uuid, AdminError> {
    if name.trim().is_empty() || name.chars().count() > 100 {
        return Err(AdminError::Invalid("a name is 1–100 characters".into()));
    }
    let phone = match phone {
        Some(text) => phone_number(text).map_err(|_| AdminError::Invalid(PhoneRefused.to_string()))?,
        None => None,
    };
    let id = db.add_member(team, name.trim(), &enum_text(role), phone.as_deref()).await?;
    publish_roster(db, team).await?;
    Ok(id)
}

/// The longest phone number the county keeps (the column's CHECK says the same).
pub const MAX_PHONE_CHARS: usize = 40;

/// A phone number that cannot be dialled from a `tel:` link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a phone number is 3–20 digits, with an optional leading + and - or spaces between digits (e.g. 13800138000)")]
pub struct PhoneRefused;

impl PhoneRefused {
    /// What the clerk reads: the field and the fix.
    pub fn zh(self) -> &'static str {
        "电话号码写法不对:请填 3–20 位数字,可以以 + 开头,数字之间可以用 - 或空格隔开,例如 13800138000 或 0851-1234567;不填则清除电话。"
    }
}

/// A phone number as the county keeps it: trimmed, `None` when empty, refused when the
/// phones could not dial it (`redvest_shared::rapid::is_phone_number`).
pub fn phone_number(text: &str) -> Result<Option<String>, PhoneRefused> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > MAX_PHONE_CHARS || !redvest_shared::rapid::is_phone_number(text) {
        return Err(PhoneRefused);
    }
    Ok(Some(text.to_owned()))
}

/// Sets (`None`: clears) a confirmed member's phone number, of `team` if given (the console
/// names the team it shows), and publishes the roster so the team's phones hear it. Returns
/// the member's team.
pub async fn set_member_phone(db: &Db, team: Option<Uuid>, member: Uuid, phone: Option<&str>) -> Result<Uuid, AdminError> {
    let Some(team) = db.set_member_phone(team, member, phone).await? else {
        return Err(AdminError::NotFound(format!("confirmed member {member}")));
    };
    publish_roster(db, team).await?;
    Ok(team)
}

fn role_of(text: &str) -> Option<Role> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
}

/// Publishes the team's roster as it now is: confirmed members with their keys (and leaders
/// with their phone numbers), proposals still pending (so every phone of the team shows one person once), and
/// the merges phones must fold.
pub async fn publish_roster(db: &Db, team: Uuid) -> Result<i64, AdminError> {
    let rows = db.members(team).await?;
    let keys = db.team_keys(team).await?;
    let members = rows
        .iter()
        .filter(|m| m.status != "merged")
        .map(|m| RosterMember {
            id: m.id,
            name: m.name.clone(),
            role: role_of(&m.role).unwrap_or(Role::Volunteer),
            pending: m.status == "proposed",
            keys: keys.iter().filter(|k| k.member_id == m.id && !k.revoked).map(|k| hex::encode(&k.public_key)).collect(),
            // Only leaders' numbers go to the phones (一键报警 calls them); the rest stay here.
            phone: (role_of(&m.role) == Some(Role::Leader)).then(|| m.phone.clone()).flatten(),
        })
        .collect();
    let merged = rows.iter().filter_map(|m| Some(MemberMerge { from: m.id, into: m.merged_into? })).collect();
    Ok(db.publish(team, &Published::Roster { members, merged }).await?)
}

/// A team's roster entries, every status, for the clerk.
pub async fn list_members(db: &Db, team: Uuid) -> Result<Vec<MemberRow>, AdminError> {
    Ok(db.members(team).await?)
}

async fn proposal(db: &Db, id: Uuid) -> Result<MemberRow, AdminError> {
    let m = db.member(id).await?.ok_or_else(|| AdminError::NotFound(format!("member {id}")))?;
    if m.status != "proposed" {
        return Err(AdminError::Invalid(format!("{} ({id}) is {}, not a proposal", m.name, m.status)));
    }
    Ok(m)
}

/// Merges a proposal from a phone into the member it is the same person as: one person, one
/// id. The proposal's keys count for that member from now on; every phone folds the two.
pub async fn merge_member(db: &Db, proposal_id: Uuid, into: Uuid) -> Result<(), AdminError> {
    let from = proposal(db, proposal_id).await?;
    let target = db.member(into).await?.ok_or_else(|| AdminError::NotFound(format!("member {into}")))?;
    if target.team_id != from.team_id || target.status != "active" {
        return Err(AdminError::Invalid(format!("merge into a confirmed member of the same team; {} is {}", target.name, target.status)));
    }
    if !db.merge_member(from.id, into).await? {
        return Err(AdminError::Invalid(format!("{} ({proposal_id}) was merged or confirmed meanwhile", from.name)));
    }
    publish_roster(db, from.team_id).await?;
    Ok(())
}

/// Confirms a proposal as a member in `role` (the clerk decides the role, not the phone).
pub async fn confirm_member(db: &Db, proposal_id: Uuid, role: Role) -> Result<(), AdminError> {
    let m = proposal(db, proposal_id).await?;
    if !db.confirm_member(m.id, &enum_text(role)).await? {
        return Err(AdminError::Invalid(format!("{} ({proposal_id}) was merged or confirmed meanwhile", m.name)));
    }
    publish_roster(db, m.team_id).await?;
    Ok(())
}

/// A team's keys, newest first.
pub async fn list_keys(db: &Db, team: Uuid) -> Result<Vec<KeyRow>, AdminError> {
    Ok(db.list_keys(team).await?)
}

/// Revokes a key (hex): records it signs are refused from now on, with their reason.
pub async fn revoke_key(db: &Db, public_key_hex: &str) -> Result<(), AdminError> {
    let key = hex::decode(public_key_hex.trim()).ok().filter(|k| k.len() == 32).ok_or_else(|| AdminError::Invalid("a key is 64 hex digits".into()))?;
    if db.revoke_key(&key).await? {
        // Phones check records handed over by QR against the roster's keys: they must hear.
        if let Some(crate::db::KeyOwner { team_id: team, .. }) = db.key_owner(&key).await? {
            publish_roster(db, team).await?;
        }
        Ok(())
    } else {
        Err(AdminError::NotFound(format!("key {public_key_hex} (or it was revoked already)")))
    }
}

/// What the county's check of a team's chains found at one place of one phone's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainFinding {
    /// The phone's chain.
    pub chain_id: Uuid,
    /// The place.
    pub seq: i64,
    /// What is wrong there.
    pub problem: ChainProblem,
}

/// A problem in a phone's chain as the county holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainProblem {
    /// No record holds this place: never received, or removed at the county.
    Missing,
    /// The county refused the record for this place (its code and reason); it may come again.
    Refused(String, String),
    /// This link does not follow the one before it: a record was reordered, altered or
    /// replaced on the phone.
    DoesNotFollow,
    /// The stored record no longer hashes to its link: altered at the county.
    RecordAltered,
}

/// What the county holds at the place before a link.
#[derive(Debug, Clone, Copy)]
pub enum Before<'a> {
    /// The link is its chain's first: it must follow 32 zero bytes.
    Start,
    /// The link the county holds there.
    Held(&'a [u8]),
    /// Nothing to compare with: a gap, named at its own place.
    Unknown,
}

/// The problems at one place of a chain: its link does not follow the one before, or its
/// record (`record_hash`; `None` when the record is gone) no longer gives its link. The one
/// rule for [`verify_chains`] and for a patrol's page and the bound volume
/// ([`crate::sheet`]).
pub fn check_place(before: Before<'_>, prev: Option<&[u8]>, link: &[u8], patrol: Uuid, record_hash: Option<&[u8; 32]>) -> Vec<ChainProblem> {
    let mut problems = Vec::new();
    let expected: Option<&[u8]> = match before {
        Before::Start => Some(&[0u8; 32]),
        Before::Held(l) => Some(l),
        Before::Unknown => None,
    };
    if expected.is_some_and(|e| prev != Some(e)) {
        problems.push(ChainProblem::DoesNotFollow);
    }
    match record_hash {
        None => problems.push(ChainProblem::Missing),
        Some(hash) => {
            let prev = prev.and_then(|p| <[u8; 32]>::try_from(p).ok());
            if !prev.is_some_and(|prev| redvest_shared::seal::chain_link(&prev, patrol, hash).as_slice() == link) {
                problems.push(ChainProblem::RecordAltered);
            }
        }
    }
    problems
}

/// Checks every phone chain of a team: each place from 1 to the last link stored or refused
/// is filled, each link follows its predecessor, and each stored record still hashes to its
/// link.
pub async fn verify_chains(db: &Db, team: Uuid) -> Result<Vec<ChainFinding>, AdminError> {
    let links = db.chain_links(team).await?;
    let refusals = db.chain_refusals(team).await?;
    let mut findings = Vec::new();
    // A chain whose every record was refused has no link yet, and is checked all the same.
    let mut chains: Vec<Uuid> = links.iter().map(|l| l.chain_id).chain(refusals.iter().map(|r| r.chain_id)).collect();
    chains.sort();
    chains.dedup();
    for chain in chains {
        let these: Vec<_> = links.iter().filter(|l| l.chain_id == chain).collect();
        let refused: Vec<_> = refusals.iter().filter(|r| r.chain_id == chain).collect();
        let last = these.iter().map(|l| l.seq).chain(refused.iter().map(|r| r.seq)).max().unwrap_or(0);
        let mut before: Option<&crate::db::LinkRow> = None;
        for seq in 1..=last {
            let found = |problem| ChainFinding { chain_id: chain, seq, problem };
            let Some(link) = these.iter().find(|l| l.seq == seq).copied() else {
                findings.push(found(match refused.iter().find(|r| r.seq == seq) {
                    Some(r) => ChainProblem::Refused(r.code.clone(), r.reason.clone()),
                    None => ChainProblem::Missing,
                }));
                before = None;
                continue;
            };
            let held = if seq == 1 { Before::Start } else { before.map_or(Before::Unknown, |b| Before::Held(&b.link)) };
            let hash = link.canonical.as_ref().map(|c| sha256(&[c.as_bytes()]));
            findings.extend(check_place(held, link.prev.as_deref(), &link.link, link.patrol_id, hash.as_ref()).into_iter().map(found));
            before = Some(link);
        }
    }
    Ok(findings)
}

/// Issues a one-time enrolment code (12 digits in groups of 4, valid 7 days); only its hash
/// is stored.
pub async fn issue_code(db: &Db, team: Uuid, now: DateTime<Utc>) -> Result<String, AdminError> {
    let digits: String = {
        let mut rng = rand::rngs::OsRng;
        (0..12).map(|_| char::from(b'0' + rng.gen_range(0..10u8))).collect()
    };
    let code = format!("{}-{}-{}", &digits[0..4], &digits[4..8], &digits[8..12]);
    db.add_enrolment_code(team, &sha256(&[code.as_bytes()]), now + Duration::days(CODE_VALID_DAYS)).await?;
    Ok(code)
}

/// Revokes a device: its token stops working at once.
pub async fn revoke_device(db: &Db, device: Uuid) -> Result<(), AdminError> {
    if db.revoke_device(device).await? {
        Ok(())
    } else {
        Err(AdminError::NotFound(format!("device {device} (or it was already revoked)")))
    }
}

/// Publishes a monthly plan (`YYYY-MM`) of duties by date.
pub async fn publish_plan(db: &Db, team: Uuid, month: &str, duties: Vec<PlanDuty>) -> Result<(), AdminError> {
    if chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").is_err() {
        return Err(AdminError::Invalid(format!("month {month:?} is not YYYY-MM")));
    }
    for d in &duties {
        if d.dates.is_empty() || d.dates.iter().any(|date| date.format("%Y-%m").to_string() != month) {
            return Err(AdminError::Invalid(format!("duty {} must have dates in {month}", d.id)));
        }
    }
    Ok(db.publish_plan(team, month, &duties).await?)
}

/// Publishes an alert (提示短信).
pub async fn publish_alert(db: &Db, team: Uuid, text: &str, area: &str, valid_from: DateTime<Utc>, valid_to: DateTime<Utc>) -> Result<Uuid, AdminError> {
    if text.trim().is_empty() || text.chars().count() > 500 {
        return Err(AdminError::Invalid("an alert's text is 1–500 characters".into()));
    }
    if valid_to <= valid_from {
        return Err(AdminError::Invalid("valid_to must be after valid_from".into()));
    }
    let id = Uuid::now_v7();
    db.publish(team, &Published::Alert(Alert { id, text: text.trim().into(), area: area.trim().into(), valid_from, valid_to })).await?;
    Ok(id)
}

/// Why the county's decision on a hazard was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionRefused {
    /// 交办 without a responsible person.
    #[error("assign needs a responsible person")]
    MissingResponsible,
    /// 交办 without a deadline.
    #[error("assign needs a deadline")]
    MissingDeadline,
    /// 督办 or 退回 without a reason.
    #[error("this action needs a reason")]
    MissingReason,
    /// A responsible person given with an action other than 交办.
    #[error("only assign names a responsible person")]
    ResponsibleNotTaken,
    /// A deadline given with 复查 or 销号.
    #[error("only assign, supervise and return set a deadline")]
    DeadlineNotTaken,
    /// A deadline before today (Beijing).
    #[error("the deadline is in the past")]
    DeadlinePast,
    /// A responsible person over 40 characters or a reason over 200 (the phones' limits).
    #[error("responsible person over 40 or reason over 200 characters")]
    TooLong,
    /// The action does not apply to the hazard's state.
    #[error("{} does not apply to a hazard in state {}", .0.key(), enum_text(.1))]
    NotAllowed(CountyAction, HazardState),
    /// No such hazard (or not in the clerk's township).
    #[error("no such hazard")]
    NotFound,
}

impl DecisionRefused {
    /// What the clerk reads: the field and the fix.
    pub fn zh(&self) -> String {
        match self {
            DecisionRefused::MissingResponsible => "交办需要填写责任人。".into(),
            DecisionRefused::MissingDeadline => "交办需要填写整改期限(如 2026-12-20)。".into(),
            DecisionRefused::MissingReason => "督办和退回需要填写说明。".into(),
            DecisionRefused::ResponsibleNotTaken => "只有交办填写责任人;请清空责任人,或把办理方式改为交办。".into(),
            DecisionRefused::DeadlineNotTaken => "复查和销号不设整改期限;请清空整改期限。".into(),
            DecisionRefused::DeadlinePast => "整改期限已经过去,请选今天或以后的日期。".into(),
            DecisionRefused::TooLong => "责任人请在 40 字以内,说明请在 200 字以内。".into(),
            DecisionRefused::NotAllowed(action, state) => {
                format!("这条隐患目前是“{}”,不能{};请按 交办 → 整改 → 复查 → 销号 的顺序办理。", state.zh(), action.zh())
            }
            DecisionRefused::NotFound => "没有这条隐患,或者您无权办理。".into(),
        }
    }
}

/// Records a county decision on a hazard (交办, 督办, 复查, 销号, 退回) within `scope` (a
/// township clerk's township; `None`: the whole county), appends it to the hazard's history
/// and publishes it to the team's phones. Returns the hazard's new state.
pub async fn decide_hazard(db: &Db, hazard: Uuid, scope: Option<Uuid>, mut d: CountyDecision, now: DateTime<Utc>) -> Result<HazardState, AdminError> {
    d.reason = d.reason.trim().to_owned();
    d.responsible = d.responsible.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    let refuse = |r| Err(AdminError::Decision(r));
    let takes_deadline = matches!(d.action, CountyAction::Assign | CountyAction::Supervise | CountyAction::Return);
    if d.action.needs_assignee() && d.responsible.is_none() {
        return refuse(DecisionRefused::MissingResponsible);
    }
    if d.action.needs_assignee() && d.deadline.is_none() {
        return refuse(DecisionRefused::MissingDeadline);
    }
    if d.action.needs_reason() && d.reason.is_empty() {
        return refuse(DecisionRefused::MissingReason);
    }
    if !d.action.needs_assignee() && d.responsible.is_some() {
        return refuse(DecisionRefused::ResponsibleNotTaken);
    }
    if !takes_deadline && d.deadline.is_some() {
        return refuse(DecisionRefused::DeadlineNotTaken);
    }
    if d.deadline.is_some_and(|day| day < crate::beijing::local(now).date()) {
        return refuse(DecisionRefused::DeadlinePast);
    }
    if d.reason.chars().count() > 200 || d.responsible.as_ref().is_some_and(|r| r.chars().count() > 40) {
        return refuse(DecisionRefused::TooLong);
    }
    match db.decide_hazard(hazard, scope, &d, now).await? {
        Decided::Done(state) => Ok(state),
        Decided::NotFound => refuse(DecisionRefused::NotFound),
        Decided::NotAllowed(state) => refuse(DecisionRefused::NotAllowed(d.action, state)),
    }
}

/// What [`move_photos`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MovedPhotos {
    /// Complete photos now in the photo store.
    pub complete: usize,
    /// Unfinished uploads whose received bytes became their first part.
    pub unfinished: usize,
    /// Complete uploads whose bytes did not have their hash: emptied, the phone sends again.
    pub discarded: usize,
}

/// Moves photo bytes written before the photo store out of PostgreSQL into it (idempotent:
/// each upload is emptied in the database only after its bytes are in the store).
pub async fn move_photos(db: &Db) -> Result<MovedPhotos, AdminError> {
    let mut moved = MovedPhotos::default();
    loop {
        // A few at a time: a row may hold a 30 MB photo.
        let batch = db.legacy_uploads(8).await?;
        if batch.is_empty() {
            return Ok(moved);
        }
        for up in batch {
            let (team, sha, bytes) = (up.team_id, up.sha256, up.data.len() as i64);
            if up.complete {
                let verified = hex::encode(sha256(&[&up.data])) == sha;
                if verified {
                    db.photos().put_photo(&sha, up.data).await.map_err(DbError::from)?;
                    moved.complete += 1;
                } else {
                    tracing::warn!(%team, %sha, "a stored photo did not have its hash; the phone will send it again");
                    moved.discarded += 1;
                }
                db.moved_upload(team, &sha, bytes, None, verified).await?;
            } else {
                let key = crate::photos::PhotoStore::part_key(team, &sha);
                db.photos().put(&key, up.data).await.map_err(DbError::from)?;
                db.moved_upload(team, &sha, bytes, Some(&key), false).await?;
                moved.unfinished += 1;
            }
        }
    }
}

/// How long a part object may go unnamed by any upload before [`sweep_parts`] deletes it: a
/// `PATCH` under way writes its part before the row that names it.
pub const PART_GRACE: Duration = Duration::hours(1);

/// Deletes part objects no upload names (left by a server that stopped between writing a
/// part and recording it, or a cleanup that failed); returns how many.
pub async fn sweep_parts(db: &Db, now: DateTime<Utc>) -> Result<usize, AdminError> {
    let old = db.photos().parts_before(now - PART_GRACE).await.map_err(DbError::from)?;
    let mut swept = 0;
    for keys in old.chunks(500) {
        let live = db.live_parts(keys).await?;
        let orphans: Vec<String> = keys.iter().filter(|k| !live.contains(k)).cloned().collect();
        swept += orphans.len();
        db.photos().forget(&orphans).await;
    }
    Ok(swept)
}

/// Measures the distance of every held track that has none yet (patrols stored before the
/// county kept distances); `serve` runs it at start. Returns how many.
pub async fn measure_tracks(db: &Db) -> Result<usize, AdminError> {
    let mut measured = 0;
    loop {
        let n = db.measure_tracks(200).await?;
        measured += n;
        if n == 0 {
            return Ok(measured);
        }
    }
}
