import { afterEach, describe, expect, it } from 'vitest';
import { tempDatabase, type TempDatabase } from '../store/testing/tempDatabase';
import { addMembers, createGroup, encrypt, selfUpdate } from './groupEngine';
import { unwrapState, type MlsGroupState } from './groupState';
import { processMessage } from './incoming';
import { MlsStore } from './mlsStore';
import { isMlsRejection } from './rejection';
import { hex, join, keyPackageFor, makeUser, str, text } from './testing/mlsFixtures';
import { MlsGroupRepository } from '../store/repositories/mlsGroupRepository';
import { Transactor } from '../store/transactor';

let t: TempDatabase | undefined;
afterEach(() => t?.dispose());

type Db = TempDatabase['db'];

function conversation(db: Db): number {
  return Number(
    db.prepare("INSERT INTO conversations (kind, created_at, last_activity_at) VALUES ('group', 0, 0)").run()
      .lastInsertRowid,
  );
}

function insertMessage(db: Db, conv: number, uid: string, body: string): void {
  db.prepare(
    `INSERT INTO messages (conversation_id, uid, sender_key, outgoing, body, sent_at, received_at, state)
     VALUES (?, ?, ?, 0, ?, 0, 0, 'received')`,
  ).run(conv, uid, Buffer.alloc(32, 9), body);
}

const bodies = (db: Db, conv: number) =>
  (
    db.prepare('SELECT body FROM messages WHERE conversation_id = ? ORDER BY id').all(conv) as {
      body: string;
    }[]
  ).map((r) => r.body);

/** Alice and Bob in a classic-suite group; Bob's side is stored in the database. */
async function setup() {
  t = tempDatabase();
  const alice = makeUser('alice');
  const bob = makeUser('bob');
  const kb = await keyPackageFor(bob, 'classic');
  const added = await addMembers(await createGroup(alice.device, { suite: 'classic' }), [kb.keyPackage]);
  const b = await join(bob, kb, added);
  const conv = conversation(t.db);
  const store = new MlsStore(new MlsGroupRepository(t.db), new Transactor(t.db));
  store.save(conv, b);
  return { db: t.db, conv, store, a: added.state, alice, bob };
}

class Crash extends Error {}

