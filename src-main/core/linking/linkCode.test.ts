import { randomBytes } from 'node:crypto';
import { multiaddr } from '@multiformats/multiaddr';
import { describe, expect, it } from 'vitest';
import {
  decodeLinkCode,
  encodeLinkCode,
  LINK_CODE_TTL_MS,
  LINK_PREFIX,
  linkCodeBytes,
  linkIdOf,
  type LinkCode,
} from './linkCode';

const peerId = '12D3KooWGzh4Vq3F3bmrqPZzvWR6GXxW7LcGZRRsdUqXJmYo4rwL';
const now = 1_800_000_000_000;
const code: LinkCode = {
  secret: new Uint8Array(randomBytes(32)),
  expiresAt: now + LINK_CODE_TTL_MS,
  identityKey: new Uint8Array(32).fill(7),
  peerId,
  addresses: [`/ip4/127.0.0.1/tcp/4001/p2p/${peerId}`, `/ip6/::1/tcp/4002/p2p/${peerId}`],
};

/** The code's bytes, changed by `edit`, as a hostile or damaged text would carry them. */
function forged(edit: (bytes: Uint8Array) => Uint8Array): string {
  return LINK_PREFIX + Buffer.from(edit(linkCodeBytes(code))).toString('base64url');
}

function problemOf(text: string, at = now): string | undefined {
  const decoded = decodeLinkCode(text, at);
  return decoded.ok ? undefined : decoded.problem;
}

