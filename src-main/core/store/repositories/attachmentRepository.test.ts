import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADA, BOB, insertIdentity, tempDatabase, type TempDatabase } from '../testing/tempDatabase';
import { AttachmentRepository, type NewAttachment } from './attachmentRepository';
import { ConversationRepository } from './conversationRepository';
import { FileSettingsRepository, DEFAULT_FILE_LIMITS } from './fileSettingsRepository';
import { MessageRepository } from './messageRepository';

let t: TempDatabase;
let rows: AttachmentRepository;
let messages: MessageRepository;
let conversation: number;

beforeEach(() => {
  t = tempDatabase();
  insertIdentity(t.db);
  rows = new AttachmentRepository(t.db);
  messages = new MessageRepository(t.db);
  conversation = new ConversationRepository(t.db).create({ kind: 'group', name: 'Team', createdAt: 0 });
});
afterEach(() => t.dispose());

function incoming(uid: string, over: Partial<NewAttachment> = {}): number {
  const { id } = messages.insert({
    conversationId: conversation,
    uid,
    senderKey: ADA,
    outgoing: false,
    kind: 'file',
    body: `${uid}.bin`,
    sentAt: 0,
    receivedAt: 0,
    state: 'received',
    hasFile: true,
  });
  return rows.insert({
    messageId: id,
    name: `${uid}.bin`,
    mime: 'application/octet-stream',
    size: 1000,
    sha256: Buffer.alloc(32, 1),
    key: Buffer.alloc(32, 2),
    path: null,
    state: 'pending',
    transferred: 0,
    thumbnail: null,
    chunkSize: 256 * 1024,
    chunkCount: 1,
    sourcePeer: 'peer-ada',
    error: null,
    createdAt: 0,
    ...over,
  });
}

describe('AttachmentRepository', () => {
  it('keeps a file with its message and finds it by id, uid and message', () => {
    const id = incoming('aa');
    const row = rows.get(id);
    expect(row).toMatchObject({ uid: 'aa', conversation_id: conversation, outgoing: 0, state: 'pending' });
    expect(rows.byUid('aa')?.id).toBe(id);
    expect(rows.forMessages([row?.message_id ?? -1]).map((r) => r.id)).toEqual([id]);
    expect(rows.get(id + 1)).toBeNull();
  });

  it('lists what to fetch: interrupted files, and pending ones up to the auto-download size', () => {
    const small = incoming('s1', { size: 10 });
    incoming('b1', { size: 5000 });
    const interrupted = incoming('i1', { size: 5000, state: 'transferring' });
    incoming('d1', { state: 'complete' });
    expect(rows.resumable(100).map((r) => r.id)).toEqual([small, interrupted]);
  });

  it('records progress only while a download runs (a cancelled one stays at zero)', () => {
    const id = incoming('p1', { state: 'transferring' });
    rows.setTransferred(id, 500);
    expect(rows.get(id)?.transferred).toBe(500);
    rows.setState(id, 'cancelled', { transferred: 0, path: null });
    rows.setTransferred(id, 900);
    expect(rows.get(id)).toMatchObject({ state: 'cancelled', transferred: 0 });
  });

  it('knows which devices belong to members of the conversation', () => {
    for (const [peer, key] of [
      ['peer-ada', ADA],
      ['peer-bob', BOB],
    ] as const)
      t.db.prepare('INSERT INTO devices (peer_id, identity_key, created_at) VALUES (?, ?, 0)').run(peer, key);
    t.db
      .prepare('INSERT INTO members (conversation_id, identity_key, joined_at) VALUES (?, ?, 0)')
      .run(conversation, ADA);
    expect(rows.isMemberDevice('peer-ada', conversation)).toBe(true);
    expect(rows.isMemberDevice('peer-bob', conversation)).toBe(false);
    expect(rows.memberDevices(conversation, 'peer-self')).toEqual(['peer-ada']);
    expect(rows.memberDevices(conversation, 'peer-ada')).toEqual([]);
  });
});

describe('FileSettingsRepository', () => {
  it('starts at the defaults, keeps what is set, and ignores unreadable values', () => {
    const settings = new FileSettingsRepository(t.db);
    expect(settings.get()).toEqual(DEFAULT_FILE_LIMITS);
    expect(settings.set({ autoDownloadMaxBytes: 0 })).toEqual({
      ...DEFAULT_FILE_LIMITS,
      autoDownloadMaxBytes: 0,
    });
    t.db.prepare(`UPDATE settings SET value = 'lots' WHERE key = 'files.autoDownloadMaxBytes'`).run();
    expect(settings.get().autoDownloadMaxBytes).toBe(DEFAULT_FILE_LIMITS.autoDownloadMaxBytes);
  });
});
