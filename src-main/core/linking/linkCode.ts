import { hkdfSync } from 'node:crypto';
import { multiaddr } from '@multiformats/multiaddr';
import { addressBytes, onlyRelayNamed } from '../contacts/invite';

/**
 * The link code an existing device (E) shows so a new install (N) can become
 * another device of the same person (docs/protocol.md §13.5):
 *
 * ```
 * parley://link/ base64url(
 *   u8 version (1) | secret[32] | u64 expires_at (ms, big-endian) | identity_key[32]
 *   | u8 len, peer_id of E (UTF-8, 1–128 B)
 *   | u8 count (≤ 4), count × (u8 len, multiaddr bytes without /p2p) )
 * ```
 *
 * `secret` is the PSK of the link's HPKE exchange (RFC 9180 §5.1.2, which
 * requires at least 32 bytes of entropy for a PSK, hence 32 bytes and not the
 * 16 the first draft of §13.5 had). It never travels: the wire names the
 * attempt by `link_id = HKDF-SHA256(secret, "", "parley/v1/link-id", 16)`.
 * Like an invite (contacts/invite.ts) the code is scanned or pasted, never
 * typed, so it is binary and small enough for a QR code (about 290
 * characters).
 */
export const LINK_PREFIX = 'parley://link/';
export const LINK_CODE_VERSION = 1;
export const LINK_SECRET_BYTES = 32;
export const LINK_ID_BYTES = 16;
/** A code lives at most this long (and only while E's screen is open). */
export const LINK_CODE_TTL_MS = 10 * 60_000;
/** At most this many of E's addresses go into a code (the QR code stays small). */
export const LINK_MAX_ADDRESSES = 4;
const MAX_PEER_ID_BYTES = 128;
/** Longest text accepted before decoding (4 addresses of 255 bytes would be ~1,450). */
const MAX_LINK_CHARS = 2048;

export interface LinkCode {
  secret: Uint8Array;
  /** ms since the epoch. */
  expiresAt: number;
  /** The person's identity key (Ed25519 public), which entry 0 of the list must carry. */
  identityKey: Uint8Array;
  /** E's PeerId: Noise must authenticate exactly this peer. */
  peerId: string;
  /** E's addresses, each ending in /p2p/<peerId>. */
  addresses: string[];
}

export type LinkCodeProblem = 'not-a-link-code' | 'malformed' | 'unsupported-version' | 'expired';

export type DecodedLinkCode =
  { ok: true; code: LinkCode; bytes: Uint8Array } | { ok: false; problem: LinkCodeProblem };

/** What a user is told for each problem (the renderer may word it its own way). */
export const LINK_CODE_PROBLEMS: Record<LinkCodeProblem, string> = {
  'not-a-link-code':
    'This is not a Parley link code. On your other device open Settings → Devices → Link a new device.',
  malformed: 'This link code is damaged or incomplete. Copy it again, or scan the QR code.',
  'unsupported-version': 'This link code was made by a newer Parley. Update Parley on this device first.',
  expired: 'This link code has expired. Show a new one on your other device.',
};

/** link_id: names one linking attempt on the wire without revealing the secret. */
export function linkIdOf(secret: Uint8Array): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, new Uint8Array(0), 'parley/v1/link-id', LINK_ID_BYTES));
}

/** The binary body of a code (what the key schedule binds, docs/protocol.md §13.5 `info`). */
export function linkCodeBytes(code: LinkCode): Uint8Array {
  if (code.secret.length !== LINK_SECRET_BYTES) throw new RangeError('the link secret is 32 bytes');
  if (code.identityKey.length !== 32) throw new RangeError('the identity key is 32 bytes');
  if (!Number.isSafeInteger(code.expiresAt) || code.expiresAt < 0) throw new RangeError('bad expiry');
  const peer = Buffer.from(code.peerId, 'utf8');
  if (peer.length === 0 || peer.length > MAX_PEER_ID_BYTES) throw new RangeError('bad PeerId');
  const addresses = code.addresses
    .map(addressBytes)
    .filter((a): a is Uint8Array => a !== null)
    .slice(0, LINK_MAX_ADDRESSES);
  const expiry = Buffer.alloc(8);
  expiry.writeBigUInt64BE(BigInt(code.expiresAt));
  const parts: Uint8Array[] = [
    Uint8Array.of(LINK_CODE_VERSION),
    code.secret,
    expiry,
    code.identityKey,
    Uint8Array.of(peer.length),
    peer,
    Uint8Array.of(addresses.length),
  ];
  for (const a of addresses) parts.push(Uint8Array.of(a.length), a);
  return new Uint8Array(Buffer.concat(parts));
}