describe('link codes (docs/protocol.md §13.5)', () => {
  it('round-trip, with whitespace and line breaks a mail client adds', () => {
    const text = encodeLinkCode(code);
    const wrapped = `  ${text.slice(0, 60)}\n${text.slice(60)}\r\n`;
    const decoded = decodeLinkCode(wrapped, now);
    expect(decoded.ok && decoded.code).toEqual(code);
    expect(decoded.ok && decoded.bytes).toEqual(linkCodeBytes(code));
  });

  it('stay short enough for a QR code (about 290 characters with four addresses)', () => {
    const four = [
      '/ip4/192.168.100.200/tcp/40001',
      '/ip4/10.0.0.1/tcp/4001',
      '/ip6/::1/tcp/4001',
      '/ip4/127.0.0.1/tcp/1',
    ];
    const text = encodeLinkCode({ ...code, addresses: four.map((a) => `${a}/p2p/${peerId}`) });
    expect(text.length).toBeLessThan(300);
  });

  it('keep at most 4 addresses and drop what is not a multiaddr', () => {
    const many = Array.from({ length: 8 }, (_, n) => `/ip4/10.0.0.${n}/tcp/1`);
    const decoded = decodeLinkCode(encodeLinkCode({ ...code, addresses: ['junk', ...many] }), now);
    expect(decoded.ok && decoded.code.addresses).toEqual(many.slice(0, 4).map((a) => `${a}/p2p/${peerId}`));
  });

  it('expire at expires_at, and a far-future expiry is refused as forged', () => {
    const text = encodeLinkCode(code);
    expect(problemOf(text, code.expiresAt - 1)).toBeUndefined();
    expect(problemOf(text, code.expiresAt)).toBe('expired');
    expect(problemOf(encodeLinkCode({ ...code, expiresAt: now + 24 * 3600_000 }))).toBe('malformed');
  });

  it('name the attempt by an id derived from the secret, never the secret itself', () => {
    const id = linkIdOf(code.secret);
    expect(id.length).toBe(16);
    expect(linkIdOf(code.secret)).toEqual(id);
    expect(linkIdOf(new Uint8Array(randomBytes(32)))).not.toEqual(id);
    expect(Buffer.from(code.secret).includes(Buffer.from(id))).toBe(false);
  });

  it('refuse what is not a link code, and say so apart from a damaged one', () => {
    expect(problemOf('')).toBe('not-a-link-code');
    expect(problemOf('parley://invite/AQID')).toBe('not-a-link-code');
    expect(problemOf('https://example.com/')).toBe('not-a-link-code');
    expect(problemOf(`${LINK_PREFIX}`)).toBe('malformed');
    expect(problemOf(`${LINK_PREFIX}AAA$$`)).toBe('malformed');
    expect(problemOf(`${LINK_PREFIX}${'A'.repeat(5000)}`)).toBe('malformed');
    expect(problemOf(`${LINK_PREFIX}😀`)).toBe('malformed');
  });

  it('refuse every broken layout: one vector per rule', () => {
    const peerAt = 1 + 32 + 8 + 32;
    const vectors: [string, (b: Uint8Array) => Uint8Array, string][] = [
      ['a newer version', (b) => Uint8Array.of(2, ...b.slice(1)), 'unsupported-version'],
      ['version 0', (b) => Uint8Array.of(0, ...b.slice(1)), 'unsupported-version'],
      ['truncated in the secret', (b) => b.slice(0, 20), 'malformed'],
      ['truncated in the identity key', (b) => b.slice(0, 50), 'malformed'],
      ['truncated in the PeerId', (b) => b.slice(0, peerAt + 10), 'malformed'],
      ['truncated in an address', (b) => b.slice(0, b.length - 3), 'malformed'],
      ['a trailing byte', (b) => Uint8Array.of(...b, 0), 'malformed'],
      ['an empty PeerId', (b) => Uint8Array.of(...b.slice(0, peerAt), 0, 0), 'malformed'],
      [
        'a PeerId that is not UTF-8',
        (b) => Uint8Array.of(...b.slice(0, peerAt), 2, 0xff, 0xfe, 0),
        'malformed',
      ],
      [
        'five addresses',
        (b) => {
          const countAt = peerAt + 1 + (b[peerAt] ?? 0);
          const one = Uint8Array.of(8, 0x04, 10, 0, 0, 1, 0x06, 0x0f, 0xa1);
          const out = [...b.slice(0, countAt), 5];
          for (let i = 0; i < 5; i++) out.push(...one);
          return Uint8Array.from(out);
        },
        'malformed',
      ],
      [
        'an address that is not a multiaddr',
        (b) => {
          const countAt = peerAt + 1 + (b[peerAt] ?? 0);
          return Uint8Array.of(...b.slice(0, countAt), 1, 3, 0xff, 0xff, 0xff);
        },
        'malformed',
      ],
      [
        'an empty address',
        (b) => {
          const countAt = peerAt + 1 + (b[peerAt] ?? 0);
          return Uint8Array.of(...b.slice(0, countAt), 1, 0);
        },
        'malformed',
      ],
      [
        'an expiry beyond 2^53',
        (b) => {
          const out = b.slice();
          out.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 1 + 32);
          return out;
        },
        'malformed',
      ],
    ];
    for (const [what, edit, problem] of vectors) expect(problemOf(forged(edit)), what).toBe(problem);
  });

  it('refuse an address that names another peer than the device behind the code', () => {
    const other = '12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5STiGwxBhgFRcw3UERE';
    const withAddresses = (...addresses: Uint8Array[]): string => {
      const head = linkCodeBytes({ ...code, addresses: [] });
      const out = [...head.slice(0, head.length - 1), addresses.length];
      for (const a of addresses) out.push(a.length, ...a);
      return LINK_PREFIX + Buffer.from(Uint8Array.from(out)).toString('base64url');
    };
    expect(problemOf(withAddresses(multiaddr('/ip4/10.0.0.1/tcp/1').bytes))).toBeUndefined();
    expect(problemOf(withAddresses(multiaddr(`/ip4/10.0.0.1/tcp/1/p2p/${other}`).bytes))).toBe('malformed');
    expect(problemOf(withAddresses(multiaddr(`/ip4/10.0.0.1/tcp/1/p2p/${peerId}`).bytes))).toBe('malformed');
    // A relay's PeerId just before the final /p2p-circuit is allowed (docs/protocol.md §14).
    const relayed = multiaddr(`/ip4/198.51.100.7/tcp/4001/p2p/${other}/p2p-circuit`).bytes;
    const decoded = decodeLinkCode(withAddresses(relayed), now);
    expect(decoded.ok && decoded.code.addresses).toEqual([
      `/ip4/198.51.100.7/tcp/4001/p2p/${other}/p2p-circuit/p2p/${peerId}`,
    ]);
  });

  it('refuse to encode what no decoder would accept', () => {
    expect(() => encodeLinkCode({ ...code, secret: new Uint8Array(16) })).toThrow(/32 bytes/);
    expect(() => encodeLinkCode({ ...code, identityKey: new Uint8Array(31) })).toThrow(/32 bytes/);
    expect(() => encodeLinkCode({ ...code, peerId: '' })).toThrow(/PeerId/);
    expect(() => encodeLinkCode({ ...code, expiresAt: -1 })).toThrow(/expiry/);
  });
});
