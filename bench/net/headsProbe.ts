import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Outbox } from '../../src-main/core/delivery/outbox';
import { deliveryMigrations } from '../../src-main/core/delivery/schema';
import { openEncryptedDatabase } from '../../src-main/core/store/encryptedDatabase';
import { migrate } from '../../src-main/core/store/migrate';
import { ProfileRepositories } from '../../src-main/core/store/profileRepositories';
import { percentile, timer } from '../harness';

/**
 * Profiling aid for bench/net.bench.ts (not a bench): the cost of one
 * Outbox.heads() call (the delivery pump runs it once per pass, i.e. about
 * once per message on a single busy queue) against how many rows the queue
 * already has (delivered rows stay in the outbox) and how many are pending.
 *   node --import tsx bench/net/headsProbe.ts
 */
const RECIPIENT = '12D3KooWProbeRecipient';
const dir = mkdtempSync(join(tmpdir(), 'parley-heads-'));
try {
  for (const [history, pending] of [
    [0, 1],
    [0, 256],
    [2_000, 1],
    [2_000, 256],
    [10_000, 1],
    [10_000, 256],
    [0, 2_000],
  ] as const) {
    const db = openEncryptedDatabase(join(dir, `h${history}-${pending}.db`), randomBytes(32), {
      create: true,
    });
    migrate(db, deliveryMigrations);
    const outbox = new Outbox(new ProfileRepositories(db), Date.now);
    const payload = new Uint8Array(randomBytes(1200));
    db.transaction(() => {
      for (let i = 0; i < history + pending; i++) {
        outbox.enqueue({ conversationId: null, messageId: null, recipient: RECIPIENT, payload });
      }
      db.prepare(`UPDATE outbox SET state = 'delivered', payload = X'' WHERE id <= ?`).run(history);
    })();
    const samples: number[] = [];
    for (let i = 0; i < 30; i++) {
      const elapsed = timer();
      outbox.heads(Date.now() + 1, 256);
      samples.push(elapsed());
    }
    db.close();
    console.log(
      `outbox.heads(): ${history} delivered + ${pending} pending rows in one queue: p50 ${percentile(samples, 50).toFixed(2)} ms`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
