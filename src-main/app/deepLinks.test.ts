import { describe, expect, it } from 'vitest';
import { inviteLink, linkFromArgv, PendingLink, protocolClient } from './deepLinks';

const INVITE = 'parley://invite/AbC-123_x.y~z%2B=';

describe('parley:// links', () => {
  it('accepts invite links only, of a sane length and alphabet', () => {
    expect(inviteLink(INVITE)).toBe(INVITE);
    expect(inviteLink('PARLEY://INVITE/abc')).toBe('parley://invite/abc');
    for (const bad of [
      'parley://settings/reset',
      'parley://invite/',
      'parley://invite/a b',
      'parley://invite/<script>',
      'https://example.org/parley://invite/x',
      `parley://invite/${'a'.repeat(5000)}`,
    ]) {
      expect(inviteLink(bad), bad).toBeNull();
    }
  });

  it('finds the link among Electron and Chromium switches in a second launch argv', () => {
    expect(
      linkFromArgv(['/opt/Parley/parley', '--no-sandbox', '--allow-file-access-from-files', INVITE]),
    ).toBe(INVITE);
    expect(linkFromArgv(['/opt/Parley/parley', '.', '--profile', '/home/a/p'])).toBeNull();
    expect(linkFromArgv(['x', 'parley://invite/first', 'parley://invite/second'])).toBe(
      'parley://invite/second',
    );
  });

  it('keeps the newest link until a loaded window takes it', () => {
    const delivered: string[] = [];
    let ready = false;
    const pending = new PendingLink((link) => {
      if (!ready) return false;
      delivered.push(link);
      return true;
    });
    pending.offer(null);
    pending.offer('parley://invite/a');
    pending.offer('parley://invite/b');
    expect(delivered).toEqual([]);
    ready = true;
    pending.flush();
    pending.flush();
    expect(delivered).toEqual(['parley://invite/b']);
    pending.offer('parley://invite/c');
    expect(delivered).toEqual(['parley://invite/b', 'parley://invite/c']);
  });

  it('registers the packaged app itself, and `electron .` with its app folder', () => {
    expect(protocolClient(true, '/opt/Parley/parley', '/opt/Parley/resources/app.asar')).toEqual({
      scheme: 'parley',
    });
    expect(protocolClient(false, '/x/node_modules/electron/dist/electron', '/home/a/parley')).toEqual({
      scheme: 'parley',
      path: '/x/node_modules/electron/dist/electron',
      args: ['/home/a/parley'],
    });
  });
});
