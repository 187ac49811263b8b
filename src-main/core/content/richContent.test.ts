import { describe, expect, it } from 'vitest';
import { CONTENT_VERSION, decodeContent, MAX_TEXT_CHARS } from './content';

/** Rich content on the wire (content.ts): what is accepted, what is refused. */

const bytes = (x: unknown) => new Uint8Array(Buffer.from(JSON.stringify(x), 'utf8'));
const uid = 'ab'.repeat(16);
const reaction = (emoji: unknown) => ({
  v: CONTENT_VERSION,
  type: 'reaction',
  targetUid: uid,
  emoji,
  on: true,
  sentAt: 1,
});

describe('rich content decoding', () => {
  it('accepts one emoji of any kind as a reaction', () => {
    for (const emoji of ['👍', '❤️', '👨‍👩‍👧', '🇫🇷', '1️⃣', '👍🏽']) {
      expect(decodeContent(bytes(reaction(emoji)))).toMatchObject({ type: 'reaction', emoji });
    }
  });

  it('refuses words, markup, whitespace and several emoji as a reaction', () => {
    for (const emoji of ['a', '1', '<img src=x onerror=alert(1)>', ' 👍', '👍👍', '', '👍'.repeat(20), 5]) {
      expect(decodeContent(bytes(reaction(emoji)))).toBeNull();
    }
  });

  it('checks edits, deletes, receipts and typing field by field', () => {
    const edit = { v: CONTENT_VERSION, type: 'edit', targetUid: uid, body: 'new', sentAt: 2 };
    expect(decodeContent(bytes(edit))).toMatchObject({ type: 'edit', body: 'new' });
    expect(decodeContent(bytes({ ...edit, body: 'x'.repeat(MAX_TEXT_CHARS + 1) }))).toBeNull();
    expect(decodeContent(bytes({ ...edit, body: '' }))).toBeNull();
    expect(decodeContent(bytes({ ...edit, targetUid: 'not-a-uid' }))).toBeNull();
    expect(decodeContent(bytes({ ...edit, mentions: ['zz'] }))).toBeNull();
    expect(
      decodeContent(bytes({ v: CONTENT_VERSION, type: 'delete', targetUid: uid, sentAt: -1 })),
    ).toBeNull();
    expect(
      decodeContent(bytes({ v: CONTENT_VERSION, type: 'receipt', upToUid: uid, readAt: 3 })),
    ).toMatchObject({
      type: 'receipt',
    });
    expect(decodeContent(bytes({ v: CONTENT_VERSION, type: 'typing', typing: 'yes' }))).toBeNull();
    expect(decodeContent(bytes({ v: CONTENT_VERSION, type: 'typing', typing: true }))).toEqual({
      v: CONTENT_VERSION,
      type: 'typing',
      typing: true,
    });
  });

  it('keeps mentions on text bounded and well formed', () => {
    const text = { v: CONTENT_VERSION, type: 'text', uid, sentAt: 1, body: '@Ada hi' };
    expect(decodeContent(bytes({ ...text, mentions: ['a'.repeat(64)] }))).toMatchObject({
      mentions: ['a'.repeat(64)],
    });
    expect(
      decodeContent(bytes({ ...text, mentions: Array.from({ length: 65 }, () => 'a'.repeat(64)) })),
    ).toBeNull();
  });

  it('still calls types it does not know "unknown", and known types that are malformed null', () => {
    expect(decodeContent(bytes({ v: CONTENT_VERSION, type: 'poll', question: '?' }))).toBe('unknown');
    expect(decodeContent(bytes({ v: CONTENT_VERSION, type: 'reaction' }))).toBeNull();
    expect(decodeContent(new Uint8Array([0xff, 0x00]))).toBeNull();
  });
});
