import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Hpke, type ExportContext } from '../mls/crypto/hpke';
import { xwingKem } from '../mls/crypto/xwingKem';

/**
 * The key schedule of a link (docs/protocol.md §13.5), as pure functions.
 *
 * HPKE (RFC 9180) in PSK mode (§5.1.2) with X-Wing, HKDF-SHA256 and
 * AES-256-GCM, used only for its key schedule and secret export (§5.3): the
 * new device N makes a one-time X-Wing key pair, the existing device E
 * encapsulates to it with the link code's secret as PSK and `link_id` as
 * PSK id, and both export every key of the link from that context. Without
 * the code's secret the context differs, so the MACs fail.
 *
 * The short authentication string (6 digits) stops a man in the middle who
 * knows the code: N commits to `nonce_n` (and its KEM key) in LinkHello,
 * E fixes its KEM ciphertext and `nonce_e` in LinkChallenge before N reveals
 * `nonce_n`, and the SAS is exported over `th2`, which hashes `nonce_n` in.
 * So neither a relaying attacker's session with N nor its session with E can
 * steer its SAS toward the other's (Vaudenay, "Secure Communications over
 * Insecure Channels Based on Short Authenticated Strings", CRYPTO 2005): the
 * two agree with probability 10⁻⁶ per attempt, and a code allows one pairing.
 */

/** The suite of the link's HPKE exchange: X-Wing (0x647A), HKDF-SHA256, AES-256-GCM. */
export const LINK_HPKE = new Hpke(xwingKem, 'sha256', 'aes-256-gcm');
export const LINK_NONCE_BYTES = 32;
export const LINK_MAC_BYTES = 32;
export const TRANSFER_ID_BYTES = 16;
/** The SAS is a number below this, shown as two groups of three digits. */
const SAS_MODULUS = 1_000_000;

const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update(data).digest());
}

/** u8 length | UTF-8 bytes: PeerIds are variable-length, so each is framed to keep the hash input unambiguous. */
function framedPeerId(peerId: string): Uint8Array {
  const bytes = utf8(peerId);
  if (bytes.length === 0 || bytes.length > 255) throw new RangeError('bad PeerId');
  return Uint8Array.of(bytes.length, ...bytes);
}

/** E's device-list head as announced in LinkChallenge: u32be seq | hash[32]. */
export interface ListHead {
  seq: number;
  hash: Uint8Array;
}

export function headBytes(head: ListHead): Uint8Array {
  if (!Number.isInteger(head.seq) || head.seq < 0 || head.seq > 0xffffffff) throw new RangeError('bad seq');
  if (head.hash.length !== 32) throw new RangeError('a head hash is 32 bytes');
  const out = new Uint8Array(36);
  new DataView(out.buffer).setUint32(0, head.seq);
  out.set(head.hash, 4);
  return out;
}

/**
 * info = SHA-256("parley/v1/link-info\0" | code bytes | u8 len, peer_id_N
 * | u8 len, peer_id_E | LinkHello bytes): binds the context to the code the
 * user handled, to both PeerIds Noise authenticated, and to N's hello (its
 * KEM key and commitment).
 */
export function linkInfo(codeBytes: Uint8Array, peerIdN: string, peerIdE: string, helloBytes: Uint8Array) {
  return sha256(
    utf8('parley/v1/link-info\0'),
    codeBytes,
    framedPeerId(peerIdN),
    framedPeerId(peerIdE),
    helloBytes,
  );
}

/** commitment = SHA-256("parley/v1/link-commit\0" | nonce_n | kem_public_key). */
export function linkCommitment(nonceN: Uint8Array, kemPublicKey: Uint8Array): Uint8Array {
  if (nonceN.length !== LINK_NONCE_BYTES) throw new RangeError('nonce_n is 32 bytes');
  return sha256(utf8('parley/v1/link-commit\0'), nonceN, kemPublicKey);
}

