import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isNetError } from '../net/netError';
import { until, type MessagingPeer, peerPool } from '../runtime/testing/messagingPeer';
import type { FileEvent } from './fileService';
import { GCM_TAG_BYTES } from './fileCrypto';
import { fileView } from '../handlers/filePresenter';

/**
 * Files end to end between real peers over 127.0.0.1 (issue #6 item 2): each
 * peer has its own encrypted database, attachments folder and node.
 */

const newPeer = peerPool();

function peer(name: string): MessagingPeer {
  const p = newPeer(name);
  // A real profile has its identity row (the profile card is built from it).
  p.t.db
    .prepare(
      'INSERT OR IGNORE INTO identity (id, display_name, public_key, private_key, created_at) VALUES (1, ?, ?, ?, 0)',
    )
    .run(name, p.identity.publicKey, p.identity.privateKey);
  return p;
}

async function befriend(inviter: MessagingPeer, invitee: MessagingPeer): Promise<void> {
  const invite = inviter.running().service.createInvite();
  await invitee.running().service.acceptInvite(invite);
  await until(() => inviter.dmWith(invitee) !== null, 20_000, `${inviter.name} joins the DM`);
}

/** Two friends with a DM, both online. */
async function pair(): Promise<{ a: MessagingPeer; b: MessagingPeer; ab: number; ba: number }> {
  const a = peer('Ada');
  const b = peer('Bob');
  await Promise.all([a.online(), b.online()]);
  await befriend(a, b);
  return { a, b, ab: a.dmWith(b) ?? -1, ba: b.dmWith(a) ?? -1 };
}

function events(p: MessagingPeer): FileEvent[] {
  const seen: FileEvent[] = [];
  p.running().files.onEvent((e) => seen.push(e));
  return seen;
}

/** Sends bytes the way the renderer does: staged in 1 MiB pieces. */
async function sendBytes(
  p: MessagingPeer,
  conversationId: number,
  bytes: Buffer,
  name = 'data.bin',
  mime = 'application/octet-stream',
) {
  const files = p.running().files;
  const { stageId } = files.stageBegin(name, bytes.length, mime);
  for (let off = 0; off < bytes.length; off += 1024 * 1024)
    files.stageChunk(stageId, off, bytes.subarray(off, off + 1024 * 1024));
  return files.stageCommit(stageId, conversationId);
}

/** The receiver's view of the file carried by the message with this uid. */
function fileAt(p: MessagingPeer, conversationId: number, uid: string) {
  const message = p.messages(conversationId).find((m) => m.uid === uid);
  if (!message) return null;
  const file = p.running().files.forMessages([message.id])[0];
  return file ? fileView(file) : null;
}

function readAll(p: MessagingPeer, attachmentId: number, size: number): Buffer {
  const parts: Buffer[] = [];
  for (let off = 0; off < size; off += 1024 * 1024)
    parts.push(p.running().files.read(attachmentId, off, 1024 * 1024).data);
  return Buffer.concat(parts);
}

function storedFiles(p: MessagingPeer): Buffer[] {
  const dir = p.store.attachmentsDir;
  return readdirSync(dir)
    .filter((f) => f.endsWith('.pfe'))
    .map((f) => readFileSync(join(dir, f)));
}

