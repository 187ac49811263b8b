import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ParleyError } from '../errors';
import { decodeListedDeviceCredential } from '../identity/credential';
import { loadListedDeviceIdentity } from '../mls';
import { generateEd25519 } from '../mls/crypto/nodeCryptoProvider';
import { Store } from '../store/store';
import { tempDatabase } from '../store/testing/tempDatabase';
import { silentLogger } from '../util/logger';
import { linkedMlsKeys, usesListedIdentity } from './linkedDevice';

/**
 * A linked device's MLS identity at start (§13.6): the key pair linking
 * stored, bound by a version 2 credential to its own list entry; keys that
 * are missing or not the entry's are a clear error that changes nothing.
 */
describe('a linked device’s MLS identity', () => {
  const ik = new Uint8Array(32).fill(7);
  const peerId = '12D3KooWLinkedDeviceForTheTest';

  function store() {
    const t = tempDatabase();
    const s = new Store(t.db, { attachmentsDir: join(t.dir, 'attachments'), logger: silentLogger });
    return { t, s };
  }

  it('makes the version 2 credential from the stored key and the entry, once', () => {
    const { t, s } = store();
    try {
      const mls = generateEd25519();
      s.mlsDevice.put({
        peerId,
        signaturePublicKey: mls.publicKey,
        signaturePrivateKey: mls.signKey,
        credential: new Uint8Array(0),
        now: 1,
      });
      expect(usesListedIdentity(s, { privateKey: new Uint8Array(0) }, peerId)).toBe(true);
      expect(linkedMlsKeys(s, peerId).signaturePublicKey).toEqual(mls.publicKey);
      const device = loadListedDeviceIdentity(s.mlsDevice, ik, peerId, {
        addedSeq: 3,
        mlsSignatureKey: mls.publicKey,
      });
      const credential = decodeListedDeviceCredential(device.credential);
      expect(credential).toMatchObject({ peerId, addedSeq: 3 });
      expect(Buffer.from(s.mlsDevice.get()!.credential).equals(Buffer.from(device.credential))).toBe(true);
      // A device that also holds the identity key keeps a stored version 2 identity.
      expect(usesListedIdentity(s, { privateKey: new Uint8Array(48) }, peerId)).toBe(true);
      expect(usesListedIdentity(s, { privateKey: new Uint8Array(48) }, 'another')).toBe(false);
    } finally {
      s.stop();
      t.dispose();
    }
  });

  it('refuses keys that are missing or not the ones the list names, writing nothing', () => {
    const { t, s } = store();
    try {
      expect(() => linkedMlsKeys(s, peerId)).toThrow(ParleyError);
      const mls = generateEd25519();
      const other = generateEd25519();
      s.mlsDevice.put({
        peerId,
        signaturePublicKey: mls.publicKey,
        signaturePrivateKey: mls.signKey,
        credential: new Uint8Array(0),
        now: 1,
      });
      expect(() =>
        loadListedDeviceIdentity(s.mlsDevice, ik, peerId, { addedSeq: 1, mlsSignatureKey: other.publicKey }),
      ).toThrow(/do not match your device list/);
      expect(() =>
        loadListedDeviceIdentity(s.mlsDevice, ik, 'someone-else', {
          addedSeq: 1,
          mlsSignatureKey: mls.publicKey,
        }),
      ).toThrow(ParleyError);
      expect(s.mlsDevice.get()!.credential.length).toBe(0);
    } finally {
      s.stop();
      t.dispose();
    }
  });
});
