import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linkThisDevice } from '../../linking/linkThisDevice';
import { ProfileService } from '../../profile/profileService';
import { silentLogger } from '../../util/logger';
import type { MessagingPeer, MessagingPeerOptions } from './messagingPeer';

const PASS = 'correct horse battery staple';
const FAST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };

/**
 * Test helper (issue 18, §13.5–13.6): links a new install to `existing`'s
 * running device by the real link protocol on 127.0.0.1 (code, HPKE, SAS,
 * grant), and returns it as a peer of the harness (not yet online) over the
 * profile the grant made: no identity private key, its own device key and
 * MLS key. `make` is the test file's peer maker (peerPool), so it is disposed
 * with the others.
 */
export async function linkNewDevice(
  existing: MessagingPeer,
  make: (name: string, options?: MessagingPeerOptions) => MessagingPeer,
  name: string,
  options: Omit<MessagingPeerOptions, 'existing'> = {},
): Promise<MessagingPeer> {
  const e = existing.running();
  const off = e.linking.on((ev) => {
    if (ev.state === 'sas') e.linking.confirm(true);
  });
  const dir = mkdtempSync(join(tmpdir(), 'parley-linked-'));
  const install = new ProfileService({ dir, logger: silentLogger, kdfCost: FAST_KDF });
  try {
    await linkThisDevice({
      codeText: e.linking.showCode().text,
      createProfile: (displayName, seed) => install.create(displayName, PASS, [], seed),
      deviceName: name,
      platform: 'linux',
      wantFiles: false,
      confirmSas: async () => true,
      listen: ['/ip4/127.0.0.1/tcp/0'],
    });
  } catch (err) {
    install.lock();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  } finally {
    off();
  }
  const connection = install.secondConnection();
  return make(name, {
    ...options,
    existing: {
      t: {
        db: install.database(),
        dir,
        path: connection.path,
        key: connection.key,
        dispose() {
          install.lock();
          rmSync(dir, { recursive: true, force: true });
        },
      },
      identity: {
        publicKey: existing.identity.publicKey,
        privateKey: Buffer.alloc(0),
        displayName: existing.identity.displayName,
      },
    },
  });
}
