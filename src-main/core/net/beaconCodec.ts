import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { multiaddr } from '@multiformats/multiaddr';

/**
 * The LAN beacon's cryptography (issue 13): how a device announces itself on
 * mDNS so that only its contacts recognise it, even with "Discoverable on
 * this network" off.
 *
 * Each device has a random 32-byte beacon key that it gives its contacts
 * (over /parley/address/1.0.0, contacts only). Its announcement carries
 *   token = HMAC-SHA256(K_token, "parley/v1/lan-beacon" ‖ u64be(epoch))[0..16]
 * with epoch = floor(now / 10 min), and
 *   sealed = nonce (24, random) ‖ XChaCha20-Poly1305(K_seal, nonce, addresses, aad = token)
 * where K_token and K_seal are HKDF-SHA256 (RFC 5869) expansions of the beacon key.
 * A contact precomputes the tokens of every key it holds for the previous,
 * current and next epoch (clocks may disagree by one) and recognises the
 * device by a table lookup; to anyone else a token is 16 random-looking bytes
 * that change every epoch and the addresses are ciphertext. What a stranger
 * still sees is that some device at that IP address announces the service.
 */

export const BEACON_EPOCH_MS = 10 * 60_000;
export const BEACON_TOKEN_BYTES = 16;
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
/** At most this many addresses in one announcement, each at most this long (bytes). */
export const MAX_BEACON_ADDRESSES = 8;
const MAX_ADDRESS_BYTES = 255;
const TOKEN_INFO = 'parley/v1/lan-beacon/token';
const SEAL_INFO = 'parley/v1/lan-beacon/seal';
const TOKEN_LABEL = Buffer.from('parley/v1/lan-beacon');

export function beaconEpoch(now: number): number {
  return Math.floor(now / BEACON_EPOCH_MS);
}

function derive(key: Uint8Array, info: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', key, new Uint8Array(0), info, 32));
}

/** The 16-byte token a device with this beacon key announces during `epoch`. */
export function beaconToken(key: Uint8Array, epoch: number): Uint8Array {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.max(0, epoch)));
  const mac = createHmac('sha256', derive(key, TOKEN_INFO)).update(TOKEN_LABEL).update(counter).digest();
  return new Uint8Array(mac.subarray(0, BEACON_TOKEN_BYTES));
}

function encodeAddresses(addresses: readonly string[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const a of addresses) {
    if (parts.length >= MAX_BEACON_ADDRESSES) break;
    try {
      const bytes = multiaddr(a).bytes;
      if (bytes.length <= MAX_ADDRESS_BYTES) parts.push(bytes);
    } catch {
      // Not a multiaddr: nothing to announce.
    }
  }
  const out: Uint8Array[] = [Uint8Array.of(parts.length)];
  for (const p of parts) out.push(Uint8Array.of(p.length), p);
  return new Uint8Array(Buffer.concat(out));
}

function decodeAddresses(bytes: Uint8Array): string[] | null {
  const count = bytes[0];
  if (count === undefined || count > MAX_BEACON_ADDRESSES) return null;
  const out: string[] = [];
  let at = 1;
  for (let i = 0; i < count; i++) {
    const length = bytes[at];
    if (length === undefined || at + 1 + length > bytes.length) return null;
    try {
      out.push(multiaddr(bytes.subarray(at + 1, at + 1 + length)).toString());
    } catch {
      return null;
    }
    at += 1 + length;
  }
  return at === bytes.length ? out : null;
}

/** The announcement of `addresses` under `key` for `epoch`: its token and sealed body. */
export function sealBeacon(
  key: Uint8Array,
  epoch: number,
  addresses: readonly string[],
): { token: Uint8Array; sealed: Uint8Array } {
  const token = beaconToken(key, epoch);
  const nonce = new Uint8Array(randomBytes(NONCE_BYTES));
  const ciphertext = xchacha20poly1305(derive(key, SEAL_INFO), nonce, token).encrypt(
    encodeAddresses(addresses),
  );
  return { token, sealed: Buffer.concat([nonce, ciphertext]) };
}

/** The addresses in an announcement sealed under `key` with this token; null on any failure. */
export function openBeacon(key: Uint8Array, token: Uint8Array, sealed: Uint8Array): string[] | null {
  if (sealed.length < NONCE_BYTES + TAG_BYTES + 1) return null;
  try {
    const plain = xchacha20poly1305(derive(key, SEAL_INFO), sealed.subarray(0, NONCE_BYTES), token).decrypt(
      sealed.subarray(NONCE_BYTES),
    );
    return decodeAddresses(plain);
  } catch {
    return null;
  }
}
