//! What the county holds, fetched when someone opens it: the photos of a patrol a leader
//! reviews on their own phone (they never travel with the record). Kept beside this phone's
//! own photos, checked against the hash the signed record names.

use std::fs;

use sha2::{Digest, Sha256};

use super::{http, send, transport, SyncFailure, SyncOptions};
use crate::{Error, Store};

impl Store {
    /// A photo of a reviewed patrol (or its thumbnail): from this phone if it was fetched
    /// before, else from the county. Only photos a received record names are fetched.
    pub fn review_photo(&self, sha256: &str, thumbnail: bool, options: SyncOptions) -> Result<Vec<u8>, SyncFailure> {
        if !self.review_names_photo(sha256)? {
            return Err(Error::NotFound(format!("photo {sha256} of a reviewed patrol")).into());
        }
        let dir = self.photo_dir.join("county");
        let path = dir.join(if thumbnail { format!("{sha256}.thumb.jpg") } else { format!("{sha256}.jpg") });
        if let Ok(bytes) = fs::read(&path) {
            return Ok(bytes);
        }
        let enrolment = self.enrolment_stored()?.ok_or(SyncFailure::NotEnrolled)?;
        let url = format!("{}/api/v1/photos/{sha256}", enrolment.server);
        let jpeg = send(http(options)?.get(url).bearer_auth(&enrolment.token))?.bytes().map_err(transport)?.to_vec();
        if hex::encode(Sha256::digest(&jpeg)) != sha256 {
            return Err(SyncFailure::Protocol(format!("the county sent other bytes than photo {sha256}")));
        }
        let small = crate::photo::process(&jpeg, &self.photo_settings()?)
            .map_err(|problem| Error::Photo { name: sha256.to_owned(), problem })?
            .thumbnail;
        let write = |name: String, bytes: &[u8]| {
            let target = dir.join(name);
            fs::create_dir_all(&dir).and_then(|()| fs::write(&target, bytes)).map_err(|source| Error::File { path: target, source })
        };
        write(format!("{sha256}.jpg"), &jpeg)?;
        write(format!("{sha256}.thumb.jpg"), &small)?;
        Ok(if thumbnail { small } else { jpeg })
    }
}
