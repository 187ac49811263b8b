import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADER_BYTES, LENGTH_BYTES } from './archiveFormat';
import { isBackupError } from './backupError';
import { createBackup } from './createBackup';
import { verifyBackup } from './restoreBackup';
import { FAST_KDF, PASSWORD, makeSampleProfile, type SampleProfile } from './testing/sampleProfile';

/**
 * The slow corruption sweep (npm run test:long): every bit of every header
 * byte, and one bit at every 23rd byte of the archive plus both sides of every
 * chunk boundary; truncation at every 29th offset. Every case must be refused
 * with a BackupError. Header flips that raise the Argon2id memory above 128 MiB
 * are skipped only to keep the run short; such headers are still bounded by
 * ARCHIVE_KDF_CEILING and fail the password check.
 */

let sample: SampleProfile;
let bytes: Buffer;
let file: string;

beforeAll(async () => {
  sample = await makeSampleProfile();
  const out = join(sample.root, 'sweep.parley-backup');
  await createBackup({
    profileDir: sample.dir,
    connection: sample.profile.secondConnection(),
    out,
    password: PASSWORD,
    appVersion: 'sweep',
    kdf: FAST_KDF,
    chunkBytes: 4096,
  });
  bytes = readFileSync(out);
  file = join(sample.root, 'damaged.parley-backup');
}, 60_000);
afterAll(() => sample.dispose());

async function refused(damaged: Buffer): Promise<void> {
  writeFileSync(file, damaged);
  try {
    await verifyBackup({ file, password: PASSWORD });
  } catch (err) {
    expect(isBackupError(err)).toBe(true);
    return;
  }
  throw new Error('damage not detected');
}

describe('corruption sweep', () => {
  it('every bit of the header', async () => {
    let n = 0;
    for (let at = 0; at < HEADER_BYTES; at++) {
      for (let bit = 0; bit < 8; bit++) {
        const copy = Buffer.from(bytes);
        copy[at]! ^= 1 << bit;
        if (at >= 12 && at < 16 && copy.readUInt32BE(12) > 128 * 1024) continue;
        await refused(copy);
        n++;
      }
    }
    expect(n).toBeGreaterThan(500);
  }, 600_000);

  it('one bit at every 23rd byte and around every chunk boundary', async () => {
    const offsets = new Set<number>();
    for (let at = HEADER_BYTES; at < bytes.length; at += 23) offsets.add(at);
    for (let at = HEADER_BYTES; at < bytes.length; at += LENGTH_BYTES + bytes.readUInt32BE(at)) {
      for (let d = -4; d <= 4; d++) if (at + d >= HEADER_BYTES && at + d < bytes.length) offsets.add(at + d);
    }
    for (const at of offsets) {
      const copy = Buffer.from(bytes);
      copy[at]! ^= 1 << (at % 8);
      await refused(copy);
    }
    expect(offsets.size).toBeGreaterThan(500);
  }, 600_000);

  it('truncation at every 29th offset', async () => {
    let n = 0;
    for (let at = 0; at < bytes.length; at += 29) {
      await refused(bytes.subarray(0, at));
      n++;
    }
    expect(n).toBeGreaterThan(500);
  }, 600_000);
});
