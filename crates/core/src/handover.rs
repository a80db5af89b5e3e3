//! The hand-over by QR on the mountain, with no signal: the volunteer's phone shows the
//! signed patrol as a stream of QR codes, fountain-coded (Uniform Resources, `ur`), so frames
//! the camera misses do not matter; the leader's phone scans them, checks the volunteer's
//! signature against the roster's keys, and countersigns; it then shows the countersignature
//! the same way (one QR when it fits), which the volunteer's phone scans and seals with.
//! Photos and the track do not travel by QR: they follow through the county.
//!
//! A payload is `RVQ1`, a kind byte, then zstd of: the parts' lengths (u32, big-endian)
//! and the parts. Kind 1, a signed record: the signed bytes, the volunteer's signature as
//! JSON (without its drawing), the drawing. Kind 2, a countersignature: the decision as JSON
//! (without the drawing), the drawing. Drawings travel as small 1-bit images.

use base64::Engine;
use chrono::{DateTime, Utc};
use redvest_shared::patrol::SignerRole;
use redvest_shared::wire::{Decision, DecisionItem, SubmissionPush, WireSignature};
use redvest_shared::handover::{QrShow, Received};
use redvest_shared::ErrorCode;
use uuid::Uuid;

use crate::review::Source;
use crate::{Error, Result, Store};

const MAGIC: &[u8] = b"RVQ1";
const SIGNED: u8 = 1;
const COUNTERSIGNED: u8 = 2;
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Bytes of payload per QR frame: a version-12 code at the lowest error correction, which a
/// phone's camera reads at arm's length from another phone's screen.
pub const FRAGMENT_LEN: usize = 200;
/// The most bytes a whole hand-over may have (a bigger one is not a Redvest record).
const MAX_PAYLOAD: usize = 256 * 1024;
/// The most fragments a hand-over may be cut into.
const MAX_FRAGMENTS: usize = MAX_PAYLOAD / FRAGMENT_LEN + 1;
/// The longest text a QR code holds (version 40, alphanumeric).
const MAX_FRAME_TEXT: usize = 4296;
/// Width a drawn signature is reduced to for the hand-over.
const DRAWING_WIDTH: u32 = 240;

/// What a QR sequence carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handover {
    /// A patrol signed by its volunteer, for the leader.
    Signed(SubmissionPush),
    /// The leader's countersignature, back to the volunteer.
    Countersigned(DecisionItem),
}

fn invalid(message: impl Into<String>) -> Error {
    Error::invalid("qr", ErrorCode::QrInvalid, message)
}

/// A drawn signature made small for the QR: grey, at most [`DRAWING_WIDTH`] wide, ink or paper
/// only. A drawing that cannot be read as an image travels as it is.
pub fn small_drawing(png: &[u8]) -> Vec<u8> {
    let Ok(img) = image::load_from_memory_with_format(png, image::ImageFormat::Png) else { return png.to_vec() };
    // Transparent paper reads as white.
    let rgba = img.to_rgba8();
    let grey = image::GrayImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let p = rgba.get_pixel(x, y).0;
        let ink = 255 - (u16::from(p[0]) + u16::from(p[1]) + u16::from(p[2])) / 3;
        image::Luma([if u16::from(p[3]) * ink / 255 > 60 { 0 } else { 255 }])
    });
    let grey = if grey.width() > DRAWING_WIDTH {
        let h = (grey.height() * DRAWING_WIDTH / grey.width()).max(1);
        let mut small = image::imageops::resize(&grey, DRAWING_WIDTH, h, image::imageops::FilterType::Triangle);
        for p in small.pixels_mut() {
            p.0[0] = if p.0[0] < 200 { 0 } else { 255 };
        }
        small
    } else {
        grey
    };
    let mut out = Vec::new();
    let encoder = image::codecs::png::PngEncoder::new_with_quality(&mut out, image::codecs::png::CompressionType::Best, image::codecs::png::FilterType::NoFilter);
    match grey.write_with_encoder(encoder) {
        Ok(()) if out.len() < png.len() => out,
        _ => png.to_vec(),
    }
}

fn frame(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        out.extend_from_slice(&u32::try_from(p.len()).unwrap_or(u32::MAX).to_be_bytes());
    }
    for p in parts {
        out.extend_from_slice(p);
    }
    out
}

fn unframe<const N: usize>(bytes: &[u8]) -> Result<[&[u8]; N]> {
    let mut lens = [0usize; N];
    let mut at = 0;
    for len in &mut lens {
        let b: [u8; 4] = bytes.get(at..at + 4).and_then(|b| b.try_into().ok()).ok_or_else(|| invalid("the hand-over is cut short"))?;
        *len = u32::from_be_bytes(b) as usize;
        at += 4;
    }
    let mut out = [&bytes[..0]; N];
    for (slot, len) in out.iter_mut().zip(lens) {
        *slot = bytes.get(at..at + len).ok_or_else(|| invalid("the hand-over is cut short"))?;
        at += len;
    }
    Ok(out)
}

