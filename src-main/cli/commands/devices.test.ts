import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli';
import type { CliIo } from '../io';
import { startCliNode, until } from '../testing/cliNode';
import { recordingIo, type FakeIo } from '../testing/fakeIo';
import { matchDevice } from './devices';

/**
 * `parley devices`, `parley device rename ID NAME` and `parley device remove
 * ID` (issue 18, §13.8, §13.10) against a running node, with a second device
 * linked for real (`device link-code` / `device link`, 127.0.0.1).
 */
const PASSPHRASE = 'correct horse battery';
const fakeIo = (extra: Partial<CliIo> = {}): FakeIo => recordingIo({ PARLEY_PASSPHRASE: PASSPHRASE }, extra);

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'parley-devices-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function startNode(profile: string): Promise<() => Promise<number>> {
  return (await startCliNode(profile, fakeIo)).stop;
}

interface Listed {
  peerId: string;
  shortId: string;
  name: string | null;
  thisDevice: boolean;
}

async function listed(profile: string): Promise<Listed[]> {
  const io = fakeIo();
  expect(await runCli(['devices', '--profile', profile, '--json'], io)).toBe(0);
  return JSON.parse(io.out) as Listed[];
}

describe('parley devices / device rename / device remove', () => {
  it('lists this device first, renames and removes a linked one, and refuses what it cannot do', async () => {
    const ann = join(root, 'ann');
    const laptop = join(root, 'laptop');
    expect(await runCli(['init', '--profile', ann, '--name', 'Ann'], fakeIo())).toBe(0);
    const stop = await startNode(ann);
    try {
      const alone = await listed(ann);
      expect(alone).toHaveLength(1);
      expect(alone[0]?.thisDevice).toBe(true);

      // A second device, linked for real.
      const eIo = fakeIo();
      const shown = runCli(['device', 'link-code', '--profile', ann, '--yes'], eIo);
      await until(() => eIo.out.includes('parley://link/'), 20_000, 'the code');
      const code = eIo.out.trim().split('\n')[0] ?? '';
      expect(await runCli(['device', 'link', '--profile', laptop, '--yes', code], fakeIo())).toBe(0);
      expect(await shown).toBe(0);

      const two = await listed(ann);
      expect(two.map((d) => d.thisDevice)).toEqual([true, false]);
      // The linked device runs `parley node` too (§13.6) and lists the same two, itself first.
      const stopLaptop = await startNode(laptop);
      try {
        const onLaptop = await listed(laptop);
        expect(onLaptop.map((d) => d.thisDevice)).toEqual([true, false]);
        expect(onLaptop.map((d) => d.peerId)).toEqual([two[1]?.peerId, two[0]?.peerId]);
      } finally {
        await stopLaptop();
      }
      const other = two[1] as Listed;
      const text = fakeIo();
      expect(await runCli(['devices', '--profile', ann], text)).toBe(0);
      const lines = text.out.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^\*.*this device/);
      expect(lines[1]).toContain(other.shortId);

      // Rename by short id; an empty name clears it.
      const renamed = fakeIo();
      expect(
        await runCli(['device', 'rename', '--profile', ann, other.shortId, 'Work', 'laptop'], renamed),
      ).toBe(0);
      expect(renamed.out).toMatch(/now called Work laptop/);
      expect((await listed(ann))[1]?.name).toBe('Work laptop');
      const bad = fakeIo();
      expect(await runCli(['device', 'rename', '--profile', ann, other.shortId, 'x'.repeat(41)], bad)).toBe(
        1,
      );
      expect(bad.err).toMatch(/40 characters/);

      // Ids that name nothing, or too little.
      const short = fakeIo();
      expect(await runCli(['device', 'remove', '--profile', ann, '--yes', 'abc'], short)).toBe(1);
      expect(short.err).toMatch(/too short/);
      const none = fakeIo();
      expect(await runCli(['device', 'remove', '--profile', ann, '--yes', 'zzzzzzzz'], none)).toBe(1);
      expect(none.err).toMatch(/None of your devices/);
      // This device is not removed from here.
      const self = fakeIo();
      expect(
        await runCli(['device', 'remove', '--profile', ann, '--yes', alone[0]?.shortId ?? ''], self),
      ).toBe(1);
      expect(self.err).toMatch(/That is this device/);

      // "n" removes nothing; "y" removes it.
      const no = fakeIo({ promptLine: async () => 'n' });
      expect(await runCli(['device', 'remove', '--profile', ann, other.shortId], no)).toBe(0);
      expect(no.out).toMatch(/Nothing was removed/);
      expect(await listed(ann)).toHaveLength(2);
      const questions: string[] = [];
      const yes = fakeIo({
        promptLine: async (q) => {
          questions.push(q);
          return 'y';
        },
      });
      expect(await runCli(['device', 'remove', '--profile', ann, other.shortId], yes)).toBe(0);
      expect(questions[0]).toMatch(/Remove Work laptop .*stop receiving messages/);
      expect(yes.out).toMatch(/Removed Work laptop/);
      expect((await listed(ann)).map((d) => d.peerId)).toEqual([alone[0]?.peerId]);
    } finally {
      await stop();
    }
  }, 120_000);

  it('an id that names two devices is refused, never guessed', () => {
    const d = (peerId: string) => ({
      peerId,
      shortId: peerId.slice(-8),
      name: null,
      platform: 'linux' as const,
      linkedAt: 0,
      lastSeenAt: null,
      thisDevice: false,
    });
    const both = [d('12D3KooWaaaaaaaa11112222'), d('12D3KooWbbbbbbbb11112222')];
    expect(() => matchDevice(both, '11112222')).toThrow(/names 2 of your devices/);
    expect(matchDevice(both, 'aaaa11112222').peerId).toBe(both[0]?.peerId);
    expect(matchDevice(both, '12D3KooWbbbbbbbb11112222').peerId).toBe(both[1]?.peerId);
  });

  it.each([
    [['device', 'remove'], /Give one ID/],
    [['device', 'remove', 'a', 'b'], /Give one ID/],
    [['device', 'rename', 'abcdefgh'], /Give an ID and a NAME/],
  ])('usage error %j exits 2', async (argv, message) => {
    const io = fakeIo();
    expect(await runCli(argv, io)).toBe(2);
    expect(io.err).toMatch(message);
  });
});
