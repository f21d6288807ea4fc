//! A visitor's ID number sealed on the phone to the server's public key: an X25519 sealed box (libsodium's
//! `crypto_box_seal`, from the `crypto_box` crate), so the phone never holds the full number in plain text. The
//! outbox, the downloaded file of unsent entries and the receipts keep only the box and the mask; the server
//! opens the box, checks, hashes and masks the number as before, and keeps none of it.
//!
//! A box is written `<key id>.<hex>`: the key id (the first 16 hex digits of the SHA-256 of the public key)
//! lets the server pick the secret key that opens it, so after a key rotation boxes sealed to the old key still
//! open while that key is kept (`HOUQIN_ID_SEAL_KEYS`, newest first).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The public key phones seal to, as the campus directory carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealKey {
    pub id: String,
    /// The X25519 public key, 64 hex digits.
    pub public: String,
}

impl SealKey {
    pub fn from_public(public: &[u8; 32]) -> SealKey {
        SealKey {
            id: key_id(public),
            public: hex::encode(public),
        }
    }

    /// The number sealed to this key, or `None` if the key is malformed (the caller then keeps the form open).
    pub fn seal(&self, number: &str) -> Option<String> {
        let public: [u8; 32] = hex::decode(&self.public).ok()?.try_into().ok()?;
        let sealed = crypto_box::PublicKey::from(public)
            .seal(&mut crypto_box::aead::OsRng, number.as_bytes())
            .ok()?;
        Some(format!("{}.{}", self.id, hex::encode(sealed)))
    }
}

/// Which key a public key is known by.
pub fn key_id(public: &[u8; 32]) -> String {
    hex::encode(Sha256::digest(public))[..16].to_owned()
}

/// A box's key id and ciphertext, if it is written as `<key id>.<hex>`.
pub fn split(sealed: &str) -> Option<(&str, Vec<u8>)> {
    let (id, body) = sealed.split_once('.')?;
    (id.len() == 16).then_some(())?;
    Some((id, hex::decode(body).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_number_holds_neither_the_number_nor_its_digits_in_order_and_differs_each_time() {
        let secret = crypto_box::SecretKey::from([3u8; 32]);
        let key = SealKey::from_public(secret.public_key().as_bytes());
        let first = key.seal("11010519491231002X").unwrap();
        let second = key.seal("11010519491231002X").unwrap();
        assert_ne!(first, second);
        assert!(!first.contains("11010519491231002X"));
        assert!(!first.contains(&hex::encode("11010519491231002X")));
        let (id, body) = split(&first).unwrap();
        assert_eq!(id, key.id);
        assert_eq!(secret.unseal(&body).unwrap(), b"11010519491231002X");
    }

    #[test]
    fn malformed_boxes_are_not_split() {
        assert_eq!(split("no-dot"), None);
        assert_eq!(split("short.00ff"), None);
        assert_eq!(split("0123456789abcdef.not-hex"), None);
        let malformed = SealKey {
            id: "0123456789abcdef".into(),
            public: "abc".into(),
        };
        assert_eq!(malformed.seal("1"), None);
    }
}
