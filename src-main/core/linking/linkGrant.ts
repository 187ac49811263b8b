import type { DeviceListHead } from '../identity/deviceListEntry';
import { type DeviceListState, verifyDeviceList } from '../identity/deviceListVerify';
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
 * E opens N's JoinBody and, once add(N) is stored (devices/, which signs it
 * on the announced head with N's possession signatures), assembles the
 * GrantBody from what its store hands over; N checks the
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
 * E: the GrantBody once add(N) is stored: the whole own list (N's add last),
 * the store's content with the settings cut to the allowlist, and the
 * history offer.
 */
export function assembleGrant(
  entries: readonly Uint8Array[],
  content: GrantContent,
  history: GrantBody['history'],
): Uint8Array {
  return encodeGrantBody({
    entries: [...entries],
    ...content,
    settings: allowlistedSettings(content.settings),
    history,
  });
}

/** E: N's JoinBody, or LinkError('failed') when it does not decode. */
export function openJoin(bytes: Uint8Array): JoinBody {
  try {
    return decodeJoinBody(bytes);
  } catch (err) {
    throw new LinkError('failed', { cause: err });
  }
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
