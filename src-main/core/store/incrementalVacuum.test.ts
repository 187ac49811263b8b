import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteMailboxStore } from '../delivery/sqliteMailboxStore';
import { convertToIncrementalVacuum } from '../workers/vacuumConvert';
import { checkpointWal } from '../workers/walCheckpoint';
import { openEncryptedDatabase } from './encryptedDatabase';
import { tempDatabase, type TempDatabase } from './testing/tempDatabase';
import { MailboxRepository } from './repositories/mailboxRepository';
import { Transactor } from './transactor';

/**
 * Issue #14 item 13: the database never shrank after mailbox deposits were
 * delivered, so a relay's disk use followed the most it ever held, not what
 * it holds.
 */

const RECIPIENT = '12D3KooWRaP6T3L8KUsbcuvuGTQ4Ubb7DxXMoVNqHoaL1ZbbQqHc';
const DEPOSITOR = '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq';
const dbs: TempDatabase[] = [];
afterEach(() => {
  for (const t of dbs.splice(0)) t.dispose();
});

const size = (t: TempDatabase): number => statSync(t.path).size;
const checkpoint = (t: TempDatabase) => checkpointWal({ path: t.path, key: t.key });

/** Holds 8 MiB for a recipient, then hands it over (deleted on the recipient's ack). */
async function holdAndDeliver(t: TempDatabase): Promise<{ peak: number }> {
  const store = new SqliteMailboxStore(new MailboxRepository(t.db), new Transactor(t.db), {
    maxBytesPerDepositor: 64 * 1024 * 1024,
  });
  const ids: Uint8Array[] = [];
  for (let i = 0; i < 32; i++) {
    const envelopeId = new Uint8Array(randomBytes(16));
    ids.push(envelopeId);
    const status = await store.deposit(
      {
        recipient: RECIPIENT,
        depositor: DEPOSITOR,
        envelopeId,
        payload: new Uint8Array(randomBytes(256 * 1024)),
        ttlSeconds: 3600,
      },
      Date.now(),
    );
    expect(status).toBe('stored');
  }
  await checkpoint(t);
  const peak = size(t);
  expect(await store.remove(RECIPIENT, ids)).toBe(32);
  return { peak };
}

describe('a relay’s database after it handed over what it held', () => {
  it('gives the freed pages back to the file system', async () => {
    const t = tempDatabase();
    dbs.push(t);
    const { peak } = await holdAndDeliver(t);
    expect(peak).toBeGreaterThan(8 * 1024 * 1024);
    // The quiet-time maintenance (store/walCheckpointer.ts) runs these steps until nothing is left to free.
    for (let i = 0; i < 20; i++) {
      const report = await checkpoint(t);
      expect(report.ok).toBe(true);
      if (report.freedPages === 0) break;
    }
    expect(size(t)).toBeLessThan(peak / 4);
  });

  it('an older database (no auto-vacuum) is converted once, on a worker, keeping its data', async () => {
    const t = tempDatabase();
    dbs.push(t);
    t.db.pragma('auto_vacuum = NONE');
    t.db.exec('VACUUM');
    expect(t.db.pragma('auto_vacuum', { simple: true })).toBe(0);
    t.db.close();
    expect(await convertToIncrementalVacuum({ path: t.path, key: t.key })).toMatchObject({
      ok: true,
      converted: true,
    });
    expect(await convertToIncrementalVacuum({ path: t.path, key: t.key })).toMatchObject({
      converted: false,
    });
    const reopened = openEncryptedDatabase(t.path, t.key, { create: false });
    try {
      expect(reopened.pragma('auto_vacuum', { simple: true })).toBe(2);
      expect(reopened.prepare('SELECT count(*) AS n FROM identity').get()).toEqual({ n: 0 });
    } finally {
      reopened.close();
    }
  });
});
