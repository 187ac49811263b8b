import { afterEach, describe, expect, it } from 'vitest';
import { AttachmentRepository } from '../store/repositories/attachmentRepository';
import { insertIdentity, ME, BOB, tempDatabase, type TempDatabase } from '../store/testing/tempDatabase';

/**
 * §13.7 "Files": after the import, the new device N fetches the files of the
 * imported attachment rows over /parley/file/1.0.0 from E. E's file server
 * admits a requester that is a device of a member of the file's conversation
 * (`isMemberDevice`, by identity key, not by device): it holds for N, a device
 * of the same person, as soon as E has a `devices` row for N under its own
 * identity key (the link grant writes it, §13.5), because E's own identity is
 * a member of each of its conversations. Without that row N is refused.
 */

let t: TempDatabase | undefined;
afterEach(() => t?.dispose());

describe('files for a linked device', () => {
  it("E's file server admits a device of the same person once E lists it, and nobody else", () => {
    t = tempDatabase();
    const db = t.db;
    insertIdentity(db, 'Ann', ME);
    db.prepare(
      `INSERT INTO conversations (id, kind, name, group_id, created_at, last_activity_at) VALUES (1, 'group', 'G', x'01', 0, 0)`,
    ).run();
    db.prepare(
      `INSERT INTO members (conversation_id, identity_key, joined_at) VALUES (1, ?, 0), (1, ?, 0)`,
    ).run(ME, BOB);
    const rows = new AttachmentRepository(db);
    const n = '12D3KooWNewDeviceOfAnn';
    expect(rows.isMemberDevice(n, 1)).toBe(false);
    // The grant's devices row: N under Ann's own identity key.
    db.prepare(
      `INSERT INTO devices (peer_id, identity_key, addresses, created_at) VALUES (?, ?, '[]', 0)`,
    ).run(n, ME);
    expect(rows.isMemberDevice(n, 1)).toBe(true);
    // N is also among the sources the other devices may fetch from (any member device).
    expect(rows.memberDevices(1, 'self')).toContain(n);
    // A device of someone who is not a member stays refused.
    db.prepare(
      `INSERT INTO devices (peer_id, identity_key, addresses, created_at) VALUES ('stranger', ?, '[]', 0)`,
    ).run(Buffer.alloc(32, 9));
    expect(rows.isMemberDevice('stranger', 1)).toBe(false);
  });
});
