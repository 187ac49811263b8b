import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSampleProfile, SECRET_WORDS, type SampleProfile } from '../backup/testing/sampleProfile';
import { HISTORY_SNAPSHOT_TABLES, snapshotColumns } from '../store/historySnapshot';
import { HistoryAssembler } from './historyAssembler';
import { HistoryChunkReader } from './historyChunkReader';
import { isHistoryError } from './historyError';
import {
  HISTORY_HEADER_BYTES,
  decodeHistoryHeader,
  encodeHistoryHeader,
  historyMacMatches,
  historyRequestMac,
  historyStreamKey,
} from './historyStreamFormat';
import { makeHistoryStream, type HistoryStreamFile } from './historySnapshot';
import type { PayloadLayout } from './historyPayload';
import {
  assembleStream,
  decryptedBytes,
  openSnapshot,
  secretsIn,
  seedSecrets,
} from './testing/historyFixture';

let sample: SampleProfile;
let secrets: Buffer[];
let stream: HistoryStreamFile;
let layout: PayloadLayout;
const kHistory = randomBytes(32);
const transferId = randomBytes(16);
let received: string;

beforeAll(async () => {
  sample = await makeSampleProfile();
  secrets = seedSecrets(sample.profile.database());
  stream = await makeHistoryStream({
    profileDir: sample.dir,
    connection: sample.profile.secondConnection(),
    kHistory,
    transferId,
    sourcePeerId: '12D3KooWSource',
    chunkBytes: 4096,
  });
  received = join(sample.root, 'received.db');
  layout = await assembleStream(stream, kHistory, transferId, received);
});
afterAll(() => sample.dispose());

describe('history snapshot (docs/protocol.md §13.7)', () => {
  it('writes the sealed stream once to .history-<transfer id>.stream and leaves no snapshot behind', () => {
    const names = readdirSync(sample.dir).filter((n) => n.startsWith('.history-'));
    expect(names).toEqual([`.history-${transferId.toString('hex')}.stream`]);
    expect(readFileSync(stream.path).length).toBe(stream.streamBytes);
    expect(stream.header.chunkCount).toBeGreaterThan(3);
  });

  it('holds exactly the allowlisted tables and columns', () => {
    const db = openSnapshot(received, layout);
    try {
      expect(snapshotColumns(db)).toEqual(
        Object.fromEntries(Object.entries(HISTORY_SNAPSHOT_TABLES).map(([t, c]) => [t, [...c]])),
      );
    } finally {
      db.close();
    }
  });

  it('carries the conversations, messages, edits, reactions and attachment rows with their file keys', () => {
    const src = sample.profile.database();
    const db = openSnapshot(received, layout);
    try {
      const uids = (d: typeof db, sql: string) =>
        (d.prepare(sql).all() as Array<{ uid: string }>).map((r) => r.uid);
      expect(uids(db, 'SELECT uid FROM messages ORDER BY seq')).toEqual(
        uids(src, 'SELECT uid FROM messages ORDER BY id'),
      );
      expect(db.prepare('SELECT uid, body FROM message_edits').all()).toEqual([
        { uid: 'u3', body: `before ${SECRET_WORDS[3]}` },
      ]);
      expect(db.prepare('SELECT uid, emoji FROM reactions').all()).toEqual([{ uid: 'u1', emoji: '👍' }]);
      const keys = (d: typeof db, sql: string) =>
        (d.prepare(sql).all() as Array<{ file_key: Buffer }>).map((r) => r.file_key.toString('hex'));
      expect(keys(db, 'SELECT file_key FROM attachments ORDER BY seq')).toEqual(
        keys(src, 'SELECT file_key FROM attachments ORDER BY id'),
      );
      expect(db.prepare('SELECT count(*) AS n FROM conversations').get()).toEqual({ n: 2 });
      expect(db.prepare('SELECT count(*) AS n FROM contacts').get()).toEqual({ n: 2 });
      expect(layout.manifest).toMatchObject({
        messages: 5,
        attachments: 2,
        conversations: 2,
        sourcePeerId: '12D3KooWSource',
      });
    } finally {
      db.close();
    }
  });

  it('has no byte of any MLS state, KeyPackage, identity/device/seal/MLS key, outbox row or mailbox content', () => {
    expect(secrets.length).toBeGreaterThanOrEqual(15);
    // The scan finds every secret in the source database decrypted the same way.
    const src = sample.profile.database();
    src.pragma('wal_checkpoint(TRUNCATE)');
    const connection = sample.profile.secondConnection();
    expect(secretsIn(decryptedBytes(connection.path, connection.key, sample.root), secrets)).toBe(
      secrets.length,
    );
    expect(secretsIn(readFileSync(stream.path), secrets)).toBe(0);
    expect(secretsIn(readFileSync(received), secrets)).toBe(0);
    const plain = decryptedBytes(received, Buffer.from(layout.manifest.snapshotKey, 'base64'), sample.root);
    // The decrypted pages do hold the history itself (the scan can see text)...
    expect(plain.includes(Buffer.from(SECRET_WORDS[0] as string))).toBe(true);
    // ...and none of the secrets.
    expect(secretsIn(plain, secrets)).toBe(0);
  });

  it('shows nothing of the history in the clear, in the stream or in the received file', () => {
    for (const bytes of [readFileSync(stream.path), readFileSync(received)]) {
      for (const word of SECRET_WORDS) expect(bytes.includes(Buffer.from(word))).toBe(false);
    }
  });
});

