import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../core/core';
import { runCli } from '../cli';
import { cliCoreOptions } from '../coreOptions';
import type { CliIo } from '../io';
import { bracketed } from './search';
import { recordingIo, type FakeIo } from '../testing/fakeIo';

const PASSPHRASE = 'correct horse battery';

const fakeIo = (
  env: Record<string, string> = { PARLEY_PASSPHRASE: PASSPHRASE },
  extra: Partial<CliIo> = {},
): FakeIo => recordingIo(env, extra);

let root: string;
let profile: string;
const at = (d: number, h: number): number => new Date(2024, 2, d, h, 5).getTime();

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'parley-cli-search-'));
  profile = join(root, 'p');
  expect(await runCli(['init', '--profile', profile, '--name', 'Ada'], fakeIo())).toBe(0);
  // Fill the profile the way the messaging layer will: through the core's own database.
  const core = createCore(cliCoreOptions(profile, 'cli', fakeIo()));
  try {
    const reply = await core.dispatch('profile.unlock', { passphrase: PASSPHRASE });
    expect(reply.ok).toBe(true);
    const db = core.profile.database();
    const me = (db.prepare('SELECT public_key AS k FROM identity').get() as { k: Buffer }).k;
    const bob = Buffer.alloc(32, 2);
    db.prepare(
      `INSERT INTO contacts (id, identity_key, display_name, created_at, updated_at) VALUES (1, ?, 'Bob', 0, 0)`,
    ).run(bob);
    db.prepare(
      `INSERT INTO conversations (id, kind, name, contact_id, created_at, last_activity_at)
       VALUES (1, 'dm', NULL, 1, 0, 0), (2, 'group', 'Team Rocket', NULL, 0, 0)`,
    ).run();
    const insert = db.prepare(
      `INSERT INTO messages (conversation_id, uid, sender_key, outgoing, body, sent_at, received_at, state)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'received')`,
    );
    insert.run(1, 'm1', bob, 0, 'Café au lait tomorrow?', at(1, 9), at(1, 9));
    insert.run(1, 'm2', me, 1, 'Yes, the cafe on Main St', at(1, 10), at(1, 10));
    insert.run(2, 'm3', bob, 0, 'cafe\u001b[2J menu\nattached', at(2, 11), at(2, 11));
  } finally {
    await core.close();
  }
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('parley search', () => {
  it('prints one line per message with the matched words in brackets', async () => {
    const io = fakeIo();
    expect(await runCli(['search', '--profile', profile, 'cafe', 'lait'], io)).toBe(0);
    expect(io.out).toBe('2024-03-01 09:05  Bob  Bob: [Café] au [lait] tomorrow?\n');
  });

  it('accepts filters and, after --, excluded words', async () => {
    const io = fakeIo();
    expect(await runCli(['search', '--profile', profile, '--', 'cafe', '-lait', 'from:me'], io)).toBe(0);
    expect(io.out).toBe('2024-03-01 10:05  Bob  Ada: Yes, the [cafe] on Main St\n');
  });

  it('never writes control characters from a message to the terminal', async () => {
    const io = fakeIo();
    expect(await runCli(['search', '--profile', profile, 'menu', 'in:rocket'], io)).toBe(0);
    expect(io.out).toBe('2024-03-02 11:05  Team Rocket  Bob: cafe [2J [menu] attached\n');
  });

  it('prints JSON with --json', async () => {
    const io = fakeIo();
    expect(await runCli(['search', '--profile', profile, '--json', '--limit', '1', 'cafe'], io)).toBe(0);
    const result = JSON.parse(io.out) as { hits: Array<Record<string, unknown>>; problems: string[] };
    expect(result.problems).toEqual([]);
    expect(result.hits).toHaveLength(1);
    expect(Object.keys(result.hits[0] ?? {}).sort()).toEqual(
      [
        'conversationId',
        'conversationName',
        'highlights',
        'messageId',
        'outgoing',
        'position',
        'senderName',
        'sentAt',
        'snippet',
      ].sort(),
    );
  });

  it('exits 0 with no hits; refuses a query it cannot run as written (exit 2, problems, no results)', async () => {
    const none = fakeIo();
    expect(await runCli(['search', '--profile', profile, 'pineapple'], none)).toBe(0);
    expect(none.out).toBe('No messages match.\n');
    const io = fakeIo();
    expect(await runCli(['search', '--profile', profile, 'cafe', 'before:tomorow'], io)).toBe(2);
    expect(io.out).toBe('');
    expect(io.err).toContain('parley search: Unknown date "tomorow" in before:');
    const json = fakeIo();
    expect(await runCli(['search', '--profile', profile, '--json', 'in:nowhere'], json)).toBe(2);
    expect(JSON.parse(json.out)).toEqual({ hits: [], problems: ['No conversation matches in:"nowhere".'] });
  });

  it('asks for the passphrase once in a terminal', async () => {
    const asked: string[] = [];
    const io = fakeIo({}, { promptSecret: async (q) => (asked.push(q), PASSPHRASE) });
    expect(await runCli(['search', '--profile', profile, 'lait'], io)).toBe(0);
    expect(asked).toEqual(['Passphrase: ']);
    expect(io.out).toContain('[lait]');
  });

  it('refuses a wrong passphrase and a missing profile with exit 1', async () => {
    const wrong = fakeIo({ PARLEY_PASSPHRASE: 'not the passphrase' });
    expect(await runCli(['search', '--profile', profile, 'cafe'], wrong)).toBe(1);
    expect(wrong.err).toContain('does not unlock');
    const none = fakeIo();
    expect(await runCli(['search', '--profile', join(root, 'nothing'), 'cafe'], none)).toBe(1);
    expect(none.err).toContain('parley init');
  });

  it.each([
    [['search', '--profile', 'x'], /QUERY is required/],
    [['search', '--profile', 'x', ''], /QUERY is required/],
    [['search', '--profile', 'x', '--limit', '0', 'a'], /--limit must be a whole number from 1 to 100/],
    [['search', '--profile', 'x', '--limit', 'many', 'a'], /--limit must be/],
    [['search', '--profile', 'x', '-lait'], /Unknown option '-l'/],
  ])('usage error %j exits 2', async (argv, message) => {
    const io = fakeIo();
    expect(await runCli(argv, io)).toBe(2);
    expect(io.err).toMatch(message);
  });

  it('documents QUERY in its help', async () => {
    const io = fakeIo();
    expect(await runCli(['search', '--help'], io)).toBe(0);
    expect(io.out).toContain('Usage: parley search [--profile DIR] [--limit N] [--json] QUERY...');
    expect(io.out).toMatch(/Arguments:\n {2}QUERY\s+what to search for/);
    expect(io.out).toContain('from:NAME');
  });
});

describe('bracketed', () => {
  it('brackets each highlight and ignores ranges out of bounds or overlapping', () => {
    expect(bracketed({ snippet: 'a bc d', highlights: [[2, 4]] })).toBe('a [bc] d');
    expect(
      bracketed({
        snippet: 'abcdef',
        highlights: [
          [4, 5],
          [0, 1],
          [0, 2],
          [5, 99],
        ],
      }),
    ).toBe('[a]bcd[e]f');
  });
});
