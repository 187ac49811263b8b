import { buildAddEntry } from '../identity/deviceListBuild';
import {
  type DeviceListAdd,
  type DeviceListHead,
  deviceListHead,
  sameHead,
} from '../identity/deviceListEntry';
import {
  activeDevices,
  type DeviceListState,
  MAX_ACTIVE_DEVICES,
  verifyDeviceList,
} from '../identity/deviceListVerify';
import type { Ed25519Sign } from '../util/ed25519';
import {
  decodeGrantBody,
  decodeJoinBody,
  encodeGrantBody,
  GRANT_SETTINGS_ALLOWLIST,
  type GrantBody,
  type JoinBody,
  LinkBodyError,
} from './linkBodies';
import { LinkError } from './linkFailure';

/**
 * The grant of a link (docs/protocol.md §13.5), both sides, as pure code:
 * E checks N's JoinBody against the head it announced, signs add(N) and
 * assembles the GrantBody from what its store hands over; N checks the
 * GrantBody: the whole list verifies from entry 0, entry 0's identity key is
 * the code's, and the last entry lists exactly N's keys at the announced
 * position. Storage is the caller's (one transaction on each side).
 */

/**
 * What E's store hands over (read in one snapshot); the list and the history
 * offer are added here, and the settings are cut to the allowlist here.
 */
export type GrantContent = Omit<GrantBody, 'v' | 'entries' | 'history' | 'settings'> & {
  settings: readonly (readonly [string, string])[];
};

export interface GrantInput {
  /** N's opened JoinBody. */
  join: Uint8Array;
  peerIdN: string;
  /** The head E announced in LinkChallenge. */
  announced: DeviceListHead;
  /** E's own list as stored now (entry 0 first). */
  ownEntries: readonly Uint8Array[];
  identityKey: Uint8Array;
  peerIdE: string;
  signE: Ed25519Sign;
  at: number;
  content: GrantContent;
  history: GrantBody['history'];
}

export interface PreparedGrant {
  join: JoinBody;
  /** add(N), to be stored with N's devices row in E's transaction. */
  entry: DeviceListAdd;
  state: DeviceListState;
  body: Uint8Array;
}

/** Drops what is not on the allowlist, and the device-local half of the privacy object. */
export function allowlistedSettings(settings: readonly (readonly [string, string])[]): GrantBody['settings'] {
  const allowed = new Set<string>(GRANT_SETTINGS_ALLOWLIST);
  const out: GrantBody['settings'] = [];
  for (const [key, value] of settings) {
    if (!allowed.has(key)) continue;
    if (key === 'privacy') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        continue;
      }
      const p = (parsed ?? {}) as Record<string, unknown>;
      const kept = Object.fromEntries(
        (['invisible', 'relayForContacts'] as const).flatMap((k) =>
          typeof p[k] === 'boolean' ? [[k, p[k]]] : [],
        ),
      );
      out.push(['privacy', JSON.stringify(kept)]);
    } else {
      out.push([key as GrantBody['settings'][number][0], value]);
    }
  }
  return out;
}

/**
 * E: checks N's JoinBody, signs add(N) on the announced head, and encodes the
 * grant. Throws LinkError('list-changed') when E's list moved since the
 * challenge, 'device-limit' at 5 devices, 'failed' for a JoinBody that does
 * not decode or whose possession signatures do not verify.
 */
export function prepareGrant(input: GrantInput): PreparedGrant {
  let join: JoinBody;
  try {
    join = decodeJoinBody(input.join);
  } catch (err) {
    throw new LinkError('failed', { cause: err });
  }
  const own = verifyDeviceList(input.ownEntries);
  if (!own.ok) throw new LinkError('failed', { cause: new Error(`own list: rule ${own.rule}`) });
  if (!sameHead(deviceListHead(own.entries), input.announced)) throw new LinkError('list-changed');
  if (activeDevices(own.state).length >= MAX_ACTIVE_DEVICES) throw new LinkError('device-limit');
  const entry = buildAddEntry({
    identityKey: input.identityKey,
    head: input.announced,
    at: Math.max(input.at, own.state.headAt),
    signerPeerId: input.peerIdE,
    signerSign: input.signE,
    subjectPeerId: input.peerIdN,
    mlsSignatureKey: join.mlsSignatureKey,
    platform: join.platform,
    possession: { possession: join.possession, mlsPossession: join.mlsPossession },
  });
  // N's consent must verify at this very position (rule 3), or nothing is stored.
  const extended = verifyDeviceList([entry.bytes], { from: own.state });
  if (!extended.ok) {
    throw new LinkError('failed', { cause: new Error(`add(N): rule ${extended.rule} ${extended.reason}`) });
  }
  const body = encodeGrantBody({
    entries: [...input.ownEntries, entry.bytes],
    ...input.content,
    settings: allowlistedSettings(input.content.settings),
    history: input.history,
  });
  return { join, entry, state: extended.state, body };
}

export interface CheckedGrant {
  grant: GrantBody;
  state: DeviceListState;
}

/**
 * N: the grant decodes, its list verifies from entry 0, entry 0's identity
 * key is the code's, and the last entry adds N (its PeerId and MLS key) right
 * after the head E announced. Throws LinkError('failed') otherwise: N then
 * stores nothing.
 */
export function checkGrant(
  bytes: Uint8Array,
  expected: {
    identityKey: Uint8Array;
    peerIdN: string;
    mlsSignatureKey: Uint8Array;
    announced: DeviceListHead;
    transferId: Uint8Array;
  },
): CheckedGrant {
  const refuse = (why: string): never => {
    throw new LinkError('failed', { cause: new LinkBodyError(why) });
  };
  let grant: GrantBody;
  try {
    grant = decodeGrantBody(bytes);
  } catch (err) {
    throw new LinkError('failed', { cause: err });
  }
  const verdict = verifyDeviceList(grant.entries);
  if (!verdict.ok) return refuse(`list: rule ${verdict.rule} at ${verdict.index}: ${verdict.reason}`);
  const { state, entries } = verdict;
  if (!Buffer.from(state.identityKey).equals(Buffer.from(expected.identityKey))) {
    return refuse('entry 0 is not signed by the identity key of the code');
  }
  const last = entries[entries.length - 1];
  if (
    last?.op !== 'add' ||
    last.subjectPeerId !== expected.peerIdN ||
    !Buffer.from(last.mlsSignatureKey).equals(Buffer.from(expected.mlsSignatureKey)) ||
    last.seq !== expected.announced.seq + 1 ||
    !Buffer.from(last.prev).equals(Buffer.from(expected.announced.hash))
  ) {
    return refuse('the last entry does not add this device at the announced head');
  }
  if (!Buffer.from(grant.history.transferId).equals(Buffer.from(expected.transferId))) {
    return refuse('history offer for another transfer');
  }
  return { grant, state };
}
