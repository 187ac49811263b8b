import { afterEach, describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../store/migrate';
import { tempDatabase, type TempDatabase } from '../store/testing/tempDatabase';
import { deliveryMigrations } from './schema';

/** Migration 0006 (store/migrations/0006-delivery.ts) lives with the code that uses it. */
let t: TempDatabase | undefined;
afterEach(() => t?.dispose());

const upTo = (v: number) => deliveryMigrations.filter((m) => m.version <= v);

describe('migration 0006 (delivery)', () => {
  it('keeps devices and outbox rows and adds seal keys, relays, invites, contact requests', () => {
    t = tempDatabase(upTo(5));
    t.db
      .prepare("INSERT INTO devices (peer_id, identity_key, created_at) VALUES ('p1', zeroblob(32), 0)")
      .run();
    t.db
      .prepare(
        `INSERT INTO outbox (envelope_id, recipient, payload, created_at, next_attempt_at, state)
         VALUES ('00', 'p1', x'01', 0, 0, 'pending')`,
      )
      .run();
    migrate(t.db, upTo(6));
    expect(schemaVersion(t.db)).toBe(6);
    expect(t.db.prepare('SELECT peer_id, seal_public FROM devices').get()).toEqual({
      peer_id: 'p1',
      seal_public: null,
    });
    expect(t.db.prepare('SELECT state, deposited_with FROM outbox').get()).toEqual({
      state: 'pending',
      deposited_with: null,
    });
    t.db.prepare("INSERT INTO device_relays (peer_id, relay_peer_id) VALUES ('p1', 'p2')").run();
    expect(() =>
      t!.db.prepare("INSERT INTO invites (token_hash, created_at, expires_at) VALUES (x'00', 0, 1)").run(),
    ).toThrow(/CHECK/);
    expect(() =>
      t!.db
        .prepare(
          `INSERT INTO contact_requests (peer_id, identity_key, display_name, message, received_at, state)
           VALUES ('p3', zeroblob(32), 'x', '', 0, 'maybe')`,
        )
        .run(),
    ).toThrow(/CHECK/);
    expect(() =>
      t!.db
        .prepare(
          `INSERT INTO device_secrets (id, device_key, seal_secret, seal_public, created_at)
           VALUES (1, x'00', zeroblob(31), x'00', 0)`,
        )
        .run(),
    ).toThrow(/CHECK/);
  });
});