fn drawing_off(sig: &WireSignature) -> Result<(WireSignature, Vec<u8>)> {
    let png = B64.decode(&sig.handwriting_png).map_err(|e| Error::Corrupt(format!("drawing: {e}")))?;
    Ok((WireSignature { handwriting_png: String::new(), ..sig.clone() }, small_drawing(&png)))
}

/// The payload of a hand-over: magic, kind, zstd of its parts.
pub fn payload(h: &Handover) -> Result<Vec<u8>> {
    let (kind, body) = match h {
        Handover::Signed(s) => {
            let (sig, png) = drawing_off(&s.signature)?;
            (SIGNED, frame(&[s.canonical.as_bytes(), &serde_json::to_vec(&sig)?, &png]))
        }
        Handover::Countersigned(d) => {
            let Decision::Countersigned { signature } = &d.decision else { return Err(Error::WrongState("only a countersignature goes back by QR".into())) };
            let (sig, png) = drawing_off(signature)?;
            let d = DecisionItem { decision: Decision::Countersigned { signature: sig }, ..d.clone() };
            (COUNTERSIGNED, frame(&[&serde_json::to_vec(&d)?, &png]))
        }
    };
    let packed = zstd::bulk::compress(&body, 19).map_err(|e| Error::Corrupt(format!("compressing: {e}")))?;
    Ok([MAGIC, &[kind], &packed].concat())
}

/// Reads a payload back; anything else is refused as not a Redvest hand-over.
pub fn read_payload(bytes: &[u8]) -> Result<Handover> {
    let rest = bytes.strip_prefix(MAGIC).ok_or_else(|| invalid("not a Redvest QR code"))?;
    let (&kind, packed) = rest.split_first().ok_or_else(|| invalid("not a Redvest QR code"))?;
    let body = zstd::bulk::decompress(packed, MAX_PAYLOAD).map_err(|_| invalid("the hand-over does not unpack"))?;
    let with_drawing = |sig: WireSignature, png: &[u8]| WireSignature { handwriting_png: B64.encode(png), ..sig };
    match kind {
        SIGNED => {
            let [canonical, sig, png] = unframe::<3>(&body)?;
            let canonical = String::from_utf8(canonical.to_vec()).map_err(|_| invalid("the signed record is not text"))?;
            let sig: WireSignature = serde_json::from_slice(sig).map_err(|e| invalid(format!("signature: {e}")))?;
            Ok(Handover::Signed(SubmissionPush { canonical, signature: with_drawing(sig, png), track_rvtk: None }))
        }
        COUNTERSIGNED => {
            let [decision, png] = unframe::<2>(&body)?;
            let d: DecisionItem = serde_json::from_slice(decision).map_err(|e| invalid(format!("countersignature: {e}")))?;
            let Decision::Countersigned { signature } = d.decision else { return Err(invalid("not a countersignature")) };
            Ok(Handover::Countersigned(DecisionItem { decision: Decision::Countersigned { signature: with_drawing(signature, png) }, ..d }))
        }
        other => Err(invalid(format!("unknown hand-over kind {other}"))),
    }
}

/// A hand-over as QR frames: the UR parts (upper case, for the QR alphanumeric mode), first
/// each fragment once, then mixes of them, `frames` in all (the screen shows them in a loop).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frames {
    /// Payload bytes after compression.
    pub bytes: usize,
    /// Fragments the payload is cut into: the fewest frames a scanner needs.
    pub fragments: usize,
    /// The frames' texts.
    pub parts: Vec<String>,
}

/// Cuts a payload into `frames` fountain-coded QR texts (at least one per fragment).
pub fn frames(payload: &[u8], frames: usize) -> Result<Frames> {
    let mut encoder = ur::Encoder::bytes(payload, FRAGMENT_LEN).map_err(|e| Error::Corrupt(format!("QR encoder: {e}")))?;
    let fragments = encoder.fragment_count();
    let count = if fragments == 1 { 1 } else { frames.max(fragments) };
    let parts = (0..count)
        .map(|_| encoder.next_part().map(|p| p.to_uppercase()).map_err(|e| Error::Corrupt(format!("QR encoder: {e}"))))
        .collect::<Result<_>>()?;
    Ok(Frames { bytes: payload.len(), fragments, parts })
}

/// How a scan stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Distinct frames taken in.
    pub frames: u32,
    /// Whether the whole payload is there.
    pub complete: bool,
}