describe('history stream, hostile input', () => {
  it('a flipped bit fails the chunk (the receiver fetches it again)', async () => {
    const reader = await HistoryChunkReader.open(stream.path, stream.header, stream.headerBytes);
    const assembler = await HistoryAssembler.open(
      join(sample.root, 'flip.db'),
      historyStreamKey(kHistory, transferId),
      stream.header,
      stream.headerBytes,
      null,
    );
    try {
      const chunk0 = await reader.read(0);
      chunk0[17] = (chunk0[17] as number) ^ 1;
      expect(await assembler.accept(0, chunk0)).toBe(false);
      expect(await assembler.accept(0, await reader.read(0))).toBe(4096);
      // A chunk at the wrong index (reordered) does not open either.
      expect(await assembler.accept(2, await reader.read(1))).toBe(false);
      // Nor a chunk cut short, nor the last chunk offered as a middle one.
      expect(await assembler.accept(1, (await reader.read(1)).subarray(0, 100))).toBe(false);
      const last = stream.header.chunkCount - 1;
      expect(await assembler.accept(1, await reader.read(last))).toBe(false);
    } finally {
      await reader.close();
      await assembler.close();
    }
  });

  it('a wrong k_history opens nothing', async () => {
    const reader = await HistoryChunkReader.open(stream.path, stream.header, stream.headerBytes);
    const assembler = await HistoryAssembler.open(
      join(sample.root, 'wrongkey.db'),
      historyStreamKey(randomBytes(32), transferId),
      stream.header,
      stream.headerBytes,
      null,
    );
    try {
      expect(await assembler.accept(0, await reader.read(0))).toBe(false);
    } finally {
      await reader.close();
      await assembler.close();
    }
  });

  it('refuses a header for another transfer, of a newer version, with flags, or with impossible sizes', () => {
    const good = stream.headerBytes;
    expect(decodeHistoryHeader(good, transferId)).toMatchObject({ chunkCount: stream.header.chunkCount });
    const expectProblem = (
      bytes: Uint8Array,
      problem: 'damaged' | 'too_new',
      id: Uint8Array = transferId,
    ) => {
      try {
        decodeHistoryHeader(bytes, id);
      } catch (err) {
        expect(isHistoryError(err, problem)).toBe(true);
        return;
      }
      throw new Error('expected a refusal');
    };
    expectProblem(good, 'damaged', randomBytes(16));
    expectProblem(good.subarray(0, HISTORY_HEADER_BYTES - 1), 'damaged');
    const edit = (at: number, value: number) => {
      const b = Buffer.from(good);
      b[at] = value;
      return b;
    };
    expectProblem(edit(0, 0x41), 'damaged');
    expectProblem(edit(9, 2), 'too_new');
    expectProblem(edit(11, 1), 'damaged');
    expectProblem(
      encodeHistoryHeader({ ...stream.header, chunkCount: stream.header.chunkCount + 1 }),
      'damaged',
    );
    expectProblem(encodeHistoryHeader({ ...stream.header, chunkBytes: 64 }), 'damaged');
    expectProblem(encodeHistoryHeader({ ...stream.header, chunkBytes: 64 * 1024 * 1024 }), 'damaged');
  });

  it('the request MAC binds k_history, the transfer and the chunk index', () => {
    const mac = historyRequestMac(kHistory, transferId, 7);
    expect(historyMacMatches(kHistory, transferId, 7, mac)).toBe(true);
    expect(historyMacMatches(kHistory, transferId, 8, mac)).toBe(false);
    expect(historyMacMatches(randomBytes(32), transferId, 7, mac)).toBe(false);
    expect(historyMacMatches(kHistory, randomBytes(16), 7, mac)).toBe(false);
    expect(historyMacMatches(kHistory, transferId, 7, mac.subarray(0, 31))).toBe(false);
  });

  it('a stream file cut short is reported as damaged when the missing chunk is read', async () => {
    const cut = join(sample.root, 'cut.stream');
    writeFileSync(cut, readFileSync(stream.path).subarray(0, stream.streamBytes - 100));
    const reader = await HistoryChunkReader.open(cut, stream.header, stream.headerBytes);
    try {
      await expect(reader.read(stream.header.chunkCount - 1)).rejects.toSatisfy((e) =>
        isHistoryError(e, 'damaged'),
      );
      await expect(reader.read(stream.header.chunkCount)).rejects.toThrow(RangeError);
    } finally {
      await reader.close();
    }
  });

  it('a snapshot that fails leaves no stream and says why', async () => {
    const id = randomBytes(16);
    await expect(
      makeHistoryStream({
        profileDir: sample.dir,
        connection: sample.profile.secondConnection(),
        kHistory,
        transferId: id,
        sourcePeerId: 'x',
        snapshot: () => Promise.resolve({ ok: false, errorCode: 'SQLITE_FULL', message: 'full' }),
      }),
    ).rejects.toSatisfy(
      (e) => isHistoryError(e, 'snapshot_failed') && /disk is full/.test((e as Error).message),
    );
    expect(existsSync(join(sample.dir, `.history-${id.toString('hex')}.stream`))).toBe(false);
  });
});
