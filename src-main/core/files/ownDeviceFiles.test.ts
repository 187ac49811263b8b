import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTENT_VERSION, type FileContent } from '../content/content';
import { Store } from '../store/store';
import { insertIdentity, ME, BOB, tempDatabase, type TempDatabase } from '../store/testing/tempDatabase';
import { silentLogger } from '../util/logger';
import { DEFAULT_CHUNK_SIZE } from './fileCrypto';
import { FileEvents } from './fileEvents';
import { FileReceiver } from './fileReceiver';
import { SealedFiles } from './sealedFiles';

/**
 * A file sent by another device of this person (docs/protocol.md §13.6) is
 * ours, like its texts: stored as sent by us, shown on our side of the chat;
 * its bytes are fetched all the same (this device has none). Before, it was
 * stored as received from ourselves (found by e2e/linkDevice.spec.ts).
 */

let t: TempDatabase | undefined;
afterEach(() => t?.dispose());

const uid = (n: number) => n.toString(16).padStart(32, '0');

function file(n: number, name: string): FileContent {
  return {
    v: CONTENT_VERSION,
    type: 'file',
    uid: uid(n),
    sentAt: n,
    name,
    mime: 'application/pdf',
    size: 300_000,
    sha256: 'ab'.repeat(32),
    key: randomBytes(32).toString('base64url'),
    chunkSize: DEFAULT_CHUNK_SIZE,
    chunkCount: Math.ceil(300_000 / DEFAULT_CHUNK_SIZE),
  };
}

describe('files from own other devices (§13.6)', () => {
  it('are ours (sent), a contact’s are received; both are fetched', () => {
    t = tempDatabase();
    insertIdentity(t.db, 'Ann', ME);
    const dir = join(t.dir, 'attachments');
    mkdirSync(dir, { recursive: true });
    const store = new Store(t.db, { attachmentsDir: dir, logger: silentLogger });
    const fetched: number[] = [];
    const receiver = new FileReceiver({
      store,
      files: new SealedFiles(dir, silentLogger),
      events: new FileEvents(store.attachments, silentLogger),
      startDownload: (id) => fetched.push(id),
      logger: silentLogger,
    });
    const conversationId = store.conversations.create({ kind: 'group', name: 'Crew', createdAt: 1 });
    const afterMine = receiver.applyIncoming(
      conversationId,
      { peerId: 'laptop', identityKey: ME },
      file(1, 'chart.pdf'),
      10,
    );
    const afterBobs = receiver.applyIncoming(
      conversationId,
      { peerId: 'bob', identityKey: BOB },
      file(2, 'map.pdf'),
      11,
    );
    afterMine?.();
    afterBobs?.();
    expect(store.messages.getByUid(uid(1))).toMatchObject({
      outgoing: true,
      state: 'sent',
      body: 'chart.pdf',
    });
    expect(store.messages.getByUid(uid(2))).toMatchObject({ outgoing: false, state: 'received' });
    expect(fetched).toHaveLength(2);
  });
});
