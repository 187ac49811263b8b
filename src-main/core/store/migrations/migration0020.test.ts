import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../migrate';
import { HistoryTransferRepository } from '../repositories/historyTransferRepository';
import { tempDatabase, type TempDatabase } from '../testing/tempDatabase';
import { migration0020 } from './0020-history-transfers';
import { migrations } from './index';

let t: TempDatabase | undefined;
afterEach(() => t?.dispose());

describe('migration 0020 (history transfers)', () => {
  it('adds history_transfers to an existing profile; rows keep their progress and refuse bad keys', () => {
    t = tempDatabase(migrations.filter((m) => m.version < 20));
    migrate(t.db, [...migrations.filter((m) => m.version < 20), migration0020]);
    expect(schemaVersion(t.db)).toBe(20);
    const repo = new HistoryTransferRepository(t.db);
    const id = randomBytes(16);
    expect(
      repo.create({
        transferId: id,
        role: 'receive',
        peerId: 'p',
        kHistory: randomBytes(32),
        withFiles: true,
        state: 'receiving',
        now: 1,
        expiresAt: 2,
      }),
    ).toBe(true);
    expect(
      repo.create({
        transferId: id,
        role: 'receive',
        peerId: 'q',
        kHistory: randomBytes(32),
        withFiles: true,
        state: 'receiving',
        now: 1,
        expiresAt: 2,
      }),
    ).toBe(false);
    repo.setProgress(id, 17, 17 * 1024, 3);
    expect(repo.get(id)).toMatchObject({
      peerId: 'p',
      nextChunk: 17,
      bytesDone: 17 * 1024,
      state: 'receiving',
    });
    expect(() =>
      repo.create({
        transferId: randomBytes(16),
        role: 'send',
        peerId: 'p',
        kHistory: randomBytes(31),
        withFiles: true,
        state: 'ready',
        now: 1,
        expiresAt: 2,
      }),
    ).toThrow(/CHECK/);
    expect(() => repo.setHeader(id, randomBytes(50), 'receiving', 4)).toThrow(/CHECK/);
  });
});
