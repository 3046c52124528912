//! Random secrets (session, setup, invitation and reset tokens) and their stored form.
//! Only the SHA-256 of a token is stored, so a leaked table grants nothing.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new token of 256 random bits, hex-encoded for cookies and URLs.
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The stored form of a token.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A short code people can type: 10 characters from an alphabet without look-alikes,
/// about 50 bits, shown as `XXXXX-XXXXX`.
pub fn generate_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    let chars: String =
        (0..10).map(|_| ALPHABET[(rng.next_u32() as usize) % ALPHABET.len()] as char).collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

/// Normalises a typed code (case, spaces, dashes) before hashing it.
pub fn normalise_code(input: &str) -> String {
    let clean: String = input
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if clean.len() == 10 { format!("{}-{}", &clean[..5], &clean[5..]) } else { clean }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_unique_and_hashed() {
        let a = generate();
        let b = generate();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_ne!(hash(&a), a);
        assert_eq!(hash(&a), hash(&a));
    }

    #[test]
    fn codes_normalise() {
        let code = generate_code();
        assert_eq!(code.len(), 11);
        assert_eq!(normalise_code(&code.to_lowercase().replace('-', " ")), code);
    }
}
