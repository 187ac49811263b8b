import {
  generateKeyPackageWithKey,
  type CiphersuiteImpl,
  type Extension,
  type KeyPackage,
  type Lifetime,
} from 'ts-mls';
import { makeKeyPackageRef } from 'ts-mls/keyPackage.js';
import { mlsCredential, type MlsDeviceIdentity } from './credentials';
import { lastResortExtension, parleyCapabilities } from './extensions';
import { suiteImpl, type MlsSuiteName } from './suites';
import { encodeKeyPackage } from './wire';

/**
 * KeyPackages (RFC 9420 §10): what another device needs to add this one to a
 * group. The public part is handed out; the private init and leaf HPKE keys
 * stay in the database until a Welcome uses them (§16.8: delete after use).
 */

/** Lifetime of a KeyPackage: 90 days, valid from one hour ago (clock skew). */
export const KEY_PACKAGE_LIFETIME_MS = 90 * 24 * 3600_000;
const CLOCK_SKEW_MS = 3600_000;

export interface GeneratedKeyPackage {
  /** RFC 9420 §5.2 KeyPackageRef: the hash the Welcome names it by. */
  readonly ref: Uint8Array;
  /** MLSMessage(KeyPackage) bytes to hand out. */
  readonly keyPackage: Uint8Array;
  /** Private init and HPKE keys, encoded (see encodePrivateKeys). */
  readonly privateKeys: Uint8Array;
  readonly lastResort: boolean;
  /** Unix ms after which the package is no longer accepted. */
  readonly expiresAt: number;
}

/** Internal: one fresh leaf for this device (also used for a group creator's own leaf). */
export async function deviceKeyPackage(
  device: MlsDeviceIdentity,
  impl: CiphersuiteImpl,
  extensions: Extension[],
  now: number,
) {
  const lifetime: Lifetime = {
    notBefore: BigInt(Math.floor((now - CLOCK_SKEW_MS) / 1000)),
    notAfter: BigInt(Math.floor((now + KEY_PACKAGE_LIFETIME_MS) / 1000)),
  };
  return generateKeyPackageWithKey(
    mlsCredential(device),
    parleyCapabilities(),
    lifetime,
    extensions,
    { signKey: device.signaturePrivateKey.slice(), publicKey: device.signaturePublicKey.slice() },
    impl,
  );
}

export async function generateKeyPackage(
  device: MlsDeviceIdentity,
  options: { suite: MlsSuiteName; lastResort: boolean; now: number },
): Promise<GeneratedKeyPackage> {
  const impl = await suiteImpl(options.suite);
  const { publicPackage, privatePackage } = await deviceKeyPackage(
    device,
    impl,
    options.lastResort ? [lastResortExtension] : [],
    options.now,
  );
  return {
    ref: await makeKeyPackageRef(publicPackage, impl.hash),
    keyPackage: encodeKeyPackage(publicPackage),
    privateKeys: encodePrivateKeys(privatePackage.initPrivateKey, privatePackage.hpkePrivateKey),
    lastResort: options.lastResort,
    expiresAt: Number(publicPackage.leafNode.lifetime.notAfter) * 1000,
  };
}

export async function keyPackageRef(keyPackage: KeyPackage, suite: MlsSuiteName): Promise<Uint8Array> {
  return makeKeyPackageRef(keyPackage, (await suiteImpl(suite)).hash);
}

/**
 * u8 version (1) | u16 len, init private key | u16 len, leaf HPKE private key.
 * The signature key is the device's own and is not repeated here.
 */
export function encodePrivateKeys(init: Uint8Array, hpke: Uint8Array): Uint8Array {
  const out = Buffer.alloc(1 + 2 + init.length + 2 + hpke.length);
  let o = out.writeUInt8(1, 0);
  o = out.writeUInt16BE(init.length, o);
  o += Buffer.from(init).copy(out, o);
  o = out.writeUInt16BE(hpke.length, o);
  Buffer.from(hpke).copy(out, o);
  return new Uint8Array(out);
}

export function decodePrivateKeys(bytes: Uint8Array): { init: Uint8Array; hpke: Uint8Array } | null {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 5 || b[0] !== 1) return null;
  const initLen = b.readUInt16BE(1);
  if (3 + initLen + 2 > b.length) return null;
  const hpkeLen = b.readUInt16BE(3 + initLen);
  if (5 + initLen + hpkeLen !== b.length) return null;
  return {
    init: new Uint8Array(b.subarray(3, 3 + initLen)),
    hpke: new Uint8Array(b.subarray(5 + initLen)),
  };
}
