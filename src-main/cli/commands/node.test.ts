import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRequestName } from '../../../src-shared/contract';
import { runCli } from '../cli';
import { noNodeMessage } from '../control/nodeSession';
import { controlSocketPath } from '../control/controlServer';
import type { CliIo } from '../io';
import { startCliNode, until } from '../testing/cliNode';
import { recordingIo, type FakeIo } from '../testing/fakeIo';

const PASSPHRASE = 'correct horse battery';
const unix = process.platform !== 'win32';

const fakeIo = (extra: Partial<CliIo> = {}): FakeIo => recordingIo({ PARLEY_PASSPHRASE: PASSPHRASE }, extra);

/** `parley node` in this process; `stop()` plays the part of SIGINT. */
const startNode = (profile: string): ReturnType<typeof startCliNode> => startCliNode(profile, fakeIo);

async function cli(argv: string[]): Promise<FakeIo & { code: number }> {
  const io = fakeIo();
  const code = await runCli(argv, io);
  return Object.assign(io, { code });
}

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'parley-node-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('commands that talk to a running node', () => {
  it.each([
    [['send', '--profile', 'x', 'hi'], /--to is required/],
    [['send', '--profile', 'x', '--to', 'ada'], /Give a TEXT to send, or --file PATH/],
    [['send', '--profile', 'x', '--to', ' ', 'hi'], /--to needs a contact name/],
    [['messages', '--profile', 'x'], /--with is required/],
    [['messages', '--profile', 'x', '--with', 'ada', '--limit', '0'], /--limit must be a whole number/],
    [['accept', '--profile', 'x'], /INVITE is required/],
    [['contacts', '--profile', 'x', 'extra'], /Unexpected argument/],
    [['node', '--profile', 'x', '--listen', 'localhost:4001'], /--listen must be a multiaddr/],
    [['node', '--profile', 'x', '--public', '203.0.113.7:4001'], /--public must be a multiaddr/],
  ])('usage error %j exits 2', async (argv, message) => {
    const io = await cli(argv);
    expect(io.code).toBe(2);
    expect(io.err).toMatch(message);
  });

  it.each([
    [['status']],
    [['status', '--json']],
    [['invite']],
    [['accept', 'parley://invite/abc']],
    [['contacts']],
    [['send', '--to', 'ada', 'hello']],
    [['messages', '--with', 'ada']],
  ])('%j without a running node exits 1 with a clear message', async (argv) => {
    const profile = join(root, 'nobody');
    const io = await cli([...argv, '--profile', profile]);
    expect(io.code).toBe(1);
    expect(io.err).toBe(`parley ${argv[0]}: ${noNodeMessage(profile)}\n`);
    expect(io.out).toBe('');
    // These commands never open (or create) the profile themselves.
    expect(existsSync(profile)).toBe(false);
  });

  it('documents the commands in help', async () => {
    const main = await cli(['--help']);
    for (const name of ['node', 'status', 'invite', 'accept', 'contacts', 'send', 'messages']) {
      expect(main.out).toMatch(new RegExp(`\\n  ${name}\\s+\\S`));
    }
    expect(main.out).toContain('PARLEY_LISTEN');
    const node = await cli(['node', '--help']);
    expect(node.out).toContain('Usage: parley node [--profile DIR] [--listen MULTIADDR] [--mdns]');
    expect(node.out).toContain('never contain message content or keys');
    const send = await cli(['send', '--help']);
    expect(send.out).toContain(
      'Usage: parley send [--profile DIR] --to CONTACT [--file PATH] [--wait SECONDS] [TEXT...]',
    );
    const web = await cli(['web', '--help']);
    expect(web.out).toContain('PARLEY_LISTEN');
  });

  it('parley node refuses a missing profile', async () => {
    const io = await cli(['node', '--profile', join(root, 'missing')]);
    expect(io.code).toBe(1);
    expect(io.err).toContain('parley init');
  });
});

