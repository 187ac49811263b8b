import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ml_kem768_x25519 } from '@noble/post-quantum/hybrid.js';
import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import {
  xwingDecapsulate,
  xwingEncapsulate as encapsulate,
  xwingExpand,
  XWING_CIPHERTEXT_BYTES,
  XWING_PUBLIC_KEY_BYTES,
  type XWingExpandedKey,
} from './xwing';

/**
 * Sealed boxes for store-and-forward (DESIGN.md §2 delivery): the sender seals
 * an envelope to the recipient's seal public key; a mailbox holder stores it
 * without learning anything but its size (the recipient is named outside, in
 * the deposit frame); only the recipient's secret key opens it. No sender
 * identity is inside: the MLS message within authenticates the sender.
 *
 * KEM: X-Wing (ML-KEM-768 + X25519, draft-connolly-cfrg-xwing-kem), which
 * @noble/post-quantum exports as `ml_kem768_x25519`; its combiner already binds
 * both shared secrets, the X25519 ciphertext and public key (SHA3-256 with the
 * X-Wing label). Post-quantum and classically secure as long as either holds.
 *
 * Version 1 (`seal()`, single shot): one encapsulation per box; the
 * XChaCha20-Poly1305 key and nonce both come from the KEM secret with
 * HKDF-SHA256, so a key is never reused.
 *   u8 version (1) | KEM ciphertext (1120) | AEAD ciphertext (plaintext + 16-byte tag)
 *   AAD = version ‖ KEM ciphertext ‖ caller's aad
 *
 * Version 2 (`BoxSealer`, sessions): one encapsulation seals many boxes to one
 * recipient, as an RFC 9180 §5.2 context seals many messages. ML-KEM-768
 * decapsulation in pure JS costs about a millisecond, so a device catching up
 * on 10,000 held envelopes would spend the whole DESIGN.md §5 catch-up budget
 * on v1 decapsulations alone; with sessions it does one per (sender,
 * recipient) session and `SealOpener` caches the derived key. RFC 9180 derives
 * each nonce from a sequence number; boxes here are opened singly, out of
 * order, by whoever holds them, so the nonce is random instead: XChaCha20's
 * 192-bit nonce makes random nonces safe (draft-irtf-cfrg-xchacha), and a
 * session seals at most a few thousand boxes.
 *   u8 version (2) | KEM ciphertext (1120) | nonce (24) | AEAD ciphertext (plaintext + 16-byte tag)
 *   key = HKDF-SHA256(KEM secret, salt empty, info "parley/v2/sealed-box"), 32 bytes
 *   AAD = version ‖ KEM ciphertext ‖ nonce ‖ caller's aad
 *
 * The KEM ciphertext and the nonce have fixed lengths, so each AAD
 * concatenation is unambiguous: any changed byte anywhere makes open() return
 * null.
 */

/** Version of the single-shot boxes `seal()` makes. */
export const SEALED_BOX_VERSION = 1;
/** Version of the session boxes `BoxSealer` makes. */
export const SEALED_BOX_VERSION_SESSION = 2;

const KEM = ml_kem768_x25519;
const KEM_CIPHERTEXT_BYTES = XWING_CIPHERTEXT_BYTES;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const NONCE_BYTES = 24;
const HEADER_BYTES = 1 + KEM_CIPHERTEXT_BYTES;
const HEADER_V2_BYTES = HEADER_BYTES + NONCE_BYTES;
const INFO = new TextEncoder().encode('parley/v1/sealed-box');
const INFO_V2 = new TextEncoder().encode('parley/v2/sealed-box');
const EMPTY = new Uint8Array(0);

/** Bytes a version 1 sealed box (`seal()`) adds to its plaintext. */
export const SEALED_BOX_OVERHEAD = HEADER_BYTES + TAG_BYTES;
/** Bytes a version 2 sealed box (`BoxSealer`) adds to its plaintext. */
export const SEALED_BOX_SESSION_OVERHEAD = HEADER_V2_BYTES + TAG_BYTES;
export const SEAL_PUBLIC_KEY_BYTES = XWING_PUBLIC_KEY_BYTES;
export const SEAL_SECRET_KEY_BYTES = 32;

export interface SealKeyPair {
  /** X-Wing public key (1216 bytes): shared with contacts. */
  publicKey: Uint8Array;
  /** X-Wing secret key (a 32-byte seed): stays in the encrypted database. */
  secretKey: Uint8Array;
}

export function generateSealKeyPair(): SealKeyPair {
  const { publicKey, secretKey } = KEM.keygen();
  return { publicKey, secretKey };
}

/** The public key belonging to a secret key (for re-publishing after a restore). */
export function sealPublicKey(secretKey: Uint8Array): Uint8Array {
  return KEM.getPublicKey(secretKey);
}

