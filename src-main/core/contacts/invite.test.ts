import { multiaddr } from '@multiformats/multiaddr';
import { describe, expect, it } from 'vitest';
import { decodeInvite, encodeInvite, INVITE_PREFIX, sealKeyHash, type Invite } from './invite';

const peerId = '12D3KooWGzh4Vq3F3bmrqPZzvWR6GXxW7LcGZRRsdUqXJmYo4rwL';
const invite: Invite = {
  peerId,
  addresses: [`/ip4/127.0.0.1/tcp/4001/p2p/${peerId}`, `/ip4/192.168.1.20/tcp/4001/p2p/${peerId}`],
  identityKey: new Uint8Array(32).fill(7),
  sealKeyHash: sealKeyHash(new Uint8Array(1216).fill(8)),
  displayName: 'Ada',
  token: new Uint8Array(16).fill(9),
};

/** A version 1 invite as builds before the short format made them (JSON with the whole seal key). */
function legacyInvite(): string {
  const json = {
    v: 1,
    peerId,
    addresses: invite.addresses,
    identityKey: Buffer.from(invite.identityKey).toString('base64url'),
    sealPublicKey: Buffer.alloc(1216, 8).toString('base64url'),
    displayName: 'Ada',
    token: Buffer.alloc(32, 9).toString('base64url'),
  };
  return INVITE_PREFIX + Buffer.from(JSON.stringify(json)).toString('base64url');
}

describe('invite links', () => {
  it('round-trip, surrounded by whitespace', () => {
    const text = encodeInvite(invite);
    expect(text.startsWith(INVITE_PREFIX)).toBe(true);
    expect(decodeInvite(`  ${text}\n`)).toEqual(invite);
  });

  it('are short enough for a QR code a phone reads off a screen', () => {
    // Version 1 was ≈ 2 KB (the 1,216-byte seal key); a QR code of 300 characters stays coarse.
    expect(legacyInvite().length).toBeGreaterThan(1900);
    const text = encodeInvite({ ...invite, displayName: 'A'.repeat(300) });
    expect(text.length).toBeLessThan(350);
    // The name is cut to 64 UTF-8 bytes without splitting a character.
    expect(decodeInvite(encodeInvite({ ...invite, displayName: 'é'.repeat(40) }))?.displayName).toBe(
      'é'.repeat(32),
    );
  });

  it('keep at most 4 addresses and drop what is not a multiaddr', () => {
    const many = Array.from({ length: 8 }, (_, n) => `/ip4/10.0.0.${n}/tcp/1`);
    const decoded = decodeInvite(encodeInvite({ ...invite, addresses: ['junk', ...many] }));
    expect(decoded?.addresses).toEqual(many.slice(0, 4).map((a) => `${a}/p2p/${peerId}`));
  });

  it('carry a relayed address (issue 19), and refuse one that names another peer or the inviter as relay', () => {
    const relay = '12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5STiGwxBhgFRcw3UERE';
    const relayed = `/ip4/198.51.100.7/tcp/4001/p2p/${relay}/p2p-circuit/p2p/${peerId}`;
    const decoded = decodeInvite(encodeInvite({ ...invite, addresses: [relayed] }));
    expect(decoded?.addresses).toEqual([relayed]);
    // Forged invites: the bytes are built by hand, as a hostile writer would.
    const forged = (address: string) => {
      const text = encodeInvite({ ...invite, addresses: ['/ip4/10.0.0.1/tcp/1'] });
      const bytes = Buffer.from(text.slice(INVITE_PREFIX.length), 'base64url');
      const ma = Buffer.from(multiaddr(address).bytes);
      const at = bytes.length - 1 - 8; // the one address: u8 length then 8 bytes (/ip4/…/tcp/1)
      const out = Buffer.concat([bytes.subarray(0, at), Buffer.from([ma.length]), ma]);
      return INVITE_PREFIX + out.toString('base64url');
    };
    expect(decodeInvite(forged('/ip4/10.0.0.1/tcp/1'))?.addresses).toEqual([
      `/ip4/10.0.0.1/tcp/1/p2p/${peerId}`,
    ]);
    expect(decodeInvite(forged(`/ip4/10.0.0.1/tcp/1/p2p/${relay}`))).toBeNull();
    expect(decodeInvite(forged(`/ip4/10.0.0.1/tcp/1/p2p/${peerId}/p2p-circuit`))).toBeNull();
    expect(decodeInvite(forged(`/ip4/10.0.0.1/tcp/1/p2p-circuit`))).toBeNull();
  });

  it('refuse old (version 1) invites and anything else', () => {
    expect(decodeInvite(legacyInvite())).toBeNull();
    expect(decodeInvite('https://example.com')).toBeNull();
    expect(decodeInvite(`${INVITE_PREFIX}!!!`)).toBeNull();
    expect(decodeInvite(INVITE_PREFIX + Buffer.from('{"v":2}').toString('base64url'))).toBeNull();
    expect(decodeInvite(INVITE_PREFIX + 'A'.repeat(9000))).toBeNull();
    expect(() => encodeInvite({ ...invite, identityKey: new Uint8Array(31) })).toThrow(RangeError);
    expect(() => encodeInvite({ ...invite, token: new Uint8Array(8) })).toThrow(RangeError);
  });

  it('refuse truncated, extended or bit-flipped structure', () => {
    const bytes = Buffer.from(encodeInvite(invite).slice(INVITE_PREFIX.length), 'base64url');
    const as = (b: Buffer): string => INVITE_PREFIX + b.toString('base64url');
    for (let cut = 1; cut < bytes.length; cut += 7)
      expect(decodeInvite(as(bytes.subarray(0, cut)))).toBeNull();
    expect(decodeInvite(as(Buffer.concat([bytes, Buffer.of(0)])))).toBeNull();
    const badVersion = Buffer.from(bytes);
    badVersion[0] = 3;
    expect(decodeInvite(as(badVersion))).toBeNull();
    const badToken = Buffer.from(bytes);
    badToken[65] = 8; // token length below 16
    expect(decodeInvite(as(badToken))).toBeNull();
  });
});
