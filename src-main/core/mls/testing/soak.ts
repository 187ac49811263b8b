import { expect } from 'vitest';
import { tempDatabase, type TempDatabase } from '../../store/testing/tempDatabase';
import { addMembers, createGroup, encrypt, selfUpdate } from '../groupEngine';
import { processMessage } from '../incoming';
import { MlsStore } from '../mlsStore';
import type { MlsGroupState } from '../groupState';
import type { MlsSuiteName } from '../suites';
import { hex, join, keyPackageFor, makeUser, str, text } from './mlsFixtures';
import { MlsGroupRepository } from '../../store/repositories/mlsGroupRepository';
import { Transactor } from '../../store/transactor';

interface Side {
  db: TempDatabase;
  conv: number;
  store: MlsStore;
  state: MlsGroupState | null;
}

function side(): Side {
  const db = tempDatabase();
  const conv = Number(
    db.db.prepare("INSERT INTO conversations (kind, created_at, last_activity_at) VALUES ('dm', 0, 0)").run()
      .lastInsertRowid,
  );
  return { db, conv, store: new MlsStore(new MlsGroupRepository(db.db), new Transactor(db.db)), state: null };
}

function record(s: Side, uid: string, body: string): void {
  s.db.db
    .prepare(
      `INSERT INTO messages (conversation_id, uid, sender_key, outgoing, body, sent_at, received_at, state)
       VALUES (?, ?, ?, 0, ?, 0, 0, 'received')`,
    )
    .run(s.conv, uid, Buffer.alloc(32, 1), body);
}

/**
 * Two members, each with its own encrypted database, exchange `count`
 * messages. Every state change is stored with its message row; every 10
 * messages both sides restart (a fresh store reloads the state); every 100
 * one of them self-updates. Checks: every message decrypts to what was sent,
 * both sides always agree on epoch and epoch authenticator (no fork), and
 * every row is there once.
 */
export async function soak(count: number, suite: MlsSuiteName): Promise<void> {
  const sides = [side(), side()] as const;
  try {
    const [alice, bob] = [makeUser('alice'), makeUser('bob')];
    const kb = await keyPackageFor(bob, suite);
    const added = await addMembers(await createGroup(alice.device, { suite, kind: 'group' }), [
      kb.keyPackage,
    ]);
    sides[0].store.commit(sides[0].conv, added);
    sides[0].state = added.state;
    sides[1].state = await join(bob, kb, added);
    sides[1].store.save(sides[1].conv, sides[1].state);
    const current = (s: Side): MlsGroupState => {
      if (!s.state) throw new Error('no state');
      return s.state;
    };

    for (let i = 0; i < count; i++) {
      if (i % 10 === 0) {
        // Restart both sides: a new store reading the database.
        for (const s of sides) {
          s.store = new MlsStore(new MlsGroupRepository(s.db.db), new Transactor(s.db.db));
          s.state = s.store.load(s.conv);
        }
      }
      const from = sides[i % 2]!;
      const to = sides[(i + 1) % 2]!;
      if (i > 0 && i % 100 === 0) {
        const update = await selfUpdate(current(from));
        from.store.commit(from.conv, update);
        from.state = update.state;
        const applied = await processMessage(current(to), update.commit);
        to.store.commit(to.conv, applied);
        to.state = applied.state;
      }
      const body = `message ${i}`;
      const sent = await encrypt(current(from), text(body));
      from.store.commit(from.conv, sent);
      from.state = sent.state;
      const got = await processMessage(current(to), sent.message);
      if (got.kind !== 'application') throw new Error(`message ${i} was a ${got.kind}`);
      expect(str(got.plaintext)).toBe(body);
      to.store.commit(to.conv, got, () => record(to, `m${i}`, body));
      to.state = got.state;

      expect(current(from).epoch).toBe(current(to).epoch);
      expect(hex(current(from).epochAuthenticator)).toBe(hex(current(to).epochAuthenticator));
    }
    // What is on disk is exactly what is in memory.
    for (const s of sides)
      expect(
        hex(new MlsStore(new MlsGroupRepository(s.db.db), new Transactor(s.db.db)).load(s.conv)!.serialize()),
      ).toBe(hex(current(s).serialize()));
    const rows = sides.map(
      (s) => (s.db.db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n,
    );
    expect(rows[0]! + rows[1]!).toBe(count);
  } finally {
    for (const s of sides) s.db.dispose();
  }
}
