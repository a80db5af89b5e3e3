//! Enrolment: the clerk's one-time code gives the phone a token for its team. The phone's
//! hash chain has its own id, made once: enrolling the same phone again (after the county
//! revoked it) gets a new token and continues the same chain, and nothing is sent twice.

use redvest_shared::sync::Enrolled;
use redvest_shared::wire::{EnrolRequest, Enrolment};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{http, send, transport, SyncFailure, SyncOptions};
use crate::{Error, Result, Store};

pub(super) const ENROLMENT: &str = "sync.enrolment";
const CHAIN_ID: &str = "sync.chain_id";

/// What the device keeps of its enrolment (the token never leaves the device store).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StoredEnrolment {
    pub server: String,
    pub device_id: Uuid,
    pub token: String,
    pub team_id: Uuid,
    pub team_name: String,
    /// The county said this token is revoked: runs stop until the phone enrols again.
    #[serde(default)]
    pub revoked: bool,
}

impl StoredEnrolment {
    /// What the UI may see of it (no token).
    pub fn public(&self) -> Enrolled {
        Enrolled { server: self.server.clone(), device_id: self.device_id, team_name: self.team_name.clone(), revoked: self.revoked }
    }
}

/// The county address records may go to: `https://`, or plain `http://` only to this
/// phone's own loopback (tests and the desktop demo run the county there). Anything else
/// would carry records readable by anyone on the way.
pub fn county_address(server: &str) -> Result<String, Error> {
    use redvest_shared::ErrorCode;
    let server = server.trim().trim_end_matches('/');
    let Ok(url) = reqwest::Url::parse(server) else {
        return Err(Error::invalid("sync.server", ErrorCode::OutOfRange, "the county address is a URL such as https://xian.example.gov.cn"));
    };
    let host = url.host_str().unwrap_or_default();
    let loopback = redvest_shared::sync::loopback_host(host);
    match url.scheme() {
        "https" if !host.is_empty() => Ok(server.to_owned()),
        "http" if loopback => Ok(server.to_owned()),
        "http" => Err(Error::invalid("sync.server", ErrorCode::InsecureAddress, "the county address must start with https:// (plain http:// only to this phone itself)")),
        _ => Err(Error::invalid("sync.server", ErrorCode::OutOfRange, "the county address starts with https://")),
    }
}

impl Store {
    pub(crate) fn enrolment_stored(&self) -> Result<Option<StoredEnrolment>> {
        self.setting(ENROLMENT)
    }

    /// The id of this phone's hash chain, made once. A phone enrolled before chains had ids
    /// used its first device id, which is what the county took as its chain.
    pub fn chain_id(&self) -> Result<Uuid> {
        if let Some(id) = self.setting(CHAIN_ID)? {
            return Ok(id);
        }
        let id = self.enrolment_stored()?.map_or_else(Uuid::now_v7, |e| e.device_id);
        self.set_setting(CHAIN_ID, &id)?;
        Ok(id)
    }

    /// Enrols this device with the county with a clerk's one-time code, or enrols it again
    /// (a new token, the same chain). Keys and people go up with the next run.
    pub fn enrol(&self, server: &str, code: &str, device_name: &str, options: SyncOptions) -> Result<Enrolled, SyncFailure> {
        let server = county_address(server)?;
        let request = EnrolRequest { code: issued_code(code), device_name: device_name.trim().into(), chain_id: self.chain_id()? };
        let enrolment: Enrolment = send(http(options)?.post(format!("{server}/api/v1/enrol")).json(&request))?.json().map_err(transport)?;
        let before = self.enrolment_stored()?;
        let stored = StoredEnrolment {
            server,
            device_id: enrolment.device_id,
            token: enrolment.token,
            team_id: enrolment.team_id,
            team_name: enrolment.team_name,
            revoked: false,
        };
        self.set_setting(ENROLMENT, &stored)?;
        if before.is_some_and(|b| b.team_id != stored.team_id) {
            self.reset_pull_cursor()?; // another team's feed starts from its beginning
        }
        Ok(stored.public())
    }

    /// Remembers that the county revoked this device's token.
    pub(super) fn mark_revoked(&self) -> Result<()> {
        if let Some(mut e) = self.enrolment_stored()? {
            e.revoked = true;
            self.set_setting(ENROLMENT, &e)?;
        }
        Ok(())
    }
}

/// The code as the county issues it (`1234-5678-9012`), however it was typed: the phone's
/// number pad has no dash, a Chinese keyboard may give full-width digits or another dash,
/// and a code read aloud gets spaces. Anything else goes as typed, for the county to refuse.
fn issued_code(typed: &str) -> String {
    let typed = typed.trim();
    let digits: Option<String> = typed
        .chars()
        .filter(|c| !(c.is_whitespace() || matches!(c, '-' | '－' | '‐' | '‑' | '–' | '—' | '−' | '﹣')))
        .map(|c| match c {
            '0'..='9' => Some(c),
            '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')),
            _ => None,
        })
        .collect();
    match digits {
        Some(d) if d.len() == 12 => format!("{}-{}-{}", &d[0..4], &d[4..8], &d[8..12]),
        _ => typed.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{county_address, issued_code};
    use redvest_shared::ErrorCode;

    #[test]
    fn a_code_typed_on_the_number_pad_is_the_code_issued() {
        for typed in ["123456789012", " 1234-5678-9012 ", "1234 5678 9012", "１２３４５６７８９０１２", "1234－5678—9012", "１２３４-5678\u{a0}9012", "1234\t5678 9012"] {
            assert_eq!(issued_code(typed), "1234-5678-9012", "{typed:?}");
        }
        // Not twelve digits: sent as typed, so the county's refusal names what was typed.
        for typed in ["12345678901", "1234-5678-901x", "abcd"] {
            assert_eq!(issued_code(typed), typed, "{typed:?}");
        }
    }

    #[test]
    fn only_https_or_this_phones_own_loopback() {
        for ok in ["https://xian.example.gov.cn", "https://10.1.2.3:8443/", " https://county.example ", "http://127.0.0.1:8787", "http://localhost:8787", "http://[::1]:8787"] {
            assert!(county_address(ok).is_ok(), "{ok}");
        }
        assert_eq!(county_address("https://county.example/").expect("ok"), "https://county.example");
        for plain in ["http://xian.example.gov.cn", "http://192.168.1.10:8787", "http://127.example.com", "http://[::2]"] {
            let err = county_address(plain).expect_err(plain);
            assert!(matches!(err, crate::Error::Invalid { field: "sync.server", code: ErrorCode::InsecureAddress, .. }), "{plain}: {err:?}");
        }
        for junk in ["xian.example.gov.cn", "ftp://county.example", ""] {
            assert!(matches!(county_address(junk), Err(crate::Error::Invalid { code: ErrorCode::OutOfRange, .. })), "{junk}");
        }
    }
}
