import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { launchPaths, parseArgs } from './args';

const CWD = resolve('/home/ada/work');

describe('parseArgs', () => {
  it('uses the default profile when no --profile is given', () => {
    expect(parseArgs([], CWD)).toEqual({ ok: true, args: {} });
    expect(parseArgs(['.', '--no-sandbox', '--inspect=9229'], CWD)).toEqual({ ok: true, args: {} });
  });

  it.each([
    [['--profile', '/tmp/p1'], resolve('/tmp/p1')],
    [['--profile=/tmp/p1'], resolve('/tmp/p1')],
    [['.', '--profile', 'rel/dir', '--no-sandbox'], join(CWD, 'rel', 'dir')],
    [['--profile', '/tmp/a/../b/'], resolve('/tmp/b')],
    [['--profile=--odd-name'], join(CWD, '--odd-name')],
  ])('reads %j as an absolute folder', (argv, expected) => {
    expect(parseArgs(argv, CWD)).toEqual({ ok: true, args: { profileDir: expected } });
  });

  it.each([
    [['--profile']],
    [['--profile', '--no-sandbox']],
    [['--profile=']],
    [['--profile', '  ']],
    [['--profile', '/a', '--profile', '/b']],
  ])('rejects %j with a message', (argv) => {
    const result = parseArgs(argv, CWD);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/--profile/);
  });

  it('ignores look-alike switches', () => {
    expect(parseArgs(['--profiles', '/x', '--profile-dir=/y'], CWD)).toEqual({ ok: true, args: {} });
  });
});

describe('launchPaths', () => {
  const appData = resolve('/home/ada/.config');

  it('keeps the default profile inside <appData>/Parley, where `parley web` looks too', () => {
    expect(launchPaths({}, appData)).toEqual({
      userData: join(appData, 'Parley'),
      profileDir: join(appData, 'Parley', 'profile'),
    });
  });

  it('gives each --profile its own userData, so the single-instance lock is per profile', () => {
    const a = launchPaths({ profileDir: resolve('/tmp/a') }, appData);
    const b = launchPaths({ profileDir: resolve('/tmp/b') }, appData);
    expect(a.profileDir).toBe(resolve('/tmp/a'));
    expect(a.userData.startsWith(join(appData, 'Parley', 'instances'))).toBe(true);
    expect(a.userData).not.toBe(b.userData);
    expect(a.userData).not.toBe(launchPaths({}, appData).userData);
    expect(launchPaths({ profileDir: resolve('/tmp/a') }, appData)).toEqual(a);
  });
});
