import { describe, expect, it } from 'vitest';
import { generateDeviceKey, isPeerIdString, loadDeviceKey, peerIdOfDeviceKey } from './deviceKey';
import { comparePeerIds, dialsFirst } from './peerOrder';

describe('device keys', () => {
  it('generate, load and name a PeerId', async () => {
    const key = await generateDeviceKey();
    const id = peerIdOfDeviceKey(key);
    expect(id).toMatch(/^12D3KooW/);
    expect(isPeerIdString(id)).toBe(true);
    const raw = loadDeviceKey(key).raw;
    expect(peerIdOfDeviceKey(raw)).toBe(id);
    expect(() => loadDeviceKey(new Uint8Array(10))).toThrow(RangeError);
    expect(isPeerIdString('not a peer')).toBe(false);
    expect(isPeerIdString('')).toBe(false);
  });
});

describe('PeerId order', () => {
  it('is a total order both sides agree on', async () => {
    const ids = await Promise.all(
      Array.from({ length: 8 }, async () => peerIdOfDeviceKey(await generateDeviceKey())),
    );
    for (const a of ids) {
      expect(comparePeerIds(a, a)).toBe(0);
      for (const b of ids) {
        if (a === b) continue;
        expect(comparePeerIds(a, b)).toBe(-comparePeerIds(b, a));
        // Exactly one side dials first.
        expect(dialsFirst(a, b) !== dialsFirst(b, a)).toBe(true);
      }
    }
  });
});
