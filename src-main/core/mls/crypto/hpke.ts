import { createCipheriv, createDecipheriv } from 'node:crypto';
import { hashLength, hkdfExpand, hkdfExtract, type HashName } from './hkdf';

/**
 * HPKE base mode (RFC 9180 §5.1, single-shot §6.1, secret export §5.3) for the
 * two KEMs Parley uses. MLS needs HPKE for path secrets, Welcome group secrets
 * and external init (RFC 9420 §5.1.3, §12.4.3.1, §12.4.3.2). The generic key
 * schedule is exercised by the IETF interop vectors (suite 1); the X-Wing KEM
 * is cross-checked against @hpke/hybridkem-x-wing and @noble/post-quantum.
 *
 * PSK mode (RFC 9180 §5.1.2, mode_psk = 0x01) is used by device linking only
 * (docs/protocol.md §13.5): the same key schedule with the link code's secret
 * as `psk` and its id as `psk_id`, so both sides derive the same context only
 * if both know the code. Cross-checked against @hpke/core's PSK mode.
 */

/** A KEM as RFC 9180 §4 sees it; keys are raw bytes in the KEM's serialization. */
export interface Kem {
  /** RFC 9180 §7.1 / IANA HPKE KEM identifier. */
  readonly id: number;
  readonly publicKeyLength: number;
  readonly privateKeyLength: number;
  readonly encLength: number;
  generateKeyPair(): { sk: Uint8Array; pk: Uint8Array };
  deriveKeyPair(ikm: Uint8Array): { sk: Uint8Array; pk: Uint8Array };
  publicKeyOf(sk: Uint8Array): Uint8Array;
  encap(pk: Uint8Array): { sharedSecret: Uint8Array; enc: Uint8Array };
  decap(enc: Uint8Array, sk: Uint8Array): Uint8Array;
}

export type AeadName = 'aes-128-gcm' | 'aes-256-gcm';

const KDF_IDS: Record<HashName, number> = { sha256: 0x0001, sha384: 0x0002, sha512: 0x0003 };
const AEAD_IDS: Record<AeadName, number> = { 'aes-128-gcm': 0x0001, 'aes-256-gcm': 0x0002 };
const TAG_LENGTH = 16;
export const NONCE_LENGTH = 12;
const HPKE_V1 = Buffer.from('HPKE-v1');
const MODE_BASE = 0x00;
const MODE_PSK = 0x01;
/** RFC 9180 §5.1.2: "The PSK MUST have at least 32 bytes of entropy". */
export const MIN_PSK_LENGTH = 32;

/** A pre-shared key and its id (RFC 9180 §5.1.2), both non-empty. */
export interface Psk {
  key: Uint8Array;
  id: Uint8Array;
}

/** A sender or recipient context that only exports secrets (RFC 9180 §5.3). */
export interface ExportContext {
  /** Context.Export(exporter_context, L). */
  export(exporterContext: Uint8Array, length: number): Uint8Array;
}

export function aeadKeyLength(aead: AeadName): number {
  return aead === 'aes-128-gcm' ? 16 : 32;
}

export function i2osp(value: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1, v = value; i >= 0; i--, v = Math.floor(v / 256)) out[i] = v & 0xff;
  return out;
}

const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'ascii'));

/** RFC 9180 §4: LabeledExtract / LabeledExpand bound to a suite_id. */
export class LabeledKdf {
  constructor(
    readonly hash: HashName,
    private readonly suiteId: Uint8Array,
  ) {}

  get length(): number {
    return hashLength(this.hash);
  }

  extract(salt: Uint8Array, label: string, ikm: Uint8Array): Uint8Array {
    return hkdfExtract(this.hash, salt, concat(HPKE_V1, this.suiteId, ascii(label), ikm));
  }

  expand(prk: Uint8Array, label: string, info: Uint8Array, length: number): Uint8Array {
    return hkdfExpand(
      this.hash,
      prk,
      concat(i2osp(length, 2), HPKE_V1, this.suiteId, ascii(label), info),
      length,
    );
  }
}

export function aeadSeal(
  aead: AeadName,
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
): Uint8Array {
  const c = createCipheriv(aead, key, nonce, { authTagLength: TAG_LENGTH });
  c.setAAD(aad);
  return new Uint8Array(Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]));
}

/** Throws on a wrong key, nonce, AAD or a modified ciphertext (the tag does not verify). */
export function aeadOpen(
  aead: AeadName,
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  ciphertext: Uint8Array,
): Uint8Array {
  if (ciphertext.length < TAG_LENGTH) throw new Error('AEAD ciphertext shorter than its tag');
  const d = createDecipheriv(aead, key, nonce, { authTagLength: TAG_LENGTH });
  d.setAAD(aad);
  d.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_LENGTH));
  return new Uint8Array(
    Buffer.concat([d.update(ciphertext.subarray(0, ciphertext.length - TAG_LENGTH)), d.final()]),
  );
}

