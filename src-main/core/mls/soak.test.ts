import { describe, it } from 'vitest';
import { soak } from './testing/soak';

/**
 * A short soak for every test run. Issue 4's 1,000-message soak is
 * soak.long.test.ts: each message is two fsynced SQLite transactions, so it
 * takes 5–20 s depending on the disk.
 */
describe('soak (short)', () => {
  it('two members exchange 100 messages, reloading every 10: no fork, every message decrypts', async () => {
    await soak(100, 'xwing');
  });
});
