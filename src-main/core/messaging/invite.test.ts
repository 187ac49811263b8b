import { describe, expect, it } from 'vitest';
import { decodeInvite, encodeInvite, INVITE_PREFIX, type Invite } from './invite';

const invite: Invite = {
  peerId: '12D3KooWexample',
  addresses: ['/ip4/127.0.0.1/tcp/4001'],
  identityKey: new Uint8Array(32).fill(7),
  sealPublicKey: new Uint8Array(1216).fill(8),
  displayName: 'Ada',
  token: new Uint8Array(32).fill(9),
};

describe('invite links', () => {
  it('round-trip', () => {
    const text = encodeInvite(invite);
    expect(text.startsWith(INVITE_PREFIX)).toBe(true);
    expect(decodeInvite(`  ${text}\n`)).toEqual(invite);
  });

  it('refuse anything else', () => {
    expect(decodeInvite('https://example.com')).toBeNull();
    expect(decodeInvite(`${INVITE_PREFIX}!!!`)).toBeNull();
    expect(decodeInvite(INVITE_PREFIX + Buffer.from('{"v":2}').toString('base64url'))).toBeNull();
    expect(decodeInvite(encodeInvite({ ...invite, identityKey: new Uint8Array(31) }))).toBeNull();
    expect(decodeInvite(encodeInvite({ ...invite, token: new Uint8Array(8) }))).toBeNull();
    expect(decodeInvite(INVITE_PREFIX + 'A'.repeat(9000))).toBeNull();
  });
});
