import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConversationRepository } from '../store/repositories/conversationRepository';
import { MessageRepository } from '../store/repositories/messageRepository';
import { ADA, insertIdentity, tempDatabase, type TempDatabase } from '../store/testing/tempDatabase';
import { silentLogger } from '../util/logger';
import { SearchIndexMaintainer } from './indexMaintenance';
import { parseSearchQuery } from './searchQuery';
import { SearchRepository } from './searchRepository';

let t: TempDatabase;
beforeEach(() => {
  t = tempDatabase();
  insertIdentity(t.db);
});
afterEach(() => t.dispose());

function segments(): number {
  // FTS5's own view of its structure: one row per segment in fts5_structure-ish terms is not
  // exposed, but the %_data table holds one 'structure' record; count distinct segment ids instead.
  const rows = t.db.prepare('SELECT id FROM messages_fts_data').all() as Array<{ id: number }>;
  // Segment ids live in bits 37..52 of a data row id (fts5Int.h FTS5_SEGMENT_ROWID).
  return new Set(rows.map((r) => Math.floor(r.id / 2 ** 37) & 0xffff).filter((s) => s > 0)).size;
}

describe('SearchIndexMaintainer', () => {
  it('merges the index down to one segment in small steps, and search still finds everything', async () => {
    const conversations = new ConversationRepository(t.db);
    const messages = new MessageRepository(t.db);
    const c = conversations.create({ kind: 'group', name: 'G', createdAt: 0 });
    // Many small transactions: each flushes its own segment, as live traffic does.
    for (let batch = 0; batch < 40; batch++) {
      t.db.transaction(() => {
        for (let i = 0; i < 25; i++) {
          const n = batch * 25 + i;
          messages.insert({
            conversationId: c,
            uid: `m${n}`,
            senderKey: ADA,
            outgoing: false,
            body: `note ${n} about ${n % 2 ? 'apples' : 'pears'} and xylophone${n % 7}`,
            sentAt: n,
            receivedAt: n,
            state: 'received',
          });
        }
      })();
    }
    const before = segments();
    expect(before).toBeGreaterThan(1);
    const search = new SearchRepository(t.db);
    const count = (q: string) => search.search(parseSearchQuery(q), { limit: 100 }).hits.length;
    const expected = [count('apples'), count('xylophone3'), count('pea*')];

    const maintainer = new SearchIndexMaintainer(t.db, silentLogger);
    let steps = 0;
    while (maintainer.step(8)) {
      steps++;
      expect(steps).toBeLessThan(10_000);
    }
    expect(steps).toBeGreaterThan(1);
    expect(segments()).toBe(1);
    expect(maintainer.step()).toBe(false);
    expect([count('apples'), count('xylophone3'), count('pea*')]).toEqual(expected);
    t.db.exec("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
  });

  it('runFor reports compact once there is nothing left', async () => {
    const maintainer = new SearchIndexMaintainer(t.db, silentLogger);
    expect(await maintainer.runFor(1000)).toBe(true);
  });
});