describe('parley node', () => {
  it('serves status over an owner-only socket and cleans up on stop', async () => {
    const profile = join(root, 'solo');
    expect((await cli(['init', '--profile', profile, '--name', 'Solo'])).code).toBe(0);
    const node = await startNode(profile);
    try {
      const socket = controlSocketPath(profile);
      if (unix) expect(statSync(socket).mode & 0o777).toBe(0o600);
      const status = await cli(['status', '--profile', profile]);
      expect(status.code).toBe(0);
      expect(status.out).toContain('(unlocked as Solo)');
      const json = await cli(['status', '--profile', profile, '--json']);
      expect(JSON.parse(json.out)).toMatchObject({ profile: { state: 'unlocked', displayName: 'Solo' } });
      // A second node on the same profile is refused (the profile lock), and the first keeps running.
      const second = await cli(['node', '--profile', profile, '--listen', '/ip4/127.0.0.1/tcp/0']);
      expect(second.code).toBe(1);
      expect((await cli(['status', '--profile', profile])).code).toBe(0);
    } finally {
      expect(await node.stop()).toBe(0);
    }
    if (unix) expect(existsSync(controlSocketPath(profile))).toBe(false);
    expect((await cli(['status', '--profile', profile])).err).toContain(noNodeMessage(profile));
  });

  const ready = isRequestName('messages.send') && isRequestName('contacts.createInvite');
  it.skipIf(!ready)(
    'two nodes: invite, accept, send and read a message end to end (needs the core network requests)',
    async () => {
      const a = join(root, 'a');
      const b = join(root, 'b');
      expect((await cli(['init', '--profile', a, '--name', 'Ada'])).code).toBe(0);
      expect((await cli(['init', '--profile', b, '--name', 'Bob'])).code).toBe(0);
      const nodeA = await startNode(a);
      const nodeB = await startNode(b);
      try {
        expect(nodeA.io.out).toMatch(/PeerId: \S+/);
        expect(nodeA.io.out).toContain('/ip4/127.0.0.1/tcp/');

        const invite = await cli(['invite', '--profile', a]);
        expect(invite.code, invite.err).toBe(0);
        const link = invite.out.trim();
        expect(link).toMatch(/^parley:\/\/invite\//);

        const accepted = await cli(['accept', '--profile', b, link]);
        expect(accepted.code, accepted.err).toBe(0);
        expect(accepted.out).toContain('Added Ada as a contact.');

        await until(
          async () => (await cli(['contacts', '--profile', a])).out.includes('Bob'),
          20_000,
          'Bob on A',
        );
        const contactsJson = await cli(['contacts', '--profile', b, '--json']);
        expect(JSON.parse(contactsJson.out)).toMatchObject([{ name: 'Ada' }]);

        const sent = await cli(['send', '--profile', b, '--to', 'ad', 'hello', 'from', 'Bob']);
        expect(sent.code, sent.err).toBe(0);
        // It says what became of the message (issue #17 item 22), and `messages` shows it on the sender's side.
        expect(sent.out).toBe('Delivered to Ada.\n');
        expect((await cli(['messages', '--profile', b, '--with', 'ada'])).out).toMatch(
          /Bob: hello from Bob \((delivered|read)\)\n$/,
        );
        // Search goes through the running node, which holds the profile (no "already open").
        const found = await cli(['search', '--profile', b, 'hello']);
        expect(found.code, found.err).toBe(0);
        expect(found.out).toMatch(/Bob: \[hello\] from Bob/);

        await until(
          async () =>
            (await cli(['messages', '--profile', a, '--with', 'BOB'])).out.includes('Bob: hello from Bob'),
          30_000,
          'the message on A',
        );
        const lines = (await cli(['messages', '--profile', a, '--with', 'bob'])).out.trim().split('\n');
        expect(lines.at(-1)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d Bob: hello from Bob$/);
        const json = await cli(['messages', '--profile', a, '--with', 'bob', '--json', '--limit', '5']);
        expect(JSON.parse(json.out)).toContainEqual(expect.objectContaining({ body: 'hello from Bob' }));

        const unknown = await cli(['send', '--profile', b, '--to', 'zed', 'hi']);
        expect(unknown.code).toBe(1);
        expect(unknown.err).toContain('No contact matches "zed". Contacts: Ada.');

        // A file by path: it arrives as a file message named after the file.
        const filePath = join(root, 'notes.txt');
        writeFileSync(filePath, 'file from Bob');
        const sentFile = await cli(['send', '--profile', b, '--to', 'ada', '--file', filePath]);
        expect(sentFile.code, sentFile.err).toBe(0);
        await until(
          async () =>
            (await cli(['messages', '--profile', a, '--with', 'bob'])).out.includes('Bob: notes.txt'),
          30_000,
          'the file on A',
        );
      } finally {
        expect(await nodeB.stop()).toBe(0);
        expect(await nodeA.stop()).toBe(0);
      }
      // The logs are for operators: no message text, no passphrase.
      for (const log of [nodeA.io.err, nodeB.io.err]) {
        expect(log).not.toContain('hello from Bob');
        expect(log).not.toContain(PASSPHRASE);
      }
    },
    90_000,
  );
});