/// Takes in scanned frames, in any order, with any missing, until a payload is whole.
#[derive(Default)]
pub struct Receiver {
    decoder: ur::Decoder,
    seen: std::collections::HashSet<String>,
}

impl Receiver {
    /// Takes one scanned text. A damaged or altered frame, or one of another hand-over, is
    /// refused by name; the frames taken in so far stay.
    pub fn receive(&mut self, text: &str) -> Result<Progress> {
        let part = text.trim().to_lowercase();
        if !part.starts_with("ur:bytes/") || part.len() > MAX_FRAME_TEXT {
            return Err(invalid("not a Redvest QR code"));
        }
        // A frame's sequence header sizes the decoder's work: a made-up one must not exhaust
        // the phone's memory (a poster, a screen held up by anyone).
        if let [_, header, _] = part.splitn(3, '/').collect::<Vec<_>>()[..] {
            let count = header.split_once('-').and_then(|(_, count)| count.parse::<usize>().ok());
            if !count.is_some_and(|c| (1..=MAX_FRAGMENTS).contains(&c)) {
                return Err(invalid("not a Redvest QR code"));
            }
        }
        if self.seen.insert(part.clone()) {
            if let Err(e) = self.decoder.receive(&part) {
                self.seen.remove(&part);
                return Err(invalid(format!("frame {} is damaged or altered ({e}); keep the camera on the other phone", part.split('/').nth(1).unwrap_or("?"))));
            }
        }
        Ok(Progress { frames: u32::try_from(self.seen.len()).unwrap_or(u32::MAX), complete: self.decoder.complete() })
    }

    /// The whole payload, once complete.
    pub fn payload(&self) -> Result<Option<Vec<u8>>> {
        if !self.decoder.complete() {
            return Ok(None);
        }
        self.decoder.message().map_err(|e| invalid(format!("the frames do not add up: {e}")))
    }
}

/// A hand-over as the screen shows it: a loop of four times as many frames as the fewest a
/// scanner needs, each a QR code drawn as a small 1-bit-looking PNG (a data URL: a few KB
/// each, light for an old phone's webview).
pub fn show(h: &Handover) -> Result<QrShow> {
    let bytes = payload(h)?;
    let fragments = frames(&bytes, 0)?.fragments;
    let parts = frames(&bytes, fragments * 4)?.parts;
    let frames = parts.iter().map(|p| qr_png(p)).collect::<Result<_>>()?;
    Ok(QrShow { frames, fragments: u32::try_from(fragments).unwrap_or(u32::MAX) })
}

/// One QR code (lowest error correction, 4 px a module, with its quiet zone) as a PNG data URL.
fn qr_png(text: &str) -> Result<String> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::L).map_err(|e| Error::Corrupt(format!("QR code: {e}")))?;
    let img = code.render::<image::Luma<u8>>().quiet_zone(true).module_dimensions(4, 4).build();
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).map_err(|e| Error::Corrupt(format!("QR image: {e}")))?;
    Ok(format!("data:image/png;base64,{}", B64.encode(png)))
}

impl Store {
    /// The volunteer's phone: its signed patrol as a hand-over (no track, no photos).
    pub fn handover_signed(&self, patrol: Uuid) -> Result<Handover> {
        let push = self.waiting_submission(patrol)?;
        Ok(Handover::Signed(push))
    }

    /// The leader's phone: the countersignature made here on a record received by QR (or
    /// from the county).
    pub fn handover_countersigned(&self, patrol: Uuid) -> Result<Handover> {
        let (hash, leader) = self.countersignature_here(patrol)?;
        Ok(Handover::Countersigned(DecisionItem { patrol_id: patrol, record_hash: hex::encode(hash), decision: Decision::Countersigned { signature: leader } }))
    }

