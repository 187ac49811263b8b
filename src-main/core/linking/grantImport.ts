import { entryHash } from '../identity/deviceListEntry';
import { verifyDeviceList } from '../identity/deviceListVerify';
import type { ProfileRepositories } from '../store/profileRepositories';
import type { GrantBody } from './linkBodies';
import type { CheckedGrant } from './linkGrant';

/**
 * Writes a checked grant into the new device's empty profile, inside the
 * transaction that creates it (profile/ProfileService.create with a seed):
 * the person's list, this device's own keys (made here, never received), the
 * other own devices, contacts with their devices and lists, the allowlisted
 * settings and the conversation list (shown as joining until a Welcome
 * arrives, docs/protocol.md §13.5–13.6).
 */
export interface NewDeviceKeys {
  peerId: string;
  /** libp2p protobuf form, the key the link ran under (the PeerId the list names). */
  deviceKey: Uint8Array;
  sealSecretKey: Uint8Array;
  sealPublicKey: Uint8Array;
  mlsSignaturePublicKey: Uint8Array;
  mlsSignaturePrivateKey: Uint8Array;
}

type Repos = Pick<
  ProfileRepositories,
  'deviceLists' | 'deviceSecrets' | 'mlsDevice' | 'linkGrant' | 'settings' | 'tx'
>;

/** Local defaults the allowlisted half of `privacy` is merged over (discoverable stays this device's). */
const LOCAL_PRIVACY = { discoverable: true, invisible: false, relayForContacts: true };

function mergedPrivacy(value: string): string {
  try {
    const parsed = JSON.parse(value) as Record<string, unknown>;
    const out = { ...LOCAL_PRIVACY };
    if (typeof parsed.invisible === 'boolean') out.invisible = parsed.invisible;
    if (typeof parsed.relayForContacts === 'boolean') out.relayForContacts = parsed.relayForContacts;
    return JSON.stringify(out);
  } catch {
    return JSON.stringify(LOCAL_PRIVACY);
  }
}

export function importGrant(
  repos: Repos,
  checked: CheckedGrant,
  own: NewDeviceKeys,
  existing: { peerId: string; addresses: string[] },
  now: number,
): void {
  const { grant, state } = checked;
  const ik = state.identityKey;
  repos.deviceLists.insertEntries(
    ik,
    grant.entries.map((entry, seq) => ({ seq, entry, hash: entryHash(entry) })),
  );
  repos.deviceLists.saveDevices(ik, state.devices);
  repos.deviceSecrets.replace({
    deviceKey: own.deviceKey,
    sealSecret: own.sealSecretKey,
    sealPublic: own.sealPublicKey,
    now,
  });
  // The version 2 credential that binds this key to the list is made when the
  // device joins its first group (§13.6); until then the row holds none.
  repos.mlsDevice.put({
    peerId: own.peerId,
    signaturePublicKey: own.mlsSignaturePublicKey,
    signaturePrivateKey: own.mlsSignaturePrivateKey,
    credential: new Uint8Array(0),
    now,
  });
  // The device that granted: known from the start, so history can come from it.
  repos.linkGrant.insertDevice(
    ik,
    {
      peerId: existing.peerId,
      certificate: null,
      sealPublic: null,
      addresses: JSON.stringify(existing.addresses),
    },
    now,
  );
  const contactIds = new Map<string, number>();
  for (const c of grant.contacts) {
    const id = repos.linkGrant.insertContact(contactRow(c), now);
    contactIds.set(Buffer.from(c.identityKey).toString('hex'), id);
    for (const d of c.devices) {
      repos.linkGrant.insertDevice(
        c.identityKey,
        {
          peerId: d.peerId,
          certificate: d.certificate ? Buffer.from(d.certificate) : null,
          sealPublic: d.sealPublicKey ? Buffer.from(d.sealPublicKey) : null,
          addresses: JSON.stringify(d.addresses),
        },
        now,
      );
    }
    // A contact's list as E held it, kept only when it verifies from entry 0 under that contact's key.
    if (c.deviceList !== undefined) {
      const verdict = verifyDeviceList(c.deviceList);
      if (verdict.ok && Buffer.from(verdict.state.identityKey).equals(Buffer.from(c.identityKey))) {
        const list = c.deviceList;
        try {
          // A savepoint: a list that claims a device another list holds (rule 5) is left out alone.
          repos.tx.run(() => {
            repos.deviceLists.insertEntries(
              c.identityKey,
              list.map((entry, seq) => ({ seq, entry, hash: entryHash(entry) })),
            );
            repos.deviceLists.saveDevices(c.identityKey, verdict.state.devices);
          });
        } catch {
          // The contact's list is fetched again over /parley/devices/1.0.0 (§13.4).
        }
      }
    }
  }
  for (const [key, value] of grant.settings) {
    repos.settings.set(key, key === 'privacy' ? mergedPrivacy(value) : value);
  }
  if (grant.profile.card !== undefined) {
    repos.settings.set('profile.card', Buffer.from(grant.profile.card).toString('utf8'));
  }
  for (const c of grant.conversations) {
    const contactId =
      c.dmWith === undefined ? null : (contactIds.get(Buffer.from(c.dmWith).toString('hex')) ?? null);
    repos.linkGrant.insertConversation(
      {
        groupId: Buffer.from(c.groupId),
        kind: c.kind,
        name: c.name ?? null,
        notify: c.notify,
        archived: c.archived,
        contactId,
      },
      now,
    );
  }
}

function contactRow(c: GrantBody['contacts'][number]) {
  const buf = (b: Uint8Array | undefined) => (b === undefined ? null : Buffer.from(b));
  return {
    identityKey: Buffer.from(c.identityKey),
    displayName: c.displayName,
    localName: c.localName ?? null,
    statusText: c.statusText ?? null,
    avatar: buf(c.avatar),
    verifiedAt: c.verifiedAt ?? null,
    blocked: c.blocked,
    relayFor: c.relayFor,
    previousIdentityKey: buf(c.previousIdentityKey),
    keyChangedAt: c.keyChangedAt ?? null,
  };
}
