//! The allowlist's hasher.

/// A fast hash for the allowlist's short keys (FxHash's mixing, eight bytes at a time). The
/// sets are built from the configuration, never from requests, so a request can only probe
/// them: a keyed hash (SipHash) would buy no protection here, only time.
#[derive(Default)]
pub(crate) struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0xf135_7aea_2e62_a9c5;
        let mut hash = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            hash = (hash.rotate_left(26) ^ word).wrapping_mul(K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            hash = (hash.rotate_left(26) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        self.0 = (hash.rotate_left(26) ^ bytes.len() as u64).wrapping_mul(K);
    }

    fn write_u8(&mut self, byte: u8) {
        self.0 = (self.0.rotate_left(26) ^ u64::from(byte)).wrapping_mul(0xf135_7aea_2e62_a9c5);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
