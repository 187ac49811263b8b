import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyDeviceList } from '../identity/deviceListVerify';
import type { ProfileCardV2 } from '../identity/profileCardV2';
import { judgeProfileCardV2 } from '../identity/profileCardV2Verify';
import { type TestDevice, TestDeviceList } from '../identity/testing/deviceListFixture';
import { insertIdentity, tempDatabase, type TempDatabase } from '../store/testing/tempDatabase';
import { Store } from '../store/store';
import { silentLogger } from '../util/logger';
import { adoptOwnCard, ownCards, type OwnIdentity, updateOwnProfile } from './ownProfile';
import { verifyProfileCard } from './profileCard';

/**
 * The own profile card on several devices (docs/protocol.md §13.6, "Profile
 * cards, version 2"): device 0 signs both versions, a linked device version 2
 * only, each device keeps the newest card of the others, and concurrent
 * edits end on one card everywhere.
 */

const temps: TempDatabase[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) t.dispose();
});

function profileStore(list: TestDeviceList): Store {
  const t = tempDatabase();
  temps.push(t);
  insertIdentity(t.db, 'Ada', Buffer.from(list.identityKey));
  return new Store(t.db, { attachmentsDir: join(t.dir, 'attachments'), logger: silentLogger });
}

function identityOf(
  list: TestDeviceList,
  device: TestDevice | null,
  addedSeq: number,
  removed = new Set<string>(),
) {
  const id: OwnIdentity = {
    publicKey: list.identityKey,
    privateKey: addedSeq === 0 ? new Uint8Array(list.identity.privateKey) : new Uint8Array(0),
    displayName: 'Ada',
    cardSigner: () =>
      device === null
        ? null
        : { peerId: device.peerId, addedSeq, sign: device.sign, isActive: (p) => !removed.has(p) },
  };
  return id;
}

function state(list: TestDeviceList) {
  const v = verifyDeviceList(list.bytes());
  if (!v.ok) throw new Error(v.reason);
  return v.state;
}

const genuine = (card: ProfileCardV2 | null, list: TestDeviceList) =>
  card !== null && judgeProfileCardV2(card, list.identityKey, state(list)).ok;

