import { storedCard } from '../contacts/ownProfile';
import type { DeviceLists } from '../devices/deviceLists';
import { sameHead } from '../identity/deviceListEntry';
import { MAX_ACTIVE_DEVICES } from '../identity/deviceListVerify';
import type { Store } from '../store/store';
import { truncateUtf8 } from '../util/utf8';
import { GRANT_SETTINGS_ALLOWLIST } from './linkBodies';
import { LinkError } from './linkFailure';
import { assembleGrant, openJoin, type GrantContent } from './linkGrant';
import type { GrantRequest } from './linkHost';

/**
 * The existing device's grant from its real store (docs/protocol.md §13.5):
 * add(N) is signed on the head announced to N (devices/, with N's
 * possession signatures) and stored together with N's devices row and name
 * in one transaction; then the GrantBody is read from the same store: the
 * whole own list, the profile, contacts with their devices and lists, the
 * allowlisted settings and the conversation list.
 */
export type GrantStore = Pick<
  Store,
  'linkGrant' | 'settings' | 'identity' | 'devices' | 'deviceLists' | 'tx'
>;

export interface GrantSourceDeps {
  store: GrantStore;
  lists: Pick<DeviceLists, 'appendAdd' | 'ownList' | 'headOf' | 'activeDevices' | 'entriesOf'>;
  identityKey: Uint8Array;
  now(): number;
}

const json = (value: string): Uint8Array => new Uint8Array(Buffer.from(value, 'utf8'));

/** What the store hands a new device (settings are cut to the allowlist when the grant is assembled). */
export function readGrantContent(deps: GrantSourceDeps): GrantContent {
  const { store, lists } = deps;
  const card = storedCard(store);
  const cardText = store.settings.get('profile.card');
  const displayName = store.identity.displayName() ?? card?.displayName ?? 'Parley user';
  return {
    profile: {
      displayName: truncateUtf8(displayName, 256),
      ...(card?.statusText ? { statusText: truncateUtf8(card.statusText, 1024) } : {}),
      ...(card?.avatar ? { avatar: card.avatar } : {}),
      ...(cardText !== null ? { card: json(cardText) } : {}),
    },
    contacts: store.linkGrant.contacts().map((c) => {
      const list = lists.entriesOf(c.identityKey).map((e) => e.bytes);
      return {
        identityKey: c.identityKey,
        displayName: truncateUtf8(c.displayName, 256),
        ...(c.localName !== null ? { localName: truncateUtf8(c.localName, 256) } : {}),
        ...(c.statusText !== null ? { statusText: truncateUtf8(c.statusText, 1024) } : {}),
        ...(c.avatar !== null && c.avatar.length > 0 ? { avatar: c.avatar } : {}),
        ...(c.verifiedAt !== null ? { verifiedAt: c.verifiedAt } : {}),
        blocked: c.blocked,
        relayFor: c.relayFor,
        ...(c.previousIdentityKey !== null ? { previousIdentityKey: c.previousIdentityKey } : {}),
        ...(c.keyChangedAt !== null ? { keyChangedAt: c.keyChangedAt } : {}),
        devices: store.linkGrant
          .devicesOf(c.identityKey)
          .slice(0, 16)
          .map((d) => ({
            peerId: d.peerId,
            ...(d.certificate !== null && d.certificate.length > 0 ? { certificate: d.certificate } : {}),
            ...(d.sealPublic !== null ? { sealPublicKey: d.sealPublic } : {}),
            addresses: parseAddresses(d.addresses),
          })),
        ...(list.length > 0 ? { deviceList: list } : {}),
      };
    }),
    settings: GRANT_SETTINGS_ALLOWLIST.flatMap((key) => {
      const value = store.settings.get(key);
      return value === null ? [] : [[key, value] as const];
    }),
    conversations: store.linkGrant.conversations().map((c) => ({
      groupId: c.groupId,
      kind: c.kind,
      ...(c.name !== null ? { name: truncateUtf8(c.name, 256) } : {}),
      notify: c.notify,
      archived: c.archived,
      ...(c.dmWith !== null ? { dmWith: c.dmWith } : {}),
    })),
  };
}

function parseAddresses(text: string): string[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed)
      ? parsed.filter((a): a is string => typeof a === 'string' && a.length <= 512).slice(0, 16)
      : [];
  } catch {
    return [];
  }
}

/** LinkHost's `grant`: stores add(N) and N's devices row, then assembles the GrantBody. */
export function grantFromStore(deps: GrantSourceDeps): (request: GrantRequest) => Promise<Uint8Array> {
  return async (request) => {
    const join = openJoin(request.join);
    const { store, lists, identityKey } = deps;
    const head = lists.headOf(identityKey);
    if (head === null || !sameHead(head, request.head)) throw new LinkError('list-changed');
    if (lists.activeDevices(identityKey).length >= MAX_ACTIVE_DEVICES) throw new LinkError('device-limit');
    store.tx.run(() => {
      const entry = lists.appendAdd({
        subjectPeerId: request.peer,
        mlsSignatureKey: join.mlsSignatureKey,
        platform: join.platform,
        possession: { possession: join.possession, mlsPossession: join.mlsPossession },
        expectHead: request.head,
      });
      if (entry.op !== 'add') throw new LinkError('failed');
      // N is this person's device from now on: the node admits its streams (history, deliver).
      store.devices.upsert({
        peerId: request.peer,
        identityKey,
        addresses: null,
        sealPublic: join.sealPublicKey,
        certificate: entry.certificate,
        now: deps.now(),
      });
      if (join.name.trim() !== '') store.deviceLists.rename(request.peer, join.name.trim());
    });
    const entries = lists.ownList().map((e) => e.bytes);
    return assembleGrant(entries, readGrantContent(deps), {
      transferId: request.transferId,
      bytes: 0,
      messages: 0,
    });
  };
}
