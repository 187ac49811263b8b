import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeGroupMetadata, encodeGroupMetadata, type GroupMetadata } from './extensions';

const key = (n: number) => Buffer.alloc(32, n).toString('hex');

describe('group metadata extension', () => {
  it('round-trips, with a canonical encoding whatever the insertion order', () => {
    const a: GroupMetadata = {
      kind: 'group',
      name: 'Équipe ✓',
      roles: new Map([
        [key(9), 'admin'],
        [key(1), 'owner'],
      ]),
    };
    const b: GroupMetadata = { ...a, roles: new Map([...a.roles].reverse()) };
    expect(encodeGroupMetadata(a)).toEqual(encodeGroupMetadata(b));
    const decoded = decodeGroupMetadata(encodeGroupMetadata(a));
    expect(decoded?.name).toBe('Équipe ✓');
    expect(decoded?.kind).toBe('group');
    expect([...(decoded?.roles ?? [])]).toEqual([
      [key(1), 'owner'],
      [key(9), 'admin'],
    ]);
  });

  it('refuses malformed, non-canonical or oversized input without throwing', () => {
    const good = Buffer.from(
      encodeGroupMetadata({
        kind: 'dm',
        name: 'x',
        roles: new Map([
          [key(1), 'owner'],
          [key(2), 'admin'],
        ]),
      }),
    );
    for (let cut = 0; cut < good.length; cut++) expect(decodeGroupMetadata(good.subarray(0, cut))).toBeNull();
    expect(decodeGroupMetadata(Buffer.concat([good, Buffer.of(0)]))).toBeNull();
    // Entries out of order, or a duplicate, are not the canonical encoding.
    const swapped = Buffer.from(good);
    good.copy(swapped, swapped.length - 66, good.length - 33);
    good.copy(swapped, swapped.length - 33, good.length - 66, good.length - 33);
    expect(decodeGroupMetadata(swapped)).toBeNull();
    const badRole = Buffer.from(good);
    badRole[badRole.length - 1] = 7;
    expect(decodeGroupMetadata(badRole)).toBeNull();
    const badUtf8 = Buffer.from(good);
    badUtf8[4] = 0xff;
    expect(decodeGroupMetadata(badUtf8)).toBeNull();
    for (let i = 0; i < 300; i++) decodeGroupMetadata(randomBytes(Math.floor(Math.random() * 120)));
    expect(() => encodeGroupMetadata({ kind: 'group', name: 'x'.repeat(2000), roles: new Map() })).toThrow();
  });
});
