import { afterEach, describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../store/migrate';
import { migrations } from '../store/migrations';
import { tempDatabase, type TempDatabase } from '../store/testing/tempDatabase';

/** Migration 0004 (store/migrations/0004-mls.ts) lives with the code that uses it. */
let t: TempDatabase | undefined;
afterEach(() => t?.dispose());

const upTo = (v: number) => migrations.filter((m) => m.version <= v);

describe('migration 0004 (mls)', () => {
  it('keeps existing MLS rows and adds the pool columns, the device key and the ratchet journal', () => {
    t = tempDatabase(upTo(3));
    t.db
      .prepare("INSERT INTO conversations (id, kind, created_at, last_activity_at) VALUES (1, 'group', 0, 0)")
      .run();
    t.db
      .prepare(
        "INSERT INTO mls_groups (conversation_id, group_id, epoch, state, updated_at) VALUES (1, x'01', 3, x'00', 0)",
      )
      .run();
    t.db
      .prepare(
        "INSERT INTO key_packages (ref, key_package, private_keys, created_at) VALUES (x'aa', x'bb', x'cc', 0)",
      )
      .run();
    migrate(t.db, upTo(4));
    expect(schemaVersion(t.db)).toBe(4);
    expect(t.db.prepare('SELECT epoch, self_updated_at FROM mls_groups').get()).toEqual({
      epoch: 3,
      self_updated_at: null,
    });
    expect(t.db.prepare('SELECT ciphersuite, expires_at FROM key_packages').get()).toEqual({
      ciphersuite: 0,
      expires_at: 0,
    });
    t.db
      .prepare("INSERT INTO mls_ratchets (conversation_id, epoch, node, state) VALUES (1, 3, 0, x'00')")
      .run();
    // The journal goes with its group.
    t.db.prepare('DELETE FROM conversations WHERE id = 1').run();
    expect(t.db.prepare('SELECT count(*) AS n FROM mls_ratchets').get()).toEqual({ n: 0 });
    expect(() =>
      t!.db
        .prepare(
          "INSERT INTO mls_device (id, peer_id, signature_public, signature_private, credential, created_at) VALUES (2, 'p', zeroblob(32), x'00', x'00', 0)",
        )
        .run(),
    ).toThrow(/CHECK/);
  });
});