describe('files between peers over 127.0.0.1', () => {
  it('sends 5 MB: progress on both sides, hash verified, nothing plaintext at rest', async () => {
    const { a, b, ab, ba } = await pair();
    const seenA = events(a);
    const seenB = events(b);
    const data = randomBytes(5 * 1024 * 1024);
    const sent = await sendBytes(a, ab, data, 'holiday.bin');
    expect(sent.kind).toBe('file');
    expect(sent.body).toBe('holiday.bin');

    await until(() => fileAt(b, ba, sent.uid)?.state === 'complete', 30_000, 'download');
    const got = fileAt(b, ba, sent.uid);
    expect(got).toMatchObject({ name: 'holiday.bin', size: data.length, direction: 'incoming' });
    expect(readAll(b, got?.attachmentId ?? -1, data.length).equals(data)).toBe(true);

    // Progress both ways, ending at the whole file.
    const progress = (seen: FileEvent[], direction: 'send' | 'receive') =>
      seen.flatMap((e) =>
        e.event === 'files.progress' && e.payload.direction === direction ? [e.payload] : [],
      );
    expect(progress(seenB, 'receive').at(-1)).toMatchObject({
      bytesDone: data.length,
      bytesTotal: data.length,
    });
    const received = progress(seenB, 'receive').map((p) => p.bytesDone);
    expect(received).toEqual([...received].sort((x, y) => x - y));
    await until(() => progress(seenA, 'send').at(-1)?.bytesDone === data.length, 5_000, 'sender progress');
    expect(seenB.some((e) => e.event === 'files.changed' && e.payload.state === 'complete')).toBe(true);

    // At rest: sealed chunks only (size + one tag per chunk), no plaintext window anywhere.
    const probe = data.subarray(1_000_000, 1_000_064);
    for (const p of [a, b]) {
      const stored = storedFiles(p);
      expect(stored).toHaveLength(1);
      expect(stored[0]?.length).toBe(data.length + 20 * GCM_TAG_BYTES);
      expect(stored[0]?.includes(probe)).toBe(false);
    }

    // Saved where the user chooses.
    const target = join(b.t.dir, 'saved.bin');
    await b.running().files.saveTo(got?.attachmentId ?? -1, target);
    expect(readFileSync(target).equals(data)).toBe(true);
    // A save never replaces a file that is already there.
    writeFileSync(target, 'mine');
    await expect(b.running().files.saveTo(got?.attachmentId ?? -1, target)).rejects.toThrow(/already there/);
    expect(readFileSync(target, 'utf8')).toBe('mine');
  }, 60_000);

  it('takes staged chunks a little out of order (pipelined uploads) and refuses too many ahead', async () => {
    const { a, b, ab, ba } = await pair();
    const files = a.running().files;
    const piece = 512 * 1024;
    const data = randomBytes(6 * piece);
    const { stageId } = files.stageBegin('swapped.bin', data.length, 'application/octet-stream');
    // 1, 0, 3, 2, 5, 4: each odd piece overtakes the one before it.
    const received: number[] = [];
    for (const i of [1, 0, 3, 2, 5, 4])
      received.push(files.stageChunk(stageId, i * piece, data.subarray(i * piece, (i + 1) * piece)));
    expect(received).toEqual([0, 2, 2, 4, 4, 6].map((n) => n * piece));
    const sent = await files.stageCommit(stageId, ab);
    await until(() => fileAt(b, ba, sent.uid)?.state === 'complete', 30_000, 'download');
    expect(readAll(b, fileAt(b, ba, sent.uid)?.attachmentId ?? -1, data.length).equals(data)).toBe(true);

    // A client that runs far ahead is refused rather than buffered without bound.
    const big = files.stageBegin('ahead.bin', 20 * piece, 'application/octet-stream');
    for (let i = 1; i <= 8; i++) files.stageChunk(big.stageId, i * piece, data.subarray(0, piece));
    expect(() => files.stageChunk(big.stageId, 9 * piece, data.subarray(0, piece))).toThrow(/in order/);
    // …and a commit with a gap says how much arrived.
    await expect(files.stageCommit(big.stageId, ab)).rejects.toThrow(/Only 0 of/);
  }, 60_000);

  it('resumes an interrupted download at the last good chunk (receiver restarts)', async () => {
    const { a, b, ab, ba } = await pair();
    b.running().files.setSettings({ autoDownloadMaxBytes: 64 * 1024 * 1024 });
    const data = randomBytes(40 * 1024 * 1024);
    let interrupted: Promise<void> | null = null;
    b.running().files.onEvent((e) => {
      if (!interrupted && e.event === 'files.progress' && e.payload.bytesDone >= 4 * 1024 * 1024)
        interrupted = b.offline();
    });
    const sent = await sendBytes(a, ab, data);
    await until(() => interrupted !== null, 30_000, 'first bytes');
    await interrupted;
    const row = b.t.db
      .prepare(
        `SELECT a.state, a.transferred FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.uid = ?`,
      )
      .get(sent.uid) as { state: string; transferred: number };
    expect(row.state).toBe('transferring');
    expect(row.transferred).toBeGreaterThan(0);
    expect(row.transferred).toBeLessThan(data.length);

    await b.online();
    const seen = events(b);
    await until(() => fileAt(b, ba, sent.uid)?.state === 'complete', 60_000, 'resumed download');
    // It went on from where it stopped, not from zero.
    const first = seen.find((e) => e.event === 'files.progress');
    expect(first?.event === 'files.progress' ? first.payload.bytesDone : 0).toBeGreaterThan(row.transferred);
    expect(readAll(b, fileAt(b, ba, sent.uid)?.attachmentId ?? -1, data.length).equals(data)).toBe(true);
  }, 90_000);

  it('a receiver offline when the file was sent downloads it when back', async () => {
    const { a, b, ab, ba } = await pair();
    await b.offline();
    const data = randomBytes(3 * 1024 * 1024 + 17);
    // From a path, as Electron and `parley send --file` do.
    const path = join(a.t.dir, 'later.bin');
    writeFileSync(path, data);
    const sent = await a.running().files.sendPath(ab, path);
    expect(sent.body).toBe('later.bin');
    expect(sent.state).toBe('pending');
    await b.online();
    await until(() => fileAt(b, ba, sent.uid)?.state === 'complete', 30_000, 'download after return');
    expect(readAll(b, fileAt(b, ba, sent.uid)?.attachmentId ?? -1, data.length).equals(data)).toBe(true);
  }, 60_000);

  it('a small file travels inside the message, relayed by a mailbox while the sender is offline', async () => {
    const a = peer('Ada');
    const b = peer('Bob');
    const c = peer('Cy');
    await Promise.all([a.online(), b.online(), c.online()]);
    await befriend(a, b);
    await befriend(a, c);
    await befriend(b, c);
    const bPeer = b.running().node.peerId;
    const cPeer = c.running().node.peerId;
    await until(() => a.running().directory.relaysOf(bPeer).includes(cPeer), 20_000, "B's relays");
    await until(() => a.running().directory.sealPublicKey(bPeer) !== null, 20_000, "B's seal key");
    await b.offline();
    const ab = a.dmWith(b) ?? -1;
    const data = randomBytes(100 * 1024);
    const sent = await sendBytes(a, ab, data, 'note.bin');
    await until(
      () =>
        (
          a.t.db
            .prepare(`SELECT state FROM outbox WHERE recipient = ? AND message_id = ?`)
            .get(bPeer, sent.id) as { state: string } | undefined
        )?.state === 'held',
      20_000,
      'held with C',
    );
    await a.offline();
    await b.online();
    const ba = b.dmWith(a) ?? -1;
    await until(() => fileAt(b, ba, sent.uid)?.state === 'complete', 30_000, 'inline file from the mailbox');
    expect(readAll(b, fileAt(b, ba, sent.uid)?.attachmentId ?? -1, data.length).equals(data)).toBe(true);
  }, 90_000);

  it('hostile input is refused and nothing is lost', async () => {
    const { a, b, ab, ba } = await pair();
    const c = peer('Cy');
    await c.online();
    await befriend(a, c);
    const aPeer = a.running().node.peerId;

    // 1. A claim over the receiver's limit is refused before any byte moves.
    b.running().files.setSettings({ maxReceiveBytes: 1024 * 1024 });
    const big = await sendBytes(a, ab, randomBytes(2 * 1024 * 1024), 'big.bin');
    await a.running().service.sendText(ab, 'after the big one');
    await until(() => b.messages(ba).some((m) => m.body === 'after the big one'), 20_000, 'text after');
    const refused = fileAt(b, ba, big.uid);
    expect(refused?.state).toBe('failed');
    expect(refused?.error).toMatch(/larger than your limit/);
    expect(refused?.bytesDone).toBe(0);
    expect(() => b.running().files.download(refused?.attachmentId ?? -1)).toThrow(/limit/);
    b.running().files.setSettings({ maxReceiveBytes: 100 * 1024 * 1024 });

    // 2. A wrong hash: every chunk verifies, the whole does not; the bytes are discarded.
    const service = a.running().service;
    const honest = service.sendFileContent.bind(service);
    service.sendFileContent = (conversationId, content, row) =>
      honest(conversationId, { ...content, sha256: 'ab'.repeat(32) }, row);
    const liar = await sendBytes(a, ab, randomBytes(600 * 1024), 'liar.bin');
    const liarSmall = await sendBytes(a, ab, randomBytes(1000), 'small-liar.bin');
    service.sendFileContent = honest;
    await until(
      () => fileAt(b, ba, liar.uid)?.state === 'failed' && fileAt(b, ba, liarSmall.uid)?.state === 'failed',
      20_000,
      'hash refusals',
    );
    expect(fileAt(b, ba, liar.uid)?.error).toMatch(/checksum/);
    expect(fileAt(b, ba, liarSmall.uid)?.error).toMatch(/checksum/);

    // 3. A tampered chunk at the source fails its tag: nothing past it is written, the file fails.
    b.running().files.setSettings({ autoDownloadMaxBytes: 0 });
    const good = await sendBytes(a, ab, randomBytes(1024 * 1024), 'tampered.bin');
    const stored = join(a.store.attachmentsDir, `${good.uid}.pfe`);
    const bytes = readFileSync(stored);
    bytes[300 * 1024] = (bytes[300 * 1024] ?? 0) ^ 1;
    writeFileSync(stored, bytes);
    await until(() => fileAt(b, ba, good.uid) !== null, 20_000, 'tampered file message');
    b.running().files.download(fileAt(b, ba, good.uid)?.attachmentId ?? -1);
    await until(() => fileAt(b, ba, good.uid)?.state === 'failed', 20_000, 'tamper refused');
    expect(fileAt(b, ba, good.uid)?.error).toMatch(/integrity/);

    // 4. A non-member (C is A's contact, not in the A–B DM) may not fetch chunks.
    const fileId = Buffer.from(good.uid, 'hex');
    const chunks: number[] = [];
    await expect(
      c.running().node.services.files.fetch(aPeer, fileId, 0, 1, (i) => {
        chunks.push(i);
      }),
    ).resolves.toBe('denied');
    expect(chunks).toEqual([]);

    // 5. A bogus index is out of range; an unknown file is not found.
    const fine = await sendBytes(a, ab, randomBytes(300 * 1024), 'fine.bin');
    const fineId = Buffer.from(fine.uid, 'hex');
    const bNode = b.running().node;
    await until(() => fileAt(b, ba, fine.uid) !== null, 20_000, 'fine file message');
    await expect(bNode.services.files.fetch(aPeer, fineId, 2, 1, () => undefined)).resolves.toBe(
      'out-of-range',
    );
    await expect(bNode.services.files.fetch(aPeer, randomBytes(16), 0, 1, () => undefined)).resolves.toBe(
      'not-found',
    );
    // The honest file still comes through after all of that.
    b.running().files.download(fileAt(b, ba, fine.uid)?.attachmentId ?? -1);
    await until(() => fileAt(b, ba, fine.uid)?.state === 'complete', 20_000, 'honest file');

    // 6. A peer that is not known at all is refused at the edge.
    const d = peer('Dee');
    await d.online();
    await d.running().node.connect(a.running().node.addresses()[0] ?? '');
    const stranger = await d
      .running()
      .node.services.files.fetch(aPeer, fineId, 0, 1, () => undefined)
      .catch((e) => e);
    expect(isNetError(stranger)).toBe(true);

    // The conversation still works both ways.
    await b.running().service.sendText(ba, 'still here');
    await until(() => a.messages(ab).some((m) => m.body === 'still here'), 20_000, 'text back');
  }, 90_000);
});
