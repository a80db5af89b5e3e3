//! The cryptographic rules a signed patrol follows, shared by the device that makes the
//! signatures and the county that checks them (feature `crypto`; the UI does not need it).

use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The prefix of what a leader signs: the record's hash, then the volunteer's signature.
pub const COUNTERSIGN_V1: &[u8] = b"redvest/countersign/v1\n";
/// The prefix of each link of the hash chain.
pub const CHAIN_V1: &[u8] = b"redvest/chain/v1\n";

/// The prefix of what a previous key signs to endorse a member's new key (a PIN change).
pub const KEY_V1: &[u8] = b"redvest/key/v1\n";

/// The prefix of what a leader signs to send a record back to its volunteer.
pub const RETURN_V1: &[u8] = b"redvest/return/v1\n";

/// What the leader signs to send back the record with `record_hash`, for `reason`.
pub fn return_message(record_hash: &[u8], reason: &str) -> Vec<u8> {
    [RETURN_V1, record_hash, reason.as_bytes()].concat()
}

/// What the previous key signs when `member` gets the key `new_public`.
pub fn key_message(member: Uuid, new_public: &[u8]) -> Vec<u8> {
    [KEY_V1, member.as_bytes(), new_public].concat()
}

/// SHA-256 over the parts, in order.
pub fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// What the leader signs for a record whose hash the volunteer signed with `volunteer_sig`.
pub fn countersign_message(record_hash: &[u8], volunteer_sig: &[u8]) -> Vec<u8> {
    [COUNTERSIGN_V1, record_hash, volunteer_sig].concat()
}

/// The link that follows `prev` for a sealed record.
pub fn chain_link(prev: &[u8; 32], patrol: Uuid, record_hash: &[u8]) -> [u8; 32] {
    sha256(&[CHAIN_V1, prev, patrol.as_bytes(), record_hash])
}

/// Whether `signature` over `message` verifies with the Ed25519 `public_key`.
pub fn verifies(public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
    <[u8; 32]>::try_from(public_key)
        .ok()
        .and_then(|p| VerifyingKey::from_bytes(&p).ok())
        .zip(Signature::from_slice(signature).ok())
        .is_some_and(|(key, sig)| key.verify(message, &sig).is_ok())
}