interface Context {
  key: Uint8Array;
  baseNonce: Uint8Array;
  exporterSecret: Uint8Array;
}

/** One HPKE ciphersuite (KEM, KDF, AEAD), base and PSK modes (no auth modes: nothing uses them). */
export class Hpke {
  private readonly kdf: LabeledKdf;

  constructor(
    readonly kem: Kem,
    readonly hash: HashName,
    readonly aead: AeadName,
  ) {
    // RFC 9180 §5.1: suite_id = "HPKE" || I2OSP(kem_id, 2) || I2OSP(kdf_id, 2) || I2OSP(aead_id, 2)
    this.kdf = new LabeledKdf(
      hash,
      concat(ascii('HPKE'), i2osp(kem.id, 2), i2osp(KDF_IDS[hash], 2), i2osp(AEAD_IDS[aead], 2)),
    );
  }

  /**
   * RFC 9180 §5.1 KeySchedule(mode, shared_secret, info, psk, psk_id): base
   * mode without a PSK, PSK mode with one (VerifyPSKInputs: both or neither).
   */
  private keySchedule(sharedSecret: Uint8Array, info: Uint8Array, psk?: Psk): Context {
    const empty = new Uint8Array(0);
    if (psk !== undefined && (psk.key.length < MIN_PSK_LENGTH || psk.id.length === 0)) {
      throw new RangeError(`PSK mode needs a PSK of at least ${MIN_PSK_LENGTH} bytes and a non-empty id`);
    }
    const pskIdHash = this.kdf.extract(empty, 'psk_id_hash', psk?.id ?? empty);
    const infoHash = this.kdf.extract(empty, 'info_hash', info);
    const context = concat(Uint8Array.of(psk === undefined ? MODE_BASE : MODE_PSK), pskIdHash, infoHash);
    const secret = this.kdf.extract(sharedSecret, 'secret', psk?.key ?? empty);
    return {
      key: this.kdf.expand(secret, 'key', context, aeadKeyLength(this.aead)),
      baseNonce: this.kdf.expand(secret, 'base_nonce', context, NONCE_LENGTH),
      exporterSecret: this.kdf.expand(secret, 'exp', context, this.kdf.length),
    };
  }

  /** §6.1 SealBase: sequence number 0, so the nonce is the base nonce. */
  seal(pk: Uint8Array, info: Uint8Array, aad: Uint8Array, plaintext: Uint8Array) {
    const { sharedSecret, enc } = this.kem.encap(pk);
    const ctx = this.keySchedule(sharedSecret, info);
    return { enc, ct: aeadSeal(this.aead, ctx.key, ctx.baseNonce, aad, plaintext) };
  }

  /** §6.1 OpenBase. */
  open(
    sk: Uint8Array,
    enc: Uint8Array,
    info: Uint8Array,
    aad: Uint8Array,
    ciphertext: Uint8Array,
  ): Uint8Array {
    const ctx = this.keySchedule(this.kem.decap(enc, sk), info);
    return aeadOpen(this.aead, ctx.key, ctx.baseNonce, aad, ciphertext);
  }

  /** §6.2 SendExport. */
  sendExport(pk: Uint8Array, info: Uint8Array, exporterContext: Uint8Array, length: number) {
    const { sharedSecret, enc } = this.kem.encap(pk);
    const ctx = this.keySchedule(sharedSecret, info);
    return { enc, secret: this.kdf.expand(ctx.exporterSecret, 'sec', exporterContext, length) };
  }

  /** §6.2 ReceiveExport. */
  receiveExport(
    sk: Uint8Array,
    enc: Uint8Array,
    info: Uint8Array,
    exporterContext: Uint8Array,
    length: number,
  ): Uint8Array {
    const ctx = this.keySchedule(this.kem.decap(enc, sk), info);
    return this.kdf.expand(ctx.exporterSecret, 'sec', exporterContext, length);
  }

  /**
   * §5.1.2 SetupPSKS: encapsulates to `pk` and returns the sender's context
   * (export only) with `enc`.
   */
  setupPskSender(pk: Uint8Array, info: Uint8Array, psk: Psk): { enc: Uint8Array; context: ExportContext } {
    const { sharedSecret, enc } = this.kem.encap(pk);
    return { enc, context: this.exporter(this.keySchedule(sharedSecret, info, psk)) };
  }

  /** §5.1.2 SetupPSKR: the recipient's context (export only). */
  setupPskRecipient(enc: Uint8Array, sk: Uint8Array, info: Uint8Array, psk: Psk): ExportContext {
    return this.exporter(this.keySchedule(this.kem.decap(enc, sk), info, psk));
  }

  private exporter(ctx: Context): ExportContext {
    ctx.key.fill(0);
    ctx.baseNonce.fill(0);
    const secret = ctx.exporterSecret;
    return {
      export: (exporterContext, length) => this.kdf.expand(secret, 'sec', exporterContext, length),
    };
  }
}
