import { afterEach, describe, expect, it } from 'vitest';
import { deliveryMigrations } from '../delivery/schema';
import { SettingsRepository } from '../store/repositories/settingsRepository';
import { tempDatabase, type TempDatabase } from '../store/testing/tempDatabase';
import { Transactor } from '../store/transactor';
import { lastSeenBucket } from './presenceService';
import { DEFAULT_PRIVACY, readPrivacy, writePrivacy } from './privacySettings';

let t: TempDatabase | null = null;
function repos(): { settings: SettingsRepository; tx: Transactor } {
  if (!t) throw new Error('no database');
  return { settings: new SettingsRepository(t.db), tx: new Transactor(t.db) };
}
afterEach(() => {
  t?.dispose();
  t = null;
});

describe('privacy settings', () => {
  it('default to discoverable, visible, relaying; changes persist key by key', () => {
    t = tempDatabase(deliveryMigrations);
    expect(readPrivacy(repos())).toEqual({ discoverable: true, invisible: false, relayForContacts: true });
    expect(writePrivacy(repos(), { invisible: true })).toEqual({ ...DEFAULT_PRIVACY, invisible: true });
    expect(writePrivacy(repos(), { discoverable: false })).toEqual({
      discoverable: false,
      invisible: true,
      relayForContacts: true,
    });
    expect(readPrivacy(repos())).toEqual({ discoverable: false, invisible: true, relayForContacts: true });
  });

  it('a damaged or foreign stored value falls back to the defaults instead of failing', () => {
    t = tempDatabase(deliveryMigrations);
    const put = (value: string): void => {
      t?.db
        .prepare(
          `INSERT INTO settings (key, value) VALUES ('privacy', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        )
        .run(value);
    };
    put('not json');
    expect(readPrivacy(repos())).toEqual(DEFAULT_PRIVACY);
    put('{"invisible":"yes","relayForContacts":false,"future":1}');
    expect(readPrivacy(repos())).toEqual({ ...DEFAULT_PRIVACY, relayForContacts: false });
    put('[1,2]');
    expect(readPrivacy(repos())).toEqual(DEFAULT_PRIVACY);
  });
});

describe('last seen', () => {
  it('is shown only as a coarse bucket', () => {
    const now = Date.UTC(2026, 0, 10, 12);
    const min = 60_000;
    expect(lastSeenBucket(now - 3 * min, now)).toBe('just-now');
    expect(lastSeenBucket(now + 5 * min, now)).toBe('just-now');
    expect(lastSeenBucket(now - 3 * 60 * min, now)).toBe('today');
    expect(lastSeenBucket(now - 3 * 24 * 60 * min, now)).toBe('this-week');
    expect(lastSeenBucket(now - 30 * 24 * 60 * min, now)).toBe('long-ago');
  });
});