describe('own profile cards on several devices', () => {
  it('device 0 signs the same edit as version 1 and version 2', () => {
    const list = new TestDeviceList();
    const store = profileStore(list);
    const cards = updateOwnProfile(store, identityOf(list, list.first, 0), { statusText: 'Hi' }, 1_000);
    expect(cards.fields).toMatchObject({ version: 2, displayName: 'Ada', statusText: 'Hi' });
    expect(cards.v1 && verifyProfileCard(list.identityKey, cards.v1)).toBe(true);
    expect(genuine(cards.v2, list)).toBe(true);
    expect(cards.v2).toMatchObject({ version: 2, signerPeerId: list.first.peerId, signerAddedSeq: 0 });
  });

  it('a linked device signs version 2 only, relays the version 1 card of the same edit, and edits past it', () => {
    const list = new TestDeviceList();
    const laptop = list.add();
    const phone0 = profileStore(list);
    const before = updateOwnProfile(phone0, identityOf(list, list.first, 0), { statusText: 'Hi' }, 1_000);
    // The grant carried device 0's version 1 card (linking/grantImport.ts).
    const linked = profileStore(list);
    linked.settings.set('profile.card', phone0.settings.get('profile.card') as string);
    const mine = identityOf(list, laptop, 1);
    const start = ownCards(linked, mine, 2_000);
    expect(start.fields.version).toBe(before.fields.version);
    expect(start.v1).toEqual(before.v1);
    expect(start.v2).toMatchObject({ signerPeerId: laptop.peerId, signerAddedSeq: 1, statusText: 'Hi' });
    expect(genuine(start.v2, list)).toBe(true);

    const edit = updateOwnProfile(linked, mine, { displayName: 'Ada L.' }, 3_000);
    expect(edit.fields).toMatchObject({ version: before.fields.version + 1, displayName: 'Ada L.' });
    expect(edit.v1).toBeNull();
    expect(genuine(edit.v2, list)).toBe(true);
  });

  it('another own device adopts a newer card, device 0 signs it as version 1 too, and the next edit goes past it', () => {
    const list = new TestDeviceList();
    const laptop = list.add();
    const phone0 = profileStore(list);
    const device0 = identityOf(list, list.first, 0);
    ownCards(phone0, device0, 1_000);
    const linked = profileStore(list);
    const edit = updateOwnProfile(linked, identityOf(list, laptop, 1), { displayName: 'Ada L.' }, 5_000);
    expect(phone0.tx.run(() => adoptOwnCard(phone0, device0, edit.v2 as ProfileCardV2, 6_000))).toBe(
      'adopted',
    );
    expect(phone0.identity.displayName()).toBe('Ada L.');
    const now = ownCards(phone0, device0, 7_000);
    expect(now.fields).toEqual(edit.fields);
    expect(now.v1 && verifyProfileCard(list.identityKey, now.v1)).toBe(true);
    expect(now.v2).toEqual(edit.v2);
    // The same card again, or an older one, changes nothing.
    expect(adoptOwnCard(phone0, device0, edit.v2 as ProfileCardV2, 8_000)).toBe('kept');
    const next = updateOwnProfile(phone0, device0, { statusText: 'back' }, 9_000);
    expect(next.fields.version).toBe(edit.fields.version + 1);
  });

  it('two devices editing the same version end on the same card, one version up', () => {
    const list = new TestDeviceList();
    const laptop = list.add();
    const phone0 = profileStore(list);
    const linked = profileStore(list);
    const device0 = identityOf(list, list.first, 0);
    const device1 = identityOf(list, laptop, 1);
    ownCards(phone0, device0, 1_000);
    linked.settings.set('profile.card', phone0.settings.get('profile.card') as string);
    const a = updateOwnProfile(phone0, device0, { statusText: 'from the phone' }, 2_000);
    const b = updateOwnProfile(linked, device1, { statusText: 'from the laptop' }, 2_500);
    expect(a.fields.version).toBe(b.fields.version);
    // The laptop's edit is later: the phone takes it, the laptop signs it again one version up.
    expect(adoptOwnCard(phone0, device0, b.v2 as ProfileCardV2, 3_000)).toBe('adopted');
    expect(adoptOwnCard(linked, device1, a.v2 as ProfileCardV2, 3_000)).toBe('reissued');
    const up = ownCards(linked, device1, 3_500);
    expect(up.fields).toMatchObject({ version: b.fields.version + 1, statusText: 'from the laptop' });
    expect(adoptOwnCard(phone0, device0, up.v2 as ProfileCardV2, 4_000)).toBe('adopted');
    expect(ownCards(phone0, device0, 4_500).fields).toEqual(up.fields);
  });

  it('signs again when the stored card is by a device removed since (new receivers refuse it)', () => {
    const list = new TestDeviceList();
    const laptop = list.add();
    const phone0 = profileStore(list);
    const removed = new Set<string>();
    const device0 = identityOf(list, list.first, 0, removed);
    ownCards(phone0, device0, 1_000);
    const edit = updateOwnProfile(
      profileStore(list),
      identityOf(list, laptop, 1),
      { statusText: 'x' },
      5_000,
    );
    adoptOwnCard(phone0, device0, edit.v2 as ProfileCardV2, 6_000);
    expect(ownCards(phone0, device0, 6_500).v2?.signerPeerId).toBe(laptop.peerId);
    list.remove(list.first, laptop);
    removed.add(laptop.peerId);
    const after = ownCards(phone0, device0, 7_000);
    expect(after.fields).toEqual(edit.fields);
    expect(after.v2?.signerPeerId).toBe(list.first.peerId);
    expect(genuine(after.v2, list)).toBe(true);
  });

  it('a linked device not yet in its list cannot sign and says so, keeping the old profile', () => {
    const list = new TestDeviceList();
    const store = profileStore(list);
    expect(() => updateOwnProfile(store, identityOf(list, null, 1), { statusText: 'x' }, 1_000)).toThrow(
      /cannot sign your profile/,
    );
    expect(store.settings.get('profile.card2')).toBeNull();
  });
});
