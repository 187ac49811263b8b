import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MessageView, ReadOnlyReason } from '../../../src-shared/contract';
import { runCli } from '../cli';
import type { CliIo } from '../io';
import { recordingIo, type FakeIo } from '../testing/fakeIo';
import { messageView, startFakeNode, type FakeAnswers, type FakeNode } from '../testing/fakeNode';

/**
 * Issue #17 item 22: what a user of the `parley` command met that a polished
 * tool would not do. Commands that need a node talk to a scripted one (the
 * real control socket, fake answers), so each state is reached on purpose.
 */

const PASSPHRASE = 'correct horse battery';
let root: string;
let profile: string;
const nodes: FakeNode[] = [];

async function cli(
  argv: string[],
  env: Record<string, string> = {
    PARLEY_PASSPHRASE: PASSPHRASE,
    PARLEY_BACKUP_PASSWORD: 'backup password 17',
  },
  extra: Partial<CliIo> = {},
): Promise<FakeIo & { code: number }> {
  const io = recordingIo(env, extra);
  const code = await runCli(argv, io);
  return Object.assign(io, { code });
}

/** stderr without the JSON log lines and the test-only KDF warning. */
const problems = (err: string): string[] =>
  err.split('\n').filter((l) => l !== '' && !l.startsWith('{') && !l.startsWith('warning: PARLEY_KDF_FAST'));

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'parley-cli-17-'));
  profile = join(root, 'ada');
  expect((await cli(['init', '--profile', profile, '--name', 'Ada'])).code).toBe(0);
});
afterEach(async () => {
  for (const n of nodes.splice(0)) await n.close();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const BOB = {
  id: 1,
  name: 'Bob',
  displayName: 'Bob',
  localName: null,
  devices: [{ peerId: '12D3KooWBob', addresses: [] }],
};
const CAROL = {
  id: 2,
  name: 'Carol',
  displayName: 'Carol',
  localName: null,
  devices: [{ peerId: '12D3KooWLRHmaCarolDevice', addresses: [] }],
};

/** A node whose DM with Bob holds `messages`; `readOnly` is what conversations.list says about it. */
async function nodeWith(
  dir: string,
  messages: () => MessageView[],
  more: FakeAnswers = {},
  readOnly: () => ReadOnlyReason | null = () => null,
): Promise<FakeNode> {
  const node = await startFakeNode(dir, {
    'contacts.list': () => [BOB, CAROL],
    'conversations.list': () => [{ id: 7, kind: 'dm', title: 'Bob', contactId: 1, readOnly: readOnly() }],
    'messages.page': () => ({
      messages: messages(),
      hasOlder: false,
      hasNewer: false,
      unread: { count: 0, lastReadMessageId: 0 },
    }),
    ...more,
  });
  nodes.push(node);
  return node;
}

describe('parley messages shows where each sent message is', () => {
  it('pending, sent, held (by the holder’s name), delivered, read and failed each say so; incoming lines stay as they were', async () => {
    const dir = join(root, 'states');
    await nodeWith(dir, () => [
      messageView({ id: 1, body: 'one', state: 'pending' }),
      messageView({ id: 2, body: 'two', state: 'sent' }),
      messageView({ id: 3, body: 'three', state: 'held', heldBy: '12D3KooWLRHmaCarolDevice' }),
      messageView({ id: 4, body: 'four', state: 'delivered' }),
      messageView({ id: 5, body: 'five', state: 'read' }),
      messageView({ id: 6, body: 'six', state: 'failed' }),
      messageView({ id: 7, body: 'hi', state: 'received', sender: { key: 'bb', name: 'Bob', self: false } }),
    ]);
    const io = await cli(['messages', '--profile', dir, '--with', 'bob']);
    expect(io.code, io.err).toBe(0);
    expect(io.out.split('\n').filter(Boolean)).toEqual([
      '2026-12-05 18:06 Ada: one (not sent yet)',
      '2026-12-05 18:06 Ada: two (sent)',
      '2026-12-05 18:06 Ada: three (held by Carol until Bob is online)',
      '2026-12-05 18:06 Ada: four (delivered)',
      '2026-12-05 18:06 Ada: five (read)',
      '2026-12-05 18:06 Ada: six (failed: not delivered)',
      '2026-12-05 18:06 Bob: hi',
    ]);
  });

  it('a message waiting in a conversation that can no longer send says it will not be delivered, and why', async () => {
    const dir = join(root, 'blocked');
    await nodeWith(
      dir,
      () => [messageView({ id: 1, body: 'still there?', state: 'pending' })],
      {},
      () => ({ kind: 'blocked' }),
    );
    const io = await cli(['messages', '--profile', dir, '--with', 'bob']);
    expect(io.out).toBe('2026-12-05 18:06 Ada: still there? (will not be delivered: You blocked Bob.)\n');
  });
});

describe('parley send says what became of the message', () => {
  it('on a device replaced by a restore the message fails: exit 1 with the reason, not 0 and silence', async () => {
    const dir = join(root, 'replaced');
    let state: MessageView['state'] = 'pending';
    let replaced = false;
    await nodeWith(
      dir,
      () => [messageView({ id: 10, body: 'hello', state })],
      {
        'messages.send': () => {
          // The contact's device refuses the envelope: the old leaf was replaced (RFC 9420 §12.4.3.2).
          setTimeout(() => {
            state = 'failed';
            replaced = true;
          }, 300);
          return messageView({ id: 10, body: 'hello', state: 'pending' });
        },
      },
      () => (replaced ? { kind: 'replaced' } : null),
    );
    const io = await cli(['send', '--profile', dir, '--to', 'bob', 'hello']);
    expect(io.code).toBe(1);
    expect(problems(io.err)).toEqual([
      'parley send: The message to Bob was not delivered: This profile was restored on another device, which took over this conversation.',
    ]);
    expect(io.out).toBe('');
  });

  it('delivered, held and still waiting each print one line and exit 0', async () => {
    const outcomes: [MessageView['state'], string | null, string][] = [
      ['delivered', null, 'Delivered to Bob.\n'],
      [
        'held',
        '12D3KooWLRHmaCarolDevice',
        'Bob is offline: Carol holds the message until Bob is back online.\n',
      ],
      [
        'pending',
        null,
        'Not delivered yet: Bob cannot be reached now. The node keeps trying; see `parley messages --with Bob`.\n',
      ],
    ];
    for (const [final, heldBy, line] of outcomes) {
      const dir = join(root, `send-${final}`);
      await nodeWith(dir, () => [messageView({ id: 11, body: 'hi', state: final, heldBy })], {
        'messages.send': () => messageView({ id: 11, body: 'hi', state: 'pending' }),
      });
      const io = await cli(['send', '--profile', dir, '--to', 'bob', '--wait', '1', 'hi']);
      expect(io.code, io.err).toBe(0);
      expect(io.out).toBe(line);
    }
  });

  it('--wait 0 queues and returns at once', async () => {
    const dir = join(root, 'send-nowait');
    const node = await nodeWith(dir, () => [], {
      'messages.send': () => messageView({ id: 12, body: 'hi', state: 'pending' }),
    });
    const io = await cli(['send', '--profile', dir, '--to', 'bob', '--wait', '0', 'hi']);
    expect(io.code, io.err).toBe(0);
    expect(io.out).toBe('Queued for Bob.\n');
    expect(node.calls.map((c) => c.name)).not.toContain('messages.page');
    expect((await cli(['send', '--profile', dir, '--to', 'bob', '--wait', 'soon', 'hi'])).code).toBe(2);
  });
});

describe('commands that need a node name the folder they looked in', () => {
  it.each([['status'], ['contacts'], ['messages', '--with', 'bob']])('%s', async (...argv) => {
    const dir = join(root, 'no-node-here');
    const io = await cli([...argv, '--profile', dir]);
    expect(io.code).toBe(1);
    expect(problems(io.err)).toEqual([
      `parley ${argv[0]}: No parley node is running for the profile in ${resolve(dir)}; start one with \`parley node --profile ${resolve(dir)}\`.`,
    ]);
  });
});

describe('parley restore into a folder that holds a profile', () => {
  it('says how to replace it (--replace), before asking for any password', async () => {
    const archive = join(root, 'some.parley-backup');
    writeFileSync(archive, 'not really an archive');
    const io = await cli(['restore', '--profile', profile, '--in', archive], {});
    expect(io.code).toBe(1);
    expect(problems(io.err)).toEqual([
      `parley restore: A profile already exists in ${profile}. To replace it, run the command again with --replace (the profile there is kept in ${profile}/before-restore-<time>/).`,
    ]);
  });
});

describe('parley search', () => {
  it('an invalid date is an error: exit 2, the reason, and no results', async () => {
    const io = await cli(['search', '--profile', profile, 'hello', 'before:2026-13-45']);
    expect(io.code).toBe(2);
    expect(io.out).toBe('');
    expect(problems(io.err)).toEqual([
      'parley search: Unknown date "2026-13-45" in before: (use YYYY-MM-DD, today or yesterday).',
      'Run "parley search --help" for usage.',
    ]);
  });

  it('goes through the running node instead of stopping at "already open"', async () => {
    const dir = join(root, 'search-node');
    const hit = {
      messageId: 3,
      conversationId: 7,
      conversationName: 'Bob',
      senderName: 'Bob',
      outgoing: false,
      sentAt: new Date(2026, 11, 5, 18, 6).getTime(),
      snippet: 'lunch at noon?',
      highlights: [[0, 5]],
      position: { conversationId: 7, messageId: 3, sentAt: 0 },
    };
    const node = await nodeWith(dir, () => [], {
      'search.query': () => ({ hits: [hit], problems: [] }),
    });
    // No passphrase: the node has the profile open.
    const io = await cli(['search', '--profile', dir, 'lunch'], {});
    expect(io.code, io.err).toBe(0);
    expect(io.out).toBe('2026-12-05 18:06  Bob  Bob: [lunch] at noon?\n');
    expect(node.calls).toContainEqual({ name: 'search.query', params: { text: 'lunch' } });
  });
});

describe('backup and restore wording', () => {
  it('progress in words, "1 file" not "1 files"', async () => {
    const out = join(root, 'words.parley-backup');
    const backup = await cli(['backup', '--profile', profile, '--out', out]);
    expect(backup.code, backup.err).toBe(0);
    expect(backup.err).not.toMatch(/: (snapshot|writing|verifying|restoring)\b/);
    expect(problems(backup.err)[0]).toMatch(/^parley backup: Copying the database/);
    const all = [backup.out];
    const verify = await cli(['backup', 'verify', '--in', out]);
    all.push(verify.out);
    const target = join(root, 'words-restored');
    const restore = await cli(['restore', '--in', out, '--profile', target]);
    expect(restore.code, restore.err).toBe(0);
    expect(problems(restore.err)[0]).toMatch(/^parley restore: Decrypting and restoring the archive/);
    all.push(restore.out);
    for (const text of all) {
      expect(text).not.toMatch(/\b1 files\b/);
      expect(text).toMatch(/\b(1 file|\d+ files)\b/);
    }
  });
});

describe('one wording for problems, whichever command', () => {
  it('every problem reads "parley COMMAND: Sentence." with a capital and a full stop', async () => {
    const missing = join(root, 'missing');
    const runs = [
      await cli(['init', '--profile', profile, '--name', 'Ada']),
      await cli(['init', '--profile', join(root, 'np'), '--name', 'X'], {}),
      await cli(['search', '--profile', missing, 'x']),
      await cli(['search', '--profile', profile, 'x'], { PARLEY_PASSPHRASE: 'not the passphrase' }),
      await cli(['backup', '--profile', missing, '--out', join(root, 'none.parley-backup')]),
      await cli(['backup', 'verify', '--in', join(root, 'absent.parley-backup')]),
      await cli(['restore', '--profile', join(root, 'r2'), '--in', join(root, 'absent.parley-backup')]),
      await cli(['node', '--profile', missing]),
      await cli(['status', '--profile', missing]),
      await cli(['messages', '--profile', missing, '--with', 'x', '--limit', '0']),
      await cli(['frobnicate']),
      await cli(['contacts', '--profile', missing, 'extra']),
    ];
    for (const run of runs) {
      expect(run.code).not.toBe(0);
      const lines = problems(run.err);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        if (line.startsWith('Run "parley')) continue;
        expect(line).toMatch(/^parley( [a-z]+)?: (?:[A-Z"`]|--).*[.!?…]$/);
      }
    }
  });
});