function deriveKeyAndNonce(sharedSecret: Uint8Array): { key: Uint8Array; nonce: Uint8Array } {
  const okm = new Uint8Array(hkdfSync('sha256', sharedSecret, EMPTY, INFO, KEY_BYTES + NONCE_BYTES));
  return { key: okm.subarray(0, KEY_BYTES), nonce: okm.subarray(KEY_BYTES) };
}

function deriveSessionKey(sharedSecret: Uint8Array): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', sharedSecret, EMPTY, INFO_V2, KEY_BYTES));
}

function associatedData(header: Uint8Array, aad: Uint8Array): Uint8Array {
  const out = new Uint8Array(header.length + aad.length);
  out.set(header, 0);
  out.set(aad, header.length);
  return out;
}

/**
 * X-Wing encapsulation (crypto/xwing.ts, draft-connolly-cfrg-xwing-kem
 * §5.4). Gives exactly what `ml_kem768_x25519.decapsulate` accepts
 * (sealedBox.test.ts checks both directions). Exported for that test only.
 */
export const xwingEncapsulate = encapsulate;

/** Encapsulates to a seal public key; a RangeError for a key of the wrong shape (a caller error). */
function encapsulateTo(recipientPublicKey: Uint8Array): { cipherText: Uint8Array; sharedSecret: Uint8Array } {
  if (recipientPublicKey.length !== SEAL_PUBLIC_KEY_BYTES) throw new RangeError('not a seal public key');
  try {
    return encapsulate(recipientPublicKey);
  } catch (err) {
    throw new RangeError('not a seal public key', { cause: err });
  }
}

/**
 * Seals `plaintext` to `recipientPublicKey` as a version 1 box (one
 * encapsulation for this box alone), binding `aad` (which the opener must
 * present identically, e.g. the envelope id and recipient). For many boxes to
 * the same recipients keep a `BoxSealer`. Throws a RangeError only for a
 * public key of the wrong shape (a caller error).
 */
export function seal(
  recipientPublicKey: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array = EMPTY,
): Uint8Array {
  const encapsulated = encapsulateTo(recipientPublicKey);
  const header = new Uint8Array(HEADER_BYTES);
  header[0] = SEALED_BOX_VERSION;
  header.set(encapsulated.cipherText, 1);
  const { key, nonce } = deriveKeyAndNonce(encapsulated.sharedSecret);
  const body = xchacha20poly1305(key, nonce, associatedData(header, aad)).encrypt(plaintext);
  key.fill(0);
  encapsulated.sharedSecret.fill(0);
  const out = new Uint8Array(HEADER_BYTES + body.length);
  out.set(header, 0);
  out.set(body, HEADER_BYTES);
  return out;
}

export interface BoxSealerOptions {
  /** Boxes one encapsulation seals before the next seal encapsulates afresh (default 1,000). */
  maxBoxesPerSession?: number;
  /** Age (ms, by `now`) after which a session is not used again (default 10 minutes). */
  maxSessionAgeMs?: number;
  /** Recipients with a live session; the least recently used goes first (default 256). */
  maxRecipients?: number;
  /** The clock, in milliseconds (default Date.now); injectable for tests. */
  now?: () => number;
}

export const DEFAULT_BOX_SEALER_OPTIONS: Readonly<Required<Omit<BoxSealerOptions, 'now'>>> = {
  maxBoxesPerSession: 1_000,
  maxSessionAgeMs: 10 * 60_000,
  maxRecipients: 256,
};

interface SealSession {
  /** The X-Wing ciphertext every box of the session carries. */
  readonly kemCipherText: Uint8Array;
  /** HKDF(shared secret, "parley/v2/sealed-box"); wiped when the session is dropped. */
  readonly key: Uint8Array;
  readonly createdAt: number;
  boxes: number;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

/**
 * Seals version 2 boxes, reusing one X-Wing encapsulation per recipient public
 * key for a bounded number of boxes and a bounded time (RFC 9180 §5.2: one
 * encapsulation, a context that seals many messages). Keep one per running
 * device, never one per module: two local profiles must not share a session
 * (each session's key is a secret of its sender).
 *
 * What reuse changes: a holder can tell that boxes sharing a KEM ciphertext
 * come from one sender→recipient session; it already knows the depositor and
 * the recipient of each deposit, so that tells it nothing new. A leak of this
 * object's memory exposes the boxes of its live sessions, which their author
 * could read anyway. The bounds keep a session's reach small, and dropped
 * keys are wiped.
 */
export class BoxSealer {
  private readonly maxBoxes: number;
  private readonly maxAgeMs: number;
  private readonly maxRecipients: number;
  private readonly now: () => number;
  /** SHA-256(recipient public key) → session, least recently used first (Map order). */
  private readonly sessions = new Map<string, SealSession>();

