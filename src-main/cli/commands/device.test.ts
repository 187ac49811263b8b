import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli';
import type { CliIo } from '../io';
import { startCliNode, until } from '../testing/cliNode';
import { recordingIo, type FakeIo } from '../testing/fakeIo';

/**
 * `parley device link-code` and `parley device link` (issue 18, §13.5) link
 * two CLI profiles end to end on 127.0.0.1, with scripted answers: one side
 * answers the prompt, the other passes --yes.
 */
const PASSPHRASE = 'correct horse battery';
const fakeIo = (extra: Partial<CliIo> = {}): FakeIo => recordingIo({ PARLEY_PASSPHRASE: PASSPHRASE }, extra);

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'parley-device-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function startNode(profile: string): Promise<() => Promise<number>> {
  return (await startCliNode(profile, fakeIo)).stop;
}

describe('parley device', () => {
  it('links a new CLI profile to a running one; both print the same short code', async () => {
    const ann = join(root, 'ann');
    const laptop = join(root, 'laptop');
    expect(await runCli(['init', '--profile', ann, '--name', 'Ann'], fakeIo())).toBe(0);
    const stop = await startNode(ann);
    try {
      const questions: string[] = [];
      const eIo = fakeIo({
        promptLine: async (q) => {
          questions.push(q);
          return 'y';
        },
      });
      const shown = runCli(['device', 'link-code', '--profile', ann], eIo);
      await until(() => eIo.out.includes('parley://link/'), 20_000, 'the code');
      const code = eIo.out.trim().split('\n')[0] ?? '';
      const nIo = fakeIo();
      const linked = await runCli(
        ['device', 'link', '--profile', laptop, '--yes', '--name', 'Laptop', code],
        nIo,
      );
      expect(nIo.err).not.toMatch(/parley:|failed|error/i);
      expect(linked).toBe(0);
      expect(await shown).toBe(0);
      const sasOf = (out: string) => /Short code: (\d{3} \d{3})/.exec(out)?.[1];
      expect(sasOf(eIo.out)).toBeDefined();
      expect(sasOf(eIo.out)).toBe(sasOf(nIo.out));
      expect(questions).toHaveLength(1);
      expect(eIo.out).toMatch(/Linked the new device/);
      expect(nIo.out).toMatch(/now a device of the same person/);
      // The new profile exists (its header and encrypted database).
      expect(existsSync(join(laptop, 'profile.json'))).toBe(true);
      expect(existsSync(join(laptop, 'parley.db'))).toBe(true);
    } finally {
      await stop();
    }
  });

  it('"n" on the device in use links nothing and says so on both', async () => {
    const bea = join(root, 'bea');
    const other = join(root, 'other');
    expect(await runCli(['init', '--profile', bea, '--name', 'Bea'], fakeIo())).toBe(0);
    const stop = await startNode(bea);
    try {
      const eIo = fakeIo({ promptLine: async () => 'n' });
      const shown = runCli(['device', 'link-code', '--profile', bea], eIo);
      await until(() => eIo.out.includes('parley://link/'), 20_000, 'the code');
      const code = eIo.out.trim().split('\n')[0] ?? '';
      const nIo = fakeIo({ promptLine: async () => 'y' });
      expect(await runCli(['device', 'link', '--profile', other, code], nIo)).toBe(1);
      expect(await shown).toBe(1);
      expect(eIo.err).toMatch(/codes differ/);
      expect(nIo.err).toMatch(/did not match|cancelled/);
      expect(await runCli(['device', 'link', '--profile', other, '--yes', code], fakeIo())).toBe(1);
    } finally {
      await stop();
    }
  });

  it.each([
    [['device'], /link-code \| link CODE\.\.\. is required|is required/],
    [['device', 'fly'], /Use `parley device link-code`/],
    [['device', 'link'], /Give the CODE/],
    [['device', 'link-code', 'extra'], /takes no argument/],
  ])('usage error %j exits 2', async (argv, message) => {
    const io = fakeIo();
    expect(await runCli(argv, io)).toBe(2);
    expect(io.err).toMatch(message);
  });

  it('refuses a damaged code before creating anything', async () => {
    const io = fakeIo();
    const dir = join(root, 'damaged');
    expect(await runCli(['device', 'link', '--profile', dir, '--yes', 'parley://link/AAAA'], io)).toBe(1);
    expect(io.err).toMatch(/code/i);
  });
});
