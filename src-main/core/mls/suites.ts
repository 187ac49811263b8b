import {
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  type CiphersuiteImpl,
  type CiphersuiteName,
} from 'ts-mls';
import { ParleyError } from '../errors';
import { nodeCryptoProvider } from './crypto/nodeCryptoProvider';

/**
 * The two MLS ciphersuites Parley speaks (RFC 9420 §5.1, §17.1).
 *
 * The id stored in `conversations.ciphersuite` is the suite's MLS code point,
 * the same value the GroupContext carries on the wire (RFC 9420 §8.1), so a
 * stored conversation and its group can never disagree. A group's suite is
 * fixed at creation: MLS has no way to change it short of ReInit (§11.2).
 */
export type MlsSuiteName = 'xwing' | 'classic';

export interface MlsSuiteInfo {
  readonly name: MlsSuiteName;
  /** MLS ciphersuite code point; what conversations.ciphersuite stores. */
  readonly id: number;
  /** Shown in conversation info. */
  readonly label: string;
  readonly postQuantum: boolean;
}

interface SuiteDef extends MlsSuiteInfo {
  readonly mlsName: CiphersuiteName;
}

const SUITES: readonly SuiteDef[] = [
  {
    name: 'xwing',
    // ts-mls 1.6.4's code point for MLS_256_XWING_AES256GCM_SHA512_Ed25519 (not yet IANA-registered).
    id: 0x0053,
    mlsName: 'MLS_256_XWING_AES256GCM_SHA512_Ed25519',
    label: 'X-Wing (ML-KEM-768 + X25519), Ed25519, AES-256-GCM',
    postQuantum: true,
  },
  {
    name: 'classic',
    id: 0x0001,
    mlsName: 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519',
    label: 'X25519, Ed25519, AES-128-GCM (MLS suite 1)',
    postQuantum: false,
  },
];

/** New groups and KeyPackages use this unless told otherwise. */
export const DEFAULT_SUITE: MlsSuiteName = 'xwing';

function def(name: MlsSuiteName): SuiteDef {
  const found = SUITES.find((s) => s.name === name);
  if (!found) throw new ParleyError('INVALID_PARAMS', `Unknown MLS suite "${name}".`);
  return found;
}

function publicInfo(s: SuiteDef): MlsSuiteInfo {
  return { name: s.name, id: s.id, label: s.label, postQuantum: s.postQuantum };
}

export function suiteInfo(name: MlsSuiteName): MlsSuiteInfo {
  return publicInfo(def(name));
}

/** The suite stored under this id (conversations.ciphersuite), or null for one Parley does not speak. */
export function suiteById(id: number): MlsSuiteInfo | null {
  const found = SUITES.find((s) => s.id === id);
  return found ? publicInfo(found) : null;
}

/** Internal: the ts-mls suite name for a Parley suite, and back. */
export function mlsSuiteName(name: MlsSuiteName): CiphersuiteName {
  return def(name).mlsName;
}

export function suiteFromMlsName(mlsName: CiphersuiteName): MlsSuiteInfo | null {
  const found = SUITES.find((s) => s.mlsName === mlsName);
  return found ? publicInfo(found) : null;
}

export const SUPPORTED_MLS_SUITES: readonly CiphersuiteName[] = SUITES.map((s) => s.mlsName);

const impls = new Map<MlsSuiteName, Promise<CiphersuiteImpl>>();

/** Internal: the crypto implementation of a suite, on the node:crypto provider; built once. */
export function suiteImpl(name: MlsSuiteName): Promise<CiphersuiteImpl> {
  let impl = impls.get(name);
  if (!impl) {
    impl = getCiphersuiteImpl(getCiphersuiteFromName(mlsSuiteName(name)), nodeCryptoProvider);
    impls.set(name, impl);
  }
  return impl;
}