  constructor(options: BoxSealerOptions = {}) {
    const d = DEFAULT_BOX_SEALER_OPTIONS;
    this.maxBoxes = positiveInteger('maxBoxesPerSession', options.maxBoxesPerSession ?? d.maxBoxesPerSession);
    this.maxAgeMs = positiveInteger('maxSessionAgeMs', options.maxSessionAgeMs ?? d.maxSessionAgeMs);
    this.maxRecipients = positiveInteger('maxRecipients', options.maxRecipients ?? d.maxRecipients);
    this.now = options.now ?? Date.now;
  }

  /** Recipients with a live session (for tests and diagnostics). */
  get size(): number {
    return this.sessions.size;
  }

  /**
   * Seals `plaintext` to `recipientPublicKey`, binding `aad` (the opener must
   * present it identically). Throws a RangeError only for a public key of the
   * wrong shape (a caller error); nothing is cached then.
   */
  seal(recipientPublicKey: Uint8Array, plaintext: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array {
    if (recipientPublicKey.length !== SEAL_PUBLIC_KEY_BYTES) throw new RangeError('not a seal public key');
    const id = createHash('sha256').update(recipientPublicKey).digest('base64');
    const session = this.session(id, recipientPublicKey);
    session.boxes += 1;
    const header = new Uint8Array(HEADER_V2_BYTES);
    header[0] = SEALED_BOX_VERSION_SESSION;
    header.set(session.kemCipherText, 1);
    header.set(randomBytes(NONCE_BYTES), HEADER_BYTES);
    const nonce = header.subarray(HEADER_BYTES);
    const body = xchacha20poly1305(session.key, nonce, associatedData(header, aad)).encrypt(plaintext);
    const out = new Uint8Array(HEADER_V2_BYTES + body.length);
    out.set(header, 0);
    out.set(body, HEADER_V2_BYTES);
    return out;
  }

  /** Drops every session and wipes its key (on stop, lock, or a key change). */
  clear(): void {
    for (const session of this.sessions.values()) session.key.fill(0);
    this.sessions.clear();
  }

  /** The live session for a recipient, or a fresh one (also marks it most recently used). */
  private session(id: string, recipientPublicKey: Uint8Array): SealSession {
    const now = this.now();
    const current = this.sessions.get(id);
    if (current !== undefined) {
      this.sessions.delete(id);
      // A clock that went back counts as expired: the age bound must not stretch.
      const fresh = now >= current.createdAt && now - current.createdAt < this.maxAgeMs;
      if (fresh && current.boxes < this.maxBoxes) {
        this.sessions.set(id, current);
        return current;
      }
      current.key.fill(0);
    }
    // Encapsulate before evicting anything, so a bad key (RangeError) changes nothing.
    const encapsulated = encapsulateTo(recipientPublicKey);
    const key = deriveSessionKey(encapsulated.sharedSecret);
    encapsulated.sharedSecret.fill(0);
    for (const [oldest, dropped] of this.sessions) {
      if (this.sessions.size < this.maxRecipients) break;
      dropped.key.fill(0);
      this.sessions.delete(oldest);
    }
    const session: SealSession = { kemCipherText: encapsulated.cipherText, key, createdAt: now, boxes: 0 };
    this.sessions.set(id, session);
    return session;
  }
}

export interface SealOpenerOptions {
  /** Session keys kept, by KEM ciphertext; the least recently used goes first (default 64). */
  cacheSize?: number;
}

export const DEFAULT_SEAL_OPENER_CACHE_SIZE = 64;

/** What a SealOpener did, for tests and diagnostics. */
export interface SealOpenerStats {
  /** X-Wing decapsulations performed (each about a millisecond of pure-JS ML-KEM). */
  decapsulations: number;
  /** Version 2 boxes whose key came from the cache. */
  cacheHits: number;
  /** Session keys cached now. */
  cached: number;
}

/**
 * Opens sealed boxes (versions 1 and 2) for one secret key. Expanding an
 * X-Wing seed into its decapsulation key (SHAKE256, an ML-KEM key generation
 * and an X25519 base multiplication) costs more than the decapsulation
 * itself, and a device opens thousands of boxes with one key when it catches
 * up with a holder: the expanded key is computed once here. The X25519 half
 * uses Node's native X25519; the result is the same X-Wing shared secret
 * (checked against @noble/post-quantum in sealedBox.test.ts).
 *
 * Version 2 session keys are cached by KEM ciphertext in a bounded LRU, so the
 * boxes of one session cost one decapsulation. A key is cached only after a
 * box decrypted under it: a forged box (a random KEM ciphertext, or a real one
 * with a changed body) never enters the cache and never evicts a good entry;
 * it costs its sender what it costs us, one decapsulation.
 */
export class SealOpener {
  /** The secret key expanded once (not per box); null for a key of the wrong length. */
  private readonly key: XWingExpandedKey | null;
  private readonly cacheSize: number;
  /** SHA-256(KEM ciphertext) → session key, least recently used first (Map order). */
  private readonly keys = new Map<string, Uint8Array>();
  private decapsulations = 0;
  private cacheHits = 0;

