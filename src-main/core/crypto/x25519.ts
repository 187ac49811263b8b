import {
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';

/**
 * X25519 (RFC 7748) on node:crypto. The pure-JS ladder that
 * @hpke/hybridkem-x-wing uses costs ~2 ms per scalar multiplication;
 * OpenSSL's ~30 µs.
 *
 * Keys are imported in Node 24's raw formats (`raw-private`, `raw-public`:
 * EVP_PKEY_new_raw_*_key, ~0.04 ms). OpenSSL's PKCS#8/SPKI DER decoder is the
 * slower path (~0.35 ms per key on Node 20). Node 20 had no raw import, and the
 * JWK route used there then (a placeholder `x`) is refused since Node 24
 * checks `x` against `d`. The self-check at the bottom (RFC 7748 §6.1) fails
 * loudly at load if any of this ever changes.
 */
export const X25519_KEY_LENGTH = 32;

function privateKeyObject(sk: Uint8Array): KeyObject {
  if (sk.length !== X25519_KEY_LENGTH) throw new RangeError('X25519 private key must be 32 bytes');
  return createPrivateKey({ key: Buffer.from(sk), format: 'raw-private', asymmetricKeyType: 'x25519' });
}

function publicKeyObject(pk: Uint8Array): KeyObject {
  if (pk.length !== X25519_KEY_LENGTH) throw new RangeError('X25519 public key must be 32 bytes');
  return createPublicKey({ key: Buffer.from(pk), format: 'raw-public', asymmetricKeyType: 'x25519' });
}

function rawPublic(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ format: 'raw-public' }));
}

/** X25519(sk, 9): the public key of a raw private key. */
export function x25519PublicKey(sk: Uint8Array): Uint8Array {
  return rawPublic(createPublicKey(privateKeyObject(sk)));
}

/**
 * X25519(sk, pk). OpenSSL refuses a low-order peer key (all-zero output),
 * which RFC 9180 §7.1.4 requires of DHKEM anyway; the caller sees a throw.
 */
export function x25519(sk: Uint8Array, pk: Uint8Array): Uint8Array {
  return new Uint8Array(diffieHellman({ privateKey: privateKeyObject(sk), publicKey: publicKeyObject(pk) }));
}

export function x25519Generate(): { sk: Uint8Array; pk: Uint8Array } {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return { sk: new Uint8Array(privateKey.export({ format: 'raw-private' })), pk: rawPublic(publicKey) };
}

// RFC 7748 §6.1: Alice's key pair and the shared secret with Bob.
const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
if (
  !Buffer.from(
    x25519PublicKey(hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a')),
  ).equals(Buffer.from('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a', 'hex')) ||
  !Buffer.from(
    x25519(
      hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'),
      hex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f'),
    ),
  ).equals(Buffer.from('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742', 'hex'))
) {
  throw new Error('X25519 self-check against RFC 7748 §6.1 failed');
}