export function encodeLinkCode(code: LinkCode): string {
  return LINK_PREFIX + Buffer.from(linkCodeBytes(code)).toString('base64url');
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Thrown inside the decoder only: the layout is broken. */
class Malformed extends Error {}

function cursor(bytes: Uint8Array) {
  let at = 0;
  const take = (n: number): Uint8Array => {
    if (at + n > bytes.length) throw new Malformed('truncated');
    at += n;
    return bytes.slice(at - n, at);
  };
  return { take, u8: (): number => take(1)[0] ?? 0, rest: (): number => bytes.length - at };
}

/**
 * Decodes pasted or scanned text (whitespace around it and line breaks inside
 * it, as mail clients add them, are ignored). `now` checks the expiry; a code
 * is refused once `expires_at` has passed, or when it claims to live longer
 * than a code can (a forged or corrupted expiry far in the future).
 */
export function decodeLinkCode(text: string, now: number): DecodedLinkCode {
  const compact = text.replace(/\s+/g, '');
  if (!compact.startsWith(LINK_PREFIX)) return { ok: false, problem: 'not-a-link-code' };
  if (compact.length > MAX_LINK_CHARS) return { ok: false, problem: 'malformed' };
  const body = compact.slice(LINK_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) return { ok: false, problem: 'malformed' };
  const bytes = new Uint8Array(Buffer.from(body, 'base64url'));
  // Node's decoder skips what it cannot use; the text must be exactly the encoding of the bytes.
  if (Buffer.from(bytes).toString('base64url') !== body) return { ok: false, problem: 'malformed' };
  try {
    const r = cursor(bytes);
    const version = r.u8();
    if (version !== LINK_CODE_VERSION) return { ok: false, problem: 'unsupported-version' };
    const secret = r.take(LINK_SECRET_BYTES);
    const expiresAt = Number(Buffer.from(r.take(8)).readBigUInt64BE());
    const identityKey = r.take(32);
    const peerLength = r.u8();
    if (peerLength === 0 || peerLength > MAX_PEER_ID_BYTES) throw new Malformed('PeerId length');
    const peerId = fatalUtf8.decode(r.take(peerLength));
    const count = r.u8();
    if (count > LINK_MAX_ADDRESSES) throw new Malformed('too many addresses');
    const addresses: string[] = [];
    for (let n = 0; n < count; n++) {
      const length = r.u8();
      if (length === 0) throw new Malformed('empty address');
      const address = multiaddr(r.take(length));
      // A /p2p inside would name another peer than E (a relay's just before a
      // final /p2p-circuit is allowed, as in invites, docs/protocol.md §14).
      if (!onlyRelayNamed(address.getComponents(), peerId)) throw new Malformed('foreign /p2p');
      addresses.push(`${address.toString()}/p2p/${peerId}`);
    }
    if (r.rest() !== 0) throw new Malformed('trailing bytes');
    if (!Number.isSafeInteger(expiresAt) || expiresAt > now + LINK_CODE_TTL_MS + 60_000) {
      return { ok: false, problem: 'malformed' };
    }
    if (expiresAt <= now) return { ok: false, problem: 'expired' };
    return { ok: true, code: { secret, expiresAt, identityKey, peerId, addresses }, bytes };
  } catch {
    return { ok: false, problem: 'malformed' };
  }
}
