import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProfileStatus } from '../../../src-shared/contract';
import { isParleyError } from '../errors';
import { PROFILE_HEADER_FILE } from '../store/profileHeader';
import { silentLogger } from '../util/logger';
import { DATABASE_FILE, ProfileService } from './profileService';

const FAST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const PASS = 'correct horse battery staple';

let dir: string;
let changes: ProfileStatus[];
const service = () =>
  new ProfileService({ dir, logger: silentLogger, kdfCost: FAST_KDF, onChange: (s) => changes.push(s) });

async function expectCode(p: Promise<unknown> | (() => unknown), code: string) {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(isParleyError(err) ? err.code : err).toBe(code);
    return;
  }
  throw new Error(`expected ${code}`);
}

function snapshot(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir)) out[f] = readFileSync(join(dir, f)).toString('base64');
  return out;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-profile-'));
  changes = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('ProfileService', () => {
  it('reports "none" for an empty folder and creates an unlocked profile', async () => {
    const p = service();
    expect(p.status()).toEqual({ state: 'none' });
    const status = await p.create('Ada', PASS);
    expect(status).toEqual({ state: 'unlocked', displayName: 'Ada', canRemember: false, remembered: false });
    expect(changes.at(-1)).toEqual(status);
    p.lock();
  });

  it('stores no plaintext: no SQLite header, no name, in any file of the profile', async () => {
    const p = service();
    await p.create('Zanzibar Quokka', PASS);
    p.database().prepare("INSERT INTO settings (key, value) VALUES ('motto', 'xylophonic-secret')").run();
    for (const f of readdirSync(dir)) {
      const bytes = readFileSync(join(dir, f));
      expect(bytes.includes('SQLite format 3'), f).toBe(false);
      expect(bytes.includes('Zanzibar'), f).toBe(false);
      expect(bytes.includes('xylophonic'), f).toBe(false);
    }
    p.lock();
    for (const f of readdirSync(dir)) {
      expect(readFileSync(join(dir, f)).includes('xylophonic'), f).toBe(false);
    }
  });

  it('locks and unlocks with the passphrase, keeping the data', async () => {
    const p = service();
    await p.create('Ada', PASS);
    expect(p.lock()).toEqual({ state: 'locked', canRemember: false, remembered: false });
    expect(changes.at(-1)).toEqual({ state: 'locked', canRemember: false, remembered: false });
    await expectCode(async () => p.database(), 'LOCKED');
    const again = service();
    expect(await again.unlock(PASS)).toEqual({
      state: 'unlocked',
      displayName: 'Ada',
      canRemember: false,
      remembered: false,
    });
    again.lock();
  });

  it('shows a display name changed while unlocked, and tells every window', async () => {
    const p = service();
    await p.create('Ada', PASS);
    p.database().prepare('UPDATE identity SET display_name = ? WHERE id = 1').run('Ada L.');
    p.refresh();
    expect(p.status().displayName).toBe('Ada L.');
    expect(changes.at(-1)).toMatchObject({ state: 'unlocked', displayName: 'Ada L.' });
    p.lock();
  });

  it('refuses a wrong passphrase with WRONG_PASSPHRASE and changes no file', async () => {
    const p = service();
    await p.create('Ada', PASS);
    p.lock();
    const before = snapshot();
    await expectCode(p.unlock('not the passphrase'), 'WRONG_PASSPHRASE');
    expect(snapshot()).toEqual(before);
    expect(p.status()).toEqual({ state: 'locked', canRemember: false, remembered: false });
  });

  it('never overwrites an existing profile', async () => {
    const p = service();
    await p.create('Ada', PASS);
    p.lock();
    await expectCode(service().create('Eve', 'another passphrase'), 'PROFILE_EXISTS');
    expect(await service().unlock(PASS)).toMatchObject({ displayName: 'Ada' });
  });

  it('refuses a short passphrase before writing anything', async () => {
    await expectCode(service().create('Ada', 'short'), 'WEAK_PASSPHRASE');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reports a damaged header as "damaged" and refuses to unlock it', async () => {
    const p = service();
    await p.create('Ada', PASS);
    p.lock();
    writeFileSync(join(dir, PROFILE_HEADER_FILE), '{ not json');
    expect(p.status()).toMatchObject({ state: 'damaged' });
    await expectCode(p.unlock(PASS), 'PROFILE_CORRUPT');
  });

  it('refuses a header from a newer Parley without touching it', async () => {
    const p = service();
    await p.create('Ada', PASS);
    p.lock();
    const header = JSON.parse(readFileSync(join(dir, PROFILE_HEADER_FILE), 'utf8')) as Record<
      string,
      unknown
    >;
    writeFileSync(join(dir, PROFILE_HEADER_FILE), JSON.stringify({ ...header, version: 99 }));
    const before = snapshot();
    await expectCode(p.unlock(PASS), 'PROFILE_TOO_NEW');
    expect(snapshot()).toEqual(before);
  });

  it('reports a corrupt database with DATABASE_CORRUPT when the passphrase is right', async () => {
    const p = service();
    await p.create('Ada', PASS);
    p.lock();
    const db = join(dir, DATABASE_FILE);
    const bytes = readFileSync(db);
    bytes.fill(0x5a, 0, 4096);
    writeFileSync(db, bytes);
    await expectCode(p.unlock(PASS), 'DATABASE_CORRUPT');
  });

  it('reports a missing database as damaged', async () => {
    const p = service();
    await p.create('Ada', PASS);
    p.lock();
    rmSync(join(dir, DATABASE_FILE));
    expect(p.status()).toMatchObject({ state: 'damaged' });
    expect(existsSync(join(dir, PROFILE_HEADER_FILE))).toBe(true);
  });

  it('serializes concurrent unlocks: one opens, the other is told it is already unlocked', async () => {
    const p = service();
    await p.create('Ada', PASS);
    p.lock();
    const results = await Promise.allSettled([p.unlock(PASS), p.unlock(PASS)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    p.lock();
  });

  it('changes the passphrase: the old one stops working, the data stays', async () => {
    const p = service();
    await p.create('Ada', PASS);
    p.database().prepare("INSERT INTO settings (key, value) VALUES ('k', 'v')").run();
    await expectCode(p.changePassphrase('wrong passphrase', 'a brand new passphrase'), 'WRONG_PASSPHRASE');
    await expectCode(p.changePassphrase(PASS, 'short'), 'WEAK_PASSPHRASE');
    expect(await p.changePassphrase(PASS, 'a brand new passphrase')).toMatchObject({ state: 'unlocked' });
    p.lock();
    await expectCode(p.unlock(PASS), 'WRONG_PASSPHRASE');
    await p.unlock('a brand new passphrase');
    expect(p.database().prepare("SELECT value FROM settings WHERE key = 'k'").get()).toEqual({ value: 'v' });
    p.lock();
  });

  it('keeps the old passphrase working when saving the new one fails midway', async () => {
    const p = service();
    await p.create('Ada', PASS);
    p.lock();
    // The atomic writer's temp file cannot be created: the header rename never happens.
    mkdirSync(join(dir, `${PROFILE_HEADER_FILE}.tmp-${process.pid}`));
    const failed = await p.changePassphrase(PASS, 'a brand new passphrase').catch((e: unknown) => e);
    expect(isParleyError(failed) && ['STORAGE_UNAVAILABLE', 'INTERNAL'].includes(failed.code)).toBe(true);
    rmSync(join(dir, `${PROFILE_HEADER_FILE}.tmp-${process.pid}`), { recursive: true });
    expect(await p.unlock(PASS)).toMatchObject({ state: 'unlocked' });
    p.lock();
  });

  it('detects a header whose KDF parameters were edited (the wrap is bound to them)', async () => {
    const p = service();
    await p.create('Ada', PASS);
    p.lock();
    const path = join(dir, PROFILE_HEADER_FILE);
    const header = JSON.parse(readFileSync(path, 'utf8')) as { kdf: { iterations: number } };
    header.kdf.iterations += 1;
    writeFileSync(path, JSON.stringify(header));
    await expectCode(p.unlock(PASS), 'WRONG_PASSPHRASE');
  });
});

describe('remember on this device', () => {
  /** Stands in for safeStorage: reversible only while `broken` is false. */
  const keychain = {
    available: true,
    broken: false,
    isAvailable() {
      return this.available;
    },
    seal: (secret: Buffer) => Buffer.from(secret.map((b) => b ^ 0x5c)),
    open(sealed: Buffer) {
      if (this.broken) throw new Error('keyring reset');
      return Buffer.from(sealed.map((b) => b ^ 0x5c));
    },
  };
  const withKeychain = () => new ProfileService({ dir, logger: silentLogger, kdfCost: FAST_KDF, keychain });

  beforeEach(() => {
    keychain.available = true;
    keychain.broken = false;
  });

  it('unlocks without the passphrase once remembered, and survives a passphrase change', async () => {
    const p = withKeychain();
    await p.create('Ada', PASS);
    expect(p.status()).toMatchObject({ canRemember: true, remembered: false });
    expect(p.setRemember(true)).toMatchObject({ remembered: true });
    p.lock();
    expect(p.status()).toEqual({ state: 'locked', canRemember: true, remembered: true });
    expect(await p.unlockWithDevice()).toMatchObject({ state: 'unlocked', displayName: 'Ada' });
    await p.changePassphrase(PASS, 'a brand new passphrase');
    p.lock();
    expect(await p.unlockWithDevice()).toMatchObject({ state: 'unlocked' });
    p.setRemember(false);
    p.lock();
    await expectCode(p.unlockWithDevice(), 'INVALID_STATE');
  });

  it('remembers at unlock when asked, and forgets when the keychain can no longer open it', async () => {
    const p = withKeychain();
    await p.create('Ada', PASS);
    p.lock();
    expect(await p.unlock(PASS, true)).toMatchObject({ remembered: true });
    p.lock();
    keychain.broken = true;
    await expectCode(p.unlockWithDevice(), 'INVALID_STATE');
    expect(p.status()).toMatchObject({ remembered: false });
    expect(await p.unlock(PASS)).toMatchObject({ state: 'unlocked' });
    p.lock();
  });

  it('is not offered without a keychain (web shell, CLI, Linux without a keyring)', async () => {
    const p = service();
    await p.create('Ada', PASS);
    expect(p.status()).toMatchObject({ canRemember: false, remembered: false });
    await expectCode(async () => p.setRemember(true), 'INVALID_STATE');
    p.lock();
  });

  it('never writes the data key in the clear', async () => {
    const p = withKeychain();
    await p.create('Ada', PASS);
    p.setRemember(true);
    const sealed = readFileSync(join(dir, 'device-key.bin'));
    expect(sealed.equals(keychain.seal(sealed))).toBe(false);
    p.lock();
  });
});