    /// Takes in a scanned hand-over. A signed record must be signed by its volunteer's key
    /// as the county's roster lists it; a countersignature by a leader of the roster, over the
    /// record this phone waits with.
    pub fn accept_handover(&self, h: &Handover, now: DateTime<Utc>) -> Result<Received> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let received = match h {
            Handover::Signed(s) => {
                let id = crate::review::receive_checked(&tx, s, Source::Qr, now)?;
                Received::Review(id)
            }
            Handover::Countersigned(d) => {
                let Decision::Countersigned { signature } = &d.decision else { return Err(invalid("not a countersignature")) };
                if signature.role != SignerRole::Leader {
                    return Err(invalid("not a countersignature"));
                }
                crate::review::check_leader_key(&tx, signature)?;
                if !crate::review::apply_decision(&tx, d, now)? {
                    return Err(Error::WrongState(format!("patrol {} does not wait on this phone for this countersignature", d.patrol_id)));
                }
                Received::Sealed(d.patrol_id)
            }
        };
        tx.commit()?;
        Ok(received)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    fn sample() -> Handover {
        let png = {
            let img = image::RgbaImage::from_fn(600, 200, |x, y| if (x as i32 - 3 * y as i32).abs() < 4 || (y as i32 - 100).abs() < 3 { image::Rgba([0, 0, 0, 255]) } else { image::Rgba([0, 0, 0, 0]) });
            let mut out = Vec::new();
            img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).expect("png");
            out
        };
        // Fixed content, so a failure replays.
        let canonical = format!("redvest/patrol-record/v1\n{}", serde_json::json!({"id": Uuid::from_u128(0x019a_0000_0000_7000_8000_0000_0000_0001), "remarks": "正常 ".repeat(200)}));
        Handover::Signed(SubmissionPush {
            canonical,
            signature: WireSignature {
                role: SignerRole::Volunteer,
                member_id: Uuid::from_u128(0x019a_0000_0000_7000_8000_0000_0000_0002),
                public_key: "ab".repeat(32),
                signature: "cd".repeat(64),
                signed_at: DateTime::from_timestamp(1_795_000_000, 0).unwrap_or_default(),
                handwriting_png: B64.encode(png),
            },
            track_rvtk: None,
        })
    }

    /// A deterministic shuffle and loss (xorshift), so a failure replays.
    fn scramble(parts: &[String], seed: u64, keep: f64) -> Vec<String> {
        let mut s = seed;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut kept = Vec::new();
        for p in parts {
            if next() < keep {
                kept.push((next(), p.clone()));
            }
        }
        kept.sort_by(|a, b| a.0.total_cmp(&b.0));
        kept.into_iter().map(|(_, p)| p).collect()
    }

    #[test]
    fn frames_out_of_order_with_30_percent_lost_still_make_the_record() {
        let original = sample();
        let bytes = payload(&original).expect("payload");
        let f = frames(&bytes, 0).expect("frames");
        // A screen's loop: each fragment, then five times as many mixes.
        let all = frames(&bytes, f.fragments * 6).expect("frames").parts;
        assert!(f.fragments > 1, "a record of several frames: {}", f.fragments);
        for seed in 1..=20u64 {
            let mut rx = Receiver::default();
            for part in scramble(&all, seed * 7919, 0.7) {
                if rx.receive(&part).expect("a good frame").complete {
                    break;
                }
            }
            let back = rx.payload().expect("adds up").expect("complete with 70 % of the frames, in any order");
            assert_eq!(read_payload(&back).expect("reads"), read_payload(&bytes).expect("reads"), "seed {seed}");
        }
        // What arrives is the record as signed, the drawing made small.
        let Handover::Signed(back) = read_payload(&bytes).expect("reads") else { panic!("kind") };
        let Handover::Signed(sent) = original else { panic!("kind") };
        assert_eq!((back.canonical, back.signature.signature), (sent.canonical, sent.signature.signature));
        assert!(back.signature.handwriting_png.len() < sent.signature.handwriting_png.len());
    }

    #[test]
    fn a_tampered_frame_or_a_foreign_code_is_refused_by_name() {
        let bytes = payload(&sample()).expect("payload");
        let parts = frames(&bytes, 0).expect("frames").parts;
        let mut rx = Receiver::default();
        rx.receive(&parts[0]).expect("first frame");
        // One letter of the second frame changed, as a smudge or an edit would.
        let mut bad: Vec<char> = parts[1].chars().collect();
        let i = bad.len() - 10;
        bad[i] = if bad[i] == 'A' { 'B' } else { 'A' };
        let err = rx.receive(&bad.into_iter().collect::<String>()).expect_err("refused");
        assert!(matches!(&err, Error::Invalid { field: "qr", code: ErrorCode::QrInvalid, message } if message.contains("damaged or altered")), "{err:?}");
        let err = rx.receive("https://example.com/").expect_err("refused");
        assert!(matches!(&err, Error::Invalid { code: ErrorCode::QrInvalid, message, .. } if message.contains("not a Redvest")), "{err:?}");
        // A made-up sequence header that would have the decoder allocate without end.
        let err = rx.receive("UR:BYTES/4000000001-4000000000/LPAOAXCXAEAE").expect_err("refused");
        assert!(matches!(&err, Error::Invalid { code: ErrorCode::QrInvalid, message, .. } if message.contains("not a Redvest")), "{err:?}");
        assert_eq!(rx.receive(&parts[0]).expect("the good frames stay").frames, 1);
        let err = read_payload(b"RVQ1\x01garbage").expect_err("refused");
        assert!(matches!(err, Error::Invalid { code: ErrorCode::QrInvalid, .. }));
    }
}
