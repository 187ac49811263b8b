import { describe, expect, it } from 'vitest';
import { decodeContent, encodeContent, MAX_TEXT_CHARS, type Content } from './content';

const uid = 'ab'.repeat(16);
const text: Content = { v: 1, type: 'text', uid, sentAt: 5, body: 'hi <b>there</b>' };
const enc = (x: unknown) => new Uint8Array(Buffer.from(JSON.stringify(x)));

describe('application content', () => {
  it('round-trips text and profile', () => {
    expect(decodeContent(encodeContent(text))).toEqual(text);
    const profile: Content = {
      v: 1,
      type: 'profile',
      displayName: 'Ada',
      sealPublicKey: 'AAAA',
      relays: ['p1'],
    };
    expect(decodeContent(encodeContent(profile))).toEqual(profile);
  });

  it('names future types and versions unknown, so newer peers do not break older ones', () => {
    expect(decodeContent(enc({ v: 1, type: 'poll', question: 'x' }))).toBe('unknown');
    expect(decodeContent(enc({ v: 2, type: 'text', body: 'x' }))).toBe('unknown');
  });

  it('refuses malformed content', () => {
    expect(decodeContent(new Uint8Array([0xff, 0x00]))).toBeNull();
    expect(decodeContent(enc({ ...text, uid: 'nope' }))).toBeNull();
    expect(decodeContent(enc({ ...text, body: '' }))).toBeNull();
    expect(decodeContent(enc({ ...text, body: 'x'.repeat(MAX_TEXT_CHARS + 1) }))).toBeNull();
    expect(decodeContent(enc({ ...text, sentAt: -1 }))).toBeNull();
    expect(decodeContent(enc([1, 2]))).toBeNull();
    expect(
      decodeContent(enc({ v: 1, type: 'profile', displayName: 'x', sealPublicKey: '!', relays: [] })),
    ).toBeNull();
  });
});