  constructor(secretKey: Uint8Array, options: SealOpenerOptions = {}) {
    this.cacheSize = positiveInteger('cacheSize', options.cacheSize ?? DEFAULT_SEAL_OPENER_CACHE_SIZE);
    this.key = secretKey.length === SEAL_SECRET_KEY_BYTES ? xwingExpand(secretKey) : null;
  }

  stats(): SealOpenerStats {
    return { decapsulations: this.decapsulations, cacheHits: this.cacheHits, cached: this.keys.size };
  }

  /** Forgets every cached session key, wiping it. */
  clear(): void {
    for (const key of this.keys.values()) key.fill(0);
    this.keys.clear();
  }

  /** The plaintext, or null on any failure (wrong key, tampering, bad layout, unknown version). */
  open(sealed: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array | null {
    if (this.key === null) return null;
    try {
      if (sealed[0] === SEALED_BOX_VERSION) return this.openV1(sealed, aad);
      if (sealed[0] === SEALED_BOX_VERSION_SESSION) return this.openV2(sealed, aad);
      return null;
    } catch {
      return null;
    }
  }

  private openV1(sealed: Uint8Array, aad: Uint8Array): Uint8Array | null {
    if (sealed.length < HEADER_BYTES + TAG_BYTES) return null;
    const header = sealed.subarray(0, HEADER_BYTES);
    const sharedSecret = this.decapsulate(header.subarray(1));
    const { key, nonce } = deriveKeyAndNonce(sharedSecret);
    sharedSecret.fill(0);
    try {
      return xchacha20poly1305(key, nonce, associatedData(header, aad)).decrypt(
        sealed.subarray(HEADER_BYTES),
      );
    } finally {
      key.fill(0);
    }
  }

  private openV2(sealed: Uint8Array, aad: Uint8Array): Uint8Array | null {
    if (sealed.length < HEADER_V2_BYTES + TAG_BYTES) return null;
    const header = sealed.subarray(0, HEADER_V2_BYTES);
    const kemCipherText = header.subarray(1, HEADER_BYTES);
    const nonce = header.subarray(HEADER_BYTES);
    const body = sealed.subarray(HEADER_V2_BYTES);
    const ad = associatedData(header, aad);
    const id = createHash('sha256').update(kemCipherText).digest('base64');
    const cached = this.keys.get(id);
    if (cached !== undefined) {
      // Decapsulation is deterministic: the same ciphertext would give the same
      // key again, so a failure here is final. A forged box that reuses a real
      // session's ciphertext fails without touching the entry.
      const plain = tryDecrypt(cached, nonce, ad, body);
      if (plain !== null) {
        this.cacheHits += 1;
        this.keys.delete(id);
        this.keys.set(id, cached);
      }
      return plain;
    }
    const sharedSecret = this.decapsulate(kemCipherText);
    const key = deriveSessionKey(sharedSecret);
    sharedSecret.fill(0);
    const plain = tryDecrypt(key, nonce, ad, body);
    if (plain === null) {
      key.fill(0);
      return null;
    }
    for (const [oldest, dropped] of this.keys) {
      if (this.keys.size < this.cacheSize) break;
      dropped.fill(0);
      this.keys.delete(oldest);
    }
    this.keys.set(id, key);
    return plain;
  }

  /**
   * X-Wing decapsulation (crypto/xwing.ts, §5.5) with the expanded key.
   * Tampering surfaces as an AEAD failure (ML-KEM's implicit rejection); a
   * low-order X25519 point throws, which open() turns into null.
   */
  private decapsulate(kemCipherText: Uint8Array): Uint8Array {
    if (this.key === null) throw new Error('no secret key');
    this.decapsulations += 1;
    return xwingDecapsulate(kemCipherText, this.key);
  }
}

/** The AEAD plaintext, or null when the tag does not verify. */
function tryDecrypt(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, body: Uint8Array): Uint8Array | null {
  try {
    return xchacha20poly1305(key, nonce, ad).decrypt(body);
  } catch {
    return null;
  }
}

/**
 * Opens a sealed box (either version); null on any failure (wrong key,
 * tampering, bad layout). For many boxes under one key, keep a SealOpener
 * instead: it expands the key once and caches session keys.
 */
export function open(secretKey: Uint8Array, sealed: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array | null {
  if (secretKey.length !== SEAL_SECRET_KEY_BYTES) return null;
  try {
    return new SealOpener(secretKey).open(sealed, aad);
  } catch {
    return null;
  }
}
