import { afterEach, describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../migrate';
import { ConversationRepository } from '../repositories/conversationRepository';
import { SyncStateRepository } from '../repositories/syncStateRepository';
import { tempDatabase, type TempDatabase } from '../testing/tempDatabase';
import { migration0022 } from './0022-self-group';
import { migrations } from './index';

let t: TempDatabase | undefined;
afterEach(() => t?.dispose());

describe('migration 0022 (the self group)', () => {
  it('keeps existing conversations listed, hides a self group, and stores stamps and queued sync', () => {
    t = tempDatabase(migrations.filter((m) => m.version < 22));
    const dm = Number(
      t.db
        .prepare(
          `INSERT INTO conversations (kind, group_id, created_at, last_activity_at) VALUES ('dm', ?, 1, 1)`,
        )
        .run(Buffer.alloc(32, 1)).lastInsertRowid,
    );
    migrate(t.db, [...migrations.filter((m) => m.version < 22), migration0022]);
    expect(schemaVersion(t.db)).toBe(22);
    const conversations = new ConversationRepository(t.db);
    const self = conversations.create({
      kind: 'group',
      groupId: Buffer.alloc(32, 2),
      createdAt: 2,
      selfGroup: true,
    });
    expect(conversations.list().map((c) => c.id)).toEqual([dm]);
    expect(conversations.selfGroups().map((c) => c.id)).toEqual([self]);
    expect(conversations.isSelfGroup(self)).toBe(true);
    expect(conversations.isSelfGroup(dm)).toBe(false);
    expect(conversations.byGroupId(Buffer.alloc(32, 2))).toBeNull();

    const sync = new SyncStateRepository(t.db);
    sync.setStamp('setting:chat.readReceipts', { at: 5, peerId: 'p' });
    sync.setStamp('setting:chat.readReceipts', { at: 7, peerId: 'q' });
    expect(sync.stamp('setting:chat.readReceipts')).toEqual({ at: 7, peerId: 'q' });
    expect(sync.highestAt()).toBe(7);
    sync.enqueue('{}', 1);
    expect(sync.pending().map((r) => r.body)).toEqual(['{}']);
    expect(() => sync.enqueue('x'.repeat(20_000), 1)).toThrow();
    expect(() => sync.setStamp('k', { at: -1, peerId: 'p' })).toThrow();
  });
});