describe('MLS state at rest', () => {
  it('writes the state and the message rows in one transaction: a crash before it loses neither', async () => {
    const { db, conv, store, a } = await setup();
    const sent = await encrypt(a, text('hello'));
    const first = await processMessage(store.load(conv)!, sent.message);
    expect(() =>
      store.commit(conv, first, () => {
        insertMessage(db, conv, 'm1', 'hello');
        throw new Crash('power cut');
      }),
    ).toThrow(Crash);
    expect(bodies(db, conv)).toEqual([]);

    // Restart: the stored state is the one before the message, which processes the same way again.
    const restarted = new MlsStore(new MlsGroupRepository(db), new Transactor(db));
    const again = await processMessage(restarted.load(conv)!, sent.message);
    expect(again.kind === 'application' && str(again.plaintext)).toBe('hello');
    restarted.commit(conv, again, () => insertMessage(db, conv, 'm1', 'hello'));
    expect(bodies(db, conv)).toEqual(['hello']);

    // After the commit, the same message again is a replay, never a second state.
    const reloaded = new MlsStore(new MlsGroupRepository(db), new Transactor(db)).load(conv)!;
    const err = await processMessage(reloaded, sent.message).catch((e: unknown) => e);
    expect(isMlsRejection(err, 'replay')).toBe(true);
    expect(bodies(db, conv)).toEqual(['hello']);
  });

  it('a commit interrupted before its transaction is applied exactly once after restart', async () => {
    const { db, conv, store, a } = await setup();
    const update = await selfUpdate(a);
    const processed = await processMessage(store.load(conv)!, update.commit);
    expect(() =>
      store.commit(conv, processed, () => {
        throw new Crash();
      }),
    ).toThrow(Crash);
    const before = new MlsStore(new MlsGroupRepository(db), new Transactor(db)).load(conv)!;
    expect(before.epoch).toBe(1);

    const redo = await processMessage(before, update.commit);
    const s2 = new MlsStore(new MlsGroupRepository(db), new Transactor(db));
    s2.commit(conv, redo);
    const after = s2.load(conv)!;
    expect(after.epoch).toBe(2);
    expect(hex(after.epochAuthenticator)).toBe(hex(update.state.epochAuthenticator));
    const dup = await processMessage(after, update.commit).catch((e: unknown) => e);
    expect(isMlsRejection(dup, 'stale-epoch')).toBe(true);
  });

  it('stores a message as a ratchet journal entry, not a whole state, and reloads it exactly', async () => {
    const { db, conv, store, a: a0 } = await setup();
    let a = a0;
    const stateBlob = () =>
      hex(
        (db.prepare('SELECT state FROM mls_groups WHERE conversation_id = ?').get(conv) as { state: Buffer })
          .state,
      );
    const snapshot = stateBlob();
    let b: MlsGroupState = store.load(conv)!;
    for (let i = 0; i < 10; i++) {
      const sent = await encrypt(a, text(`a${i}`));
      a = sent.state;
      const got = await processMessage(b, sent.message);
      store.commit(conv, got, () => insertMessage(db, conv, `in${i}`, `a${i}`));
      b = got.state;
      const reply = await encrypt(b, text(`b${i}`));
      store.commit(conv, reply);
      b = reply.state;
      const back = await processMessage(a, reply.message);
      a = back.state;
    }
    expect(stateBlob()).toBe(snapshot);
    const size = store.sizeOf(conv);
    expect(size.journalRows).toBe(2); // Alice's and Bob's application ratchets
    expect(size.journal).toBeLessThan(2000);

    const reloaded = new MlsStore(new MlsGroupRepository(db), new Transactor(db)).load(conv)!;
    expect(hex(reloaded.serialize())).toBe(hex(b.serialize()));
    const next = await encrypt(a, text('after reload'));
    const got = await processMessage(reloaded, next.message);
    expect(got.kind === 'application' && str(got.plaintext)).toBe('after reload');

    // A new epoch writes the whole state and clears the journal.
    const update = await selfUpdate(got.state);
    const s2 = new MlsStore(new MlsGroupRepository(db), new Transactor(db));
    s2.load(conv);
    s2.commit(conv, update);
    expect(s2.sizeOf(conv).journalRows).toBe(0);
    expect(stateBlob()).not.toBe(snapshot);
    expect(s2.dueForSelfUpdate(60_000)).toEqual([]);
  });

  it('inside a transaction of the caller, a rolled-back save leaves the previous state', async () => {
    const { db, conv, store, a } = await setup();
    const sent = await encrypt(a, text('x'));
    const got = await processMessage(store.load(conv)!, sent.message);
    expect(() =>
      db.transaction(() => {
        store.commit(conv, got, () => insertMessage(db, conv, 'x', 'x'));
        throw new Crash();
      })(),
    ).toThrow(Crash);
    const again = await processMessage(store.load(conv)!, sent.message);
    expect(again.kind).toBe('application');
    expect(bodies(db, conv)).toEqual([]);
  });

  it("inside delivery's batch writes each message's ratchet only, and reloads exactly after the batch", async () => {
    const { db, conv, store, a: a0 } = await setup();
    const stateBlob = () =>
      hex(
        (db.prepare('SELECT state FROM mls_groups WHERE conversation_id = ?').get(conv) as { state: Buffer })
          .state,
      );
    let a = a0;
    let b: MlsGroupState = store.load(conv)!;
    const snapshot = stateBlob();
    const batch = async (from: number, n: number) => {
      db.prepare('BEGIN').run();
      store.batchStarted();
      for (let i = from; i < from + n; i++) {
        const sent = await encrypt(a, text(`a${i}`));
        a = sent.state;
        const got = await processMessage(b, sent.message);
        store.commit(conv, got, () => insertMessage(db, conv, `in${i}`, `a${i}`));
        b = got.state;
      }
    };
    await batch(0, 5);
    db.prepare('COMMIT').run();
    store.batchEnded(true);
    // No whole state was written for these five: only the sender's ratchet.
    expect(stateBlob()).toBe(snapshot);
    expect(store.sizeOf(conv).journalRows).toBe(1);
    // The next message, alone, continues from the batch's state with a ratchet write too.
    const sent = await encrypt(a, text('alone'));
    a = sent.state;
    const got = await processMessage(b, sent.message);
    store.commit(conv, got, () => insertMessage(db, conv, 'alone', 'alone'));
    b = got.state;
    expect(stateBlob()).toBe(snapshot);
    expect(hex(new MlsStore(new MlsGroupRepository(db), new Transactor(db)).load(conv)!.serialize())).toBe(
      hex(b.serialize()),
    );

    // A batch that rolls back leaves the state before it; the next write is whole, and exact.
    // Serialized now: processing wipes the secrets a step consumed in the parent object.
    const before = hex(b.serialize());
    await batch(5, 3);
    db.prepare('ROLLBACK').run();
    store.batchEnded(false);
    expect(bodies(db, conv)).toHaveLength(6);
    const reloaded = store.load(conv)!;
    expect(hex(reloaded.serialize())).toBe(before);
    const redo = await encrypt(a, text('after rollback'));
    const again = await processMessage(reloaded, redo.message);
    store.commit(conv, again, () => insertMessage(db, conv, 'r', 'after rollback'));
    expect(hex(new MlsStore(new MlsGroupRepository(db), new Transactor(db)).load(conv)!.serialize())).toBe(
      hex(again.state.serialize()),
    );
  });

  it('refuses a ratchet write over a state that is not the one it started from, writing nothing', async () => {
    const { db, conv, store, a } = await setup();
    const first = await encrypt(a, text('one'));
    const got = await processMessage(store.load(conv)!, first.message);
    store.commit(conv, got, () => insertMessage(db, conv, 'one', 'one'));
    // Someone else moved the stored group on (another epoch) behind this store's back.
    db.prepare('UPDATE mls_groups SET epoch = epoch + 1 WHERE conversation_id = ?').run(conv);
    const second = await encrypt(first.state, text('two'));
    const next = await processMessage(got.state, second.message);
    expect(() => store.commit(conv, next, () => insertMessage(db, conv, 'two', 'two'))).toThrow(
      'not the one this step started from',
    );
    expect(bodies(db, conv)).toEqual(['one']);
  });

  it('inside another outer transaction still writes the whole state (it may not commit)', async () => {
    const { db, conv, store, a } = await setup();
    const sent = await encrypt(a, text('x'));
    const got = await processMessage(store.load(conv)!, sent.message);
    db.transaction(() => store.commit(conv, got, () => insertMessage(db, conv, 'x', 'x')))();
    expect(store.sizeOf(conv).journalRows).toBe(0);
    expect(hex(new MlsStore(new MlsGroupRepository(db), new Transactor(db)).load(conv)!.serialize())).toBe(
      hex(got.state.serialize()),
    );
  });

  it('wipes the secrets a step used up once its state is stored, and the new state still works', async () => {
    const { conv, store, a } = await setup();
    const b = store.load(conv)!;
    const ratchet = unwrapState(b).secretTree[2 * b.ownLeafIndex]!.application.secret;
    expect(ratchet.some((x) => x !== 0)).toBe(true);
    const sent = await encrypt(b, text('forward secrecy'));
    store.commit(conv, sent);
    // RFC 9420 §9.2: the used ratchet secret of the previous state is gone from memory.
    expect(ratchet.every((x) => x === 0)).toBe(true);
    const got = await processMessage(a, sent.message);
    expect(got.kind === 'application' && str(got.plaintext)).toBe('forward secrecy');
    const next = await encrypt(sent.state, text('and again'));
    expect((await processMessage(got.state, next.message)).kind).toBe('application');
  });
});
