//! The server's side of sealed ID numbers (`domain::sealed_id`): the secret keys, the public key phones get with
//! the directory, and opening a box.

use super::config::{ConfigError, SecretKey, kept_keys};
use crate::domain::sealed_id::{SealKey, key_id, split};
use std::path::Path;

/// Why a box did not open. The entry is refused with this reason, and stays on the phone under 需要处理.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("not a sealed ID number")]
    Malformed,
    #[error("sealed to a key this server does not hold")]
    UnknownKey,
    #[error("the sealed ID number does not open")]
    DoesNotOpen,
}

/// The keys from `HOUQIN_ID_SEAL_KEYS`, or else the one kept in the data folder (made on first start).
pub fn resolve(configured: &[SecretKey], data_dir: &Path) -> Result<Vec<SecretKey>, ConfigError> {
    if configured.is_empty() {
        kept_keys(&data_dir.join("id-seal-key"), 1, "the ID sealing key")
    } else {
        Ok(configured.to_vec())
    }
}

/// The public key of the newest secret key: what phones seal to.
pub fn public_key(keys: &[SecretKey]) -> Option<SealKey> {
    let secret = crypto_box::SecretKey::from(keys.first()?.0);
    Some(SealKey::from_public(secret.public_key().as_bytes()))
}

/// The ID number inside a box sealed to any of `keys`.
pub fn open(keys: &[SecretKey], sealed: &str) -> Result<String, SealError> {
    let (id, body) = split(sealed).ok_or(SealError::Malformed)?;
    let secret = keys
        .iter()
        .map(|k| crypto_box::SecretKey::from(k.0))
        .find(|s| key_id(s.public_key().as_bytes()) == id)
        .ok_or(SealError::UnknownKey)?;
    let opened = secret.unseal(&body).map_err(|_| SealError::DoesNotOpen)?;
    String::from_utf8(opened).map_err(|_| SealError::DoesNotOpen)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NUMBER: &str = "11010519491231002X";

    #[test]
    fn a_box_sealed_to_the_published_key_opens_and_one_sealed_before_a_rotation_still_does() {
        let old = vec![SecretKey([1; 32])];
        let sealed_before = public_key(&old).unwrap().seal(NUMBER).unwrap();
        let rotated = vec![SecretKey([2; 32]), SecretKey([1; 32])];
        let sealed_after = public_key(&rotated).unwrap().seal(NUMBER).unwrap();
        assert_ne!(public_key(&old), public_key(&rotated));
        assert_eq!(open(&rotated, &sealed_after).unwrap(), NUMBER);
        assert_eq!(open(&rotated, &sealed_before).unwrap(), NUMBER);
        // Once the old key is dropped, its boxes are refused by name, not by a crash.
        assert_eq!(
            open(&rotated[..1], &sealed_before),
            Err(SealError::UnknownKey)
        );
    }

    #[test]
    fn a_tampered_or_malformed_box_is_refused() {
        let keys = vec![SecretKey([4; 32])];
        let sealed = public_key(&keys).unwrap().seal(NUMBER).unwrap();
        let mut tampered = sealed.clone();
        let last = tampered.pop().unwrap();
        tampered.push(if last == '0' { '1' } else { '0' });
        assert_eq!(open(&keys, &tampered), Err(SealError::DoesNotOpen));
        assert_eq!(open(&keys, "garbage"), Err(SealError::Malformed));
    }

    #[test]
    fn the_key_is_made_once_and_kept_in_the_data_folder() {
        let dir = tempfile::tempdir().unwrap();
        let first = resolve(&[], dir.path()).unwrap();
        let again = resolve(&[], dir.path()).unwrap();
        assert_eq!(first, again);
        let configured = vec![SecretKey([9; 32])];
        assert_eq!(resolve(&configured, dir.path()).unwrap(), configured);
    }
}
