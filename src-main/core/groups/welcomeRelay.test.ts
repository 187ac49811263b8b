import { describe, expect, it } from 'vitest';
import { decodeContent } from '../content/content';
import { decodeWelcomeRelay, encodeWelcomeRelay } from './welcomeRelay';

const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

describe('welcome relay', () => {
  it('round-trips, and is not chat content', () => {
    const relay = {
      to: ['12D3KooWpeer'],
      welcome: new Uint8Array([1, 2, 3]),
      ratchetTree: new Uint8Array([4]),
    };
    const encoded = encodeWelcomeRelay(relay);
    expect(decodeWelcomeRelay(encoded)).toEqual({ ...relay, to: ['12D3KooWpeer'] });
    // A Parley without group changes ignores it like any unknown content type.
    expect(decodeContent(encoded)).toBe('unknown');
  });

  it('anything else is null: chat content, damaged JSON, wrong shapes', () => {
    const good = JSON.parse(
      Buffer.from(
        encodeWelcomeRelay({ to: ['p'], welcome: new Uint8Array([1]), ratchetTree: new Uint8Array([2]) }),
      ).toString('utf8'),
    ) as Record<string, unknown>;
    const bad = [
      bytes('{"v":1,"type":"text","uid":"u","sentAt":1,"body":"group.welcome-relay"}'),
      bytes('{"v":1,"type":"group.welcome-relay",'),
      bytes(JSON.stringify({ ...good, to: [] })),
      bytes(JSON.stringify({ ...good, v: 2 })),
      bytes(JSON.stringify({ ...good, extra: true })),
      bytes(JSON.stringify({ ...good, welcome: '' })),
      new Uint8Array([0xff, 0xfe, 0x00]),
      new Uint8Array(0),
    ];
    for (const b of bad) expect(decodeWelcomeRelay(b)).toBeNull();
  });
});