/** th1 = SHA-256("parley/v1/link-th1\0" | info | kem_ciphertext | nonce_e | head). */
export function linkTh1(
  info: Uint8Array,
  kemCiphertext: Uint8Array,
  nonceE: Uint8Array,
  head: ListHead,
): Uint8Array {
  if (nonceE.length !== LINK_NONCE_BYTES) throw new RangeError('nonce_e is 32 bytes');
  return sha256(utf8('parley/v1/link-th1\0'), info, kemCiphertext, nonceE, headBytes(head));
}

/** th2 = SHA-256("parley/v1/link-th2\0" | th1 | nonce_n). */
export function linkTh2(th1: Uint8Array, nonceN: Uint8Array): Uint8Array {
  return sha256(utf8('parley/v1/link-th2\0'), th1, nonceN);
}

/** mac_e = HMAC-SHA256(Export("parley/v1/link-mac-e", 32), th1): E proves it knows the code. */
export function linkMacE(ctx: ExportContext, th1: Uint8Array): Uint8Array {
  return hmacSha256(ctx.export(utf8('parley/v1/link-mac-e'), 32), th1);
}

/** mac_n = HMAC-SHA256(Export("parley/v1/link-mac-n", 32), th2): N proves it knows the code. */
export function linkMacN(ctx: ExportContext, th2: Uint8Array): Uint8Array {
  return hmacSha256(ctx.export(utf8('parley/v1/link-mac-n'), 32), th2);
}

/** Constant-time comparison of two MACs (or commitments). */
export function sameMac(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Everything both sides hold once the SAS is shown (before either user confirmed). */
export interface LinkSecrets {
  /** 0–999,999: shown as "482 019" (formatSas). */
  sas: number;
  /** AES-256-GCM keys of the sealed frames, one per direction. */
  kN2e: Uint8Array;
  kE2n: Uint8Array;
  /** Handed to the history transfer (docs/protocol.md §13.7). */
  kHistory: Uint8Array;
  transferId: Uint8Array;
  /** The MAC key of LinkResume (a lost grant is fetched again with it). */
  resumeKey: Uint8Array;
}

/** The labels are followed by th2, so every key is bound to the whole transcript. */
export function linkSecrets(ctx: ExportContext, th2: Uint8Array): LinkSecrets {
  const exported = (label: string, length: number) =>
    ctx.export(new Uint8Array(Buffer.concat([utf8(label), th2])), length);
  const sasBytes = exported('parley/v1/link-sas', 4);
  const sas = new DataView(sasBytes.buffer, sasBytes.byteOffset, 4).getUint32(0) % SAS_MODULUS;
  return {
    sas,
    kN2e: exported('parley/v1/link-n2e', 32),
    kE2n: exported('parley/v1/link-e2n', 32),
    kHistory: exported('parley/v1/link-history', 32),
    transferId: exported('parley/v1/link-transfer-id', TRANSFER_ID_BYTES),
    resumeKey: exported('parley/v1/link-resume', 32),
  };
}

/** "482 019": six digits in two groups, zero-padded, as both screens show them. */
export function formatSas(sas: number): string {
  const digits = String(sas).padStart(6, '0');
  return `${digits.slice(0, 3)} ${digits.slice(3)}`;
}

/** mac = HMAC-SHA256(resume key, link_id | peer_id_N): the first frame of a stream that fetches a lost grant. */
export function linkResumeMac(resumeKey: Uint8Array, linkId: Uint8Array, peerIdN: string): Uint8Array {
  return hmacSha256(resumeKey, new Uint8Array(Buffer.concat([linkId, utf8(peerIdN)])));
}

export function randomNonce(): Uint8Array {
  return new Uint8Array(randomBytes(LINK_NONCE_BYTES));
}

/** PSK of the exchange: the code's secret, named by link_id (RFC 9180 §5.1.2 psk, psk_id). */
export function linkPsk(secret: Uint8Array, linkId: Uint8Array) {
  return { key: secret, id: linkId };
}
