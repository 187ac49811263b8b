import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHIVE_KDF_USUAL } from './archiveFormat';
import { isBackupError } from './backupError';
import { createBackup } from './createBackup';
import { verifyBackup } from './restoreBackup';
import { FAST_KDF, PASSWORD, makeSampleProfile, type SampleProfile } from './testing/sampleProfile';

/**
 * Issue #14 item 10: a tampered backup header forced a 1 GiB Argon2id run
 * (RSS 1.16 GB) before the password was checked. The KDF parameters of a
 * header are now held to what Parley writes (with a margin) unless the user
 * confirms.
 */

let sample: SampleProfile;
beforeAll(async () => {
  sample = await makeSampleProfile();
});
afterAll(() => sample.dispose());

async function backup(name: string, kdf = FAST_KDF): Promise<string> {
  const result = await createBackup({
    profileDir: sample.dir,
    connection: sample.profile.secondConnection(),
    out: join(sample.root, name),
    password: PASSWORD,
    appVersion: '0.0.0-test',
    kdf,
    chunkBytes: 4096,
  });
  return result.path;
}

describe('an archive whose header asks for a costly KDF', () => {
  it('is refused before any Argon2id run when its memory was raised to 1 GiB (the probe)', async () => {
    const path = await backup('tampered.parley-backup');
    const bytes = readFileSync(path);
    // magic 8 ‖ version 2 ‖ flags 2 ‖ m 4: the memory cost, in KiB.
    bytes.writeUInt32BE(1024 * 1024, 12);
    writeFileSync(path, bytes);
    const rssBefore = process.memoryUsage().rss;
    const err = await verifyBackup({ file: path, password: PASSWORD }).catch((e: unknown) => e);
    expect(isBackupError(err, 'costly_kdf')).toBe(true);
    expect((err as Error & { code: string }).code).toBe('NEEDS_CONFIRMATION');
    expect((err as Error).message).toMatch(/1 GB of memory/);
    // Nothing near a gigabyte was claimed (the check comes before the KDF).
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 1024 * 1024);
  });

  it('runs once the user confirmed, and a usual one never asks', async () => {
    // Cheap in memory, but more passes than Parley writes: over the bound all the same.
    const costly = await backup('costly.parley-backup', {
      ...FAST_KDF,
      iterations: ARCHIVE_KDF_USUAL.iterations + 1,
    });
    const refused = await verifyBackup({ file: costly, password: PASSWORD }).catch((e: unknown) => e);
    expect(isBackupError(refused, 'costly_kdf')).toBe(true);
    await expect(
      verifyBackup({ file: costly, password: PASSWORD, allowCostlyKdf: true }),
    ).resolves.toMatchObject({ files: expect.any(Number) });
    const usual = await backup('usual.parley-backup');
    await expect(verifyBackup({ file: usual, password: PASSWORD })).resolves.toMatchObject({
      files: expect.any(Number),
    });
  });
});
