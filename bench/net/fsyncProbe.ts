import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEncryptedDatabase } from '../../src-main/core/store/encryptedDatabase';
import { percentile, timer } from '../harness';

/**
 * Profiling aid for bench/net.bench.ts (not a bench): what one small
 * transaction costs on this disk in a SQLCipher database opened as the app
 * opens it (WAL, synchronous = FULL), and with synchronous = NORMAL for
 * comparison.   node --import tsx bench/net/fsyncProbe.ts
 */
const RUNS = 500;
const dir = mkdtempSync(join(tmpdir(), 'parley-fsync-'));
try {
  for (const mode of ['FULL', 'NORMAL'] as const) {
    const db = openEncryptedDatabase(join(dir, `${mode}.db`), randomBytes(32), { create: true });
    db.pragma(`synchronous = ${mode}`);
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const elapsed = timer();
      db.transaction(() => insert.run(randomBytes(1500)))();
      samples.push(elapsed());
    }
    db.close();
    console.log(
      `synchronous=${mode}: one 1.5 KB insert transaction p50 ${percentile(samples, 50).toFixed(2)} ms, p99 ${percentile(samples, 99).toFixed(2)} ms`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
