import { afterEach, describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../migrate';
import { tempDatabase, type TempDatabase } from '../testing/tempDatabase';
import { migration0009 } from './0009-contact-trust';
import { migrations } from './index';

let t: TempDatabase | undefined;
afterEach(() => t?.dispose());

/** Everything before 0009, whatever other migrations landed in between. */
const before = migrations.filter((m) => m.version < 9);

describe('migration 0009 (contact trust)', () => {
  it('keeps contacts and adds the pending key change and removal columns', () => {
    t = tempDatabase(before);
    t.db
      .prepare(
        `INSERT INTO contacts (identity_key, display_name, verified_at, created_at, updated_at)
         VALUES (zeroblob(32), 'Ann', 5, 1, 1)`,
      )
      .run();
    migrate(t.db, [...before, migration0009]);
    expect(schemaVersion(t.db)).toBe(9);
    expect(
      t.db
        .prepare(
          'SELECT display_name, verified_at, pending_identity_key, pending_peer_id, pending_key_at, removed_at FROM contacts',
        )
        .get(),
    ).toEqual({
      display_name: 'Ann',
      verified_at: 5,
      pending_identity_key: null,
      pending_peer_id: null,
      pending_key_at: null,
      removed_at: null,
    });
    // An identity key is 32 bytes, pending or not.
    expect(() => t!.db.prepare("UPDATE contacts SET pending_identity_key = x'00'").run()).toThrow(/CHECK/);
  });
});
