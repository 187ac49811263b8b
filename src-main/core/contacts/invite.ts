import { createHash } from 'node:crypto';
import { multiaddr } from '@multiformats/multiaddr';
import { truncateUtf8 } from '../util/utf8';

/**
 * An invite: `parley://invite/<base64url(bytes)>`, carrying what the
 * accepting peer needs to reach and trust the inviter and a one-time token.
 * Presenting the token in a contact request is the inviter's consent (it made
 * the invite), so the inviter adds the contact without asking. Only the
 * token's SHA-256 is kept by the inviter.
 *
 * Version 2 is binary and small enough for a QR code a phone camera reads off
 * a laptop screen (≈ 200 bytes instead of ≈ 2 KB): version 1 carried the
 * inviter's 1,216-byte X-Wing seal key as JSON. Version 2 carries only its
 * SHA-256; the inviter hands the key itself over in its answer to the
 * token-bearing contact request (net/contactRequestProtocol.ts), and the
 * accepter keeps it only if it hashes to what the invite says. So a tampered
 * or swapped key is refused, and nothing the accepter has not verified is
 * ever used to seal envelopes.
 *
 * ```
 * u8 version (2) | identity_key[32] | seal_key_sha256[32] | token[16..32 → u8 len]
 * | u8 len, peer_id (UTF-8) | u8 len, display_name (UTF-8)
 * | u8 count (≤ 4), count × (u8 len, multiaddr bytes without /p2p)
 * ```
 *
 * Version 1 (JSON) invites are refused: their seal key would skip the hash
 * check, and they were only ever made by builds before this format.
 */
export const INVITE_PREFIX = 'parley://invite/';
export const INVITE_VERSION = 2;
/** At most this many listen addresses go into an invite (the QR code stays small). */
export const INVITE_MAX_ADDRESSES = 4;
/** Display names are cut to this many UTF-8 bytes in an invite (the full name arrives in the profile). */
export const INVITE_NAME_BYTES = 64;
/** Longest invite text accepted, before decoding. */
const MAX_INVITE_CHARS = 2048;
/** multiaddr protocol code of /p2p. */
const P2P_CODE = 421;
/** multiaddr protocol code of /p2p-circuit. */
const P2P_CIRCUIT_CODE = 290;

/**
 * True when the address names no peer, or only a relay that is not the
 * invite's own peer, directly before a final /p2p-circuit. Link codes
 * (linking/linkCode.ts) carry addresses the same way.
 */
export function onlyRelayNamed(components: { code: number; value?: string }[], peerId: string): boolean {
  const named = components.flatMap((c, i) => (c.code === P2P_CODE ? [i] : []));
  const circuits = components.filter((c) => c.code === P2P_CIRCUIT_CODE).length;
  if (named.length === 0) return circuits === 0;
  const [at] = named;
  return (
    named.length === 1 &&
    circuits === 1 &&
    at === components.length - 2 &&
    components[components.length - 1]?.code === P2P_CIRCUIT_CODE &&
    components[at]?.value !== peerId
  );
}

/**
 * What the accepter is told when the inviter's device says the token was spent
 * (ContactResponse.INVITE_USED): distinct from a bad or expired invite, which
 * stays "not valid or has expired" (issue #17 item 18).
 */
export const INVITE_USED = 'This invite was already used. Ask for a new one.';

export interface Invite {
  peerId: string;
  addresses: string[];
  identityKey: Uint8Array;
  /** SHA-256 of the inviter's X-Wing seal public key. */
  sealKeyHash: Uint8Array;
  displayName: string;
  token: Uint8Array;
}

/** SHA-256 of a seal public key, as an invite carries it. */
export function sealKeyHash(sealPublicKey: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(sealPublicKey).digest());
}

/** The address without its /p2p suffix, as bytes; null when it is not a multiaddr. */
export function addressBytes(address: string): Uint8Array | null {
  try {
    const bytes = multiaddr(address).decapsulateCode(P2P_CODE).bytes;
    return bytes.length > 0 && bytes.length <= 255 ? bytes : null;
  } catch {
    return null;
  }
}

export function encodeInvite(i: Invite): string {
  if (i.identityKey.length !== 32 || i.sealKeyHash.length !== 32) {
    throw new RangeError('identity key and seal key hash are 32 bytes');
  }
  if (i.token.length < 16 || i.token.length > 32) throw new RangeError('token is 16 to 32 bytes');
  const peer = Buffer.from(i.peerId, 'utf8');
  if (peer.length === 0 || peer.length > 128) throw new RangeError('bad PeerId');
  const name = Buffer.from(truncateUtf8(i.displayName, INVITE_NAME_BYTES), 'utf8');
  const addresses = i.addresses
    .map(addressBytes)
    .filter((a): a is Uint8Array => a !== null)
    .slice(0, INVITE_MAX_ADDRESSES);
  const parts: Uint8Array[] = [
    Uint8Array.of(INVITE_VERSION),
    i.identityKey,
    i.sealKeyHash,
    Uint8Array.of(i.token.length),
    i.token,
    Uint8Array.of(peer.length),
    peer,
    Uint8Array.of(name.length),
    name,
    Uint8Array.of(addresses.length),
  ];
  for (const a of addresses) parts.push(Uint8Array.of(a.length), a);
  return INVITE_PREFIX + Buffer.concat(parts).toString('base64url');
}

/** A forward-only reader that throws on any overrun (caught by decodeInvite). */
class Reader {
  private at = 0;
  constructor(private readonly bytes: Uint8Array) {}
  take(n: number): Uint8Array {
    if (this.at + n > this.bytes.length) throw new RangeError('truncated');
    const out = this.bytes.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }
  u8(): number {
    return this.take(1)[0] ?? 0;
  }
  get done(): boolean {
    return this.at === this.bytes.length;
  }
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The invite, or null when the text is not a well-formed version 2 Parley
 * invite (including any version 1 invite: see above).
 */
export function decodeInvite(text: string): Invite | null {
  const trimmed = text.trim();
  if (!trimmed.startsWith(INVITE_PREFIX) || trimmed.length > MAX_INVITE_CHARS) return null;
  const body = trimmed.slice(INVITE_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) return null;
  try {
    const r = new Reader(new Uint8Array(Buffer.from(body, 'base64url')));
    if (r.u8() !== INVITE_VERSION) return null;
    const identityKey = r.take(32);
    const hash = r.take(32);
    const tokenLength = r.u8();
    if (tokenLength < 16 || tokenLength > 32) return null;
    const token = r.take(tokenLength);
    const peerId = fatalUtf8.decode(r.take(r.u8()));
    if (peerId.length === 0) return null;
    const displayName = fatalUtf8.decode(r.take(r.u8()));
    const count = r.u8();
    if (count > INVITE_MAX_ADDRESSES) return null;
    const addresses: string[] = [];
    for (let n = 0; n < count; n++) {
      const address = multiaddr(r.take(r.u8()));
      // A /p2p part inside would name another peer than the invite's, except
      // a relay's just before the final /p2p-circuit (issue 19: `…/p2p/<relay>/p2p-circuit`).
      if (!onlyRelayNamed(address.getComponents(), peerId)) return null;
      addresses.push(`${address.toString()}/p2p/${peerId}`);
    }
    if (!r.done) return null;
    return { peerId, addresses, identityKey, sealKeyHash: hash, displayName, token };
  } catch {
    return null;
  }
}
