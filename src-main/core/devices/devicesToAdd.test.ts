import { describe, expect, it } from 'vitest';
import { verifyDeviceList } from '../identity/deviceListVerify';
import { ListedPerson } from '../mls/testing/listedUsers';
import { devicesToAdd, type PersonDevicesSource } from './devicesToAdd';

/** docs/protocol.md §13.6: which devices of a person a new conversation or an Add takes in. */

function holding(person: ListedPerson | null): PersonDevicesSource {
  const v = person ? verifyDeviceList(person.list.bytes()) : null;
  if (v && !v.ok) throw new Error(v.reason);
  const state = v?.ok ? v.state : null;
  return {
    headOf: () => state?.head ?? null,
    allDevices: () => state?.devices ?? [],
    isRemovedDevice: (p) => state?.devices.some((d) => d.peerId === p && d.removedSeq !== undefined) ?? false,
  };
}

const peer = (p: ListedPerson, i: number) => p.devices[i]?.device.peerId ?? '';

describe('devicesToAdd', () => {
  it('takes every active listed device oldest first, then unlisted known ones, never a removed one', () => {
    const ann = new ListedPerson('ann');
    ann.link();
    ann.link();
    ann.unlist(ann.devices[0]!, ann.devices[1]!);
    const restored = '12D3KooWrestored';
    const known = [peer(ann, 1), restored, peer(ann, 0)];
    expect(devicesToAdd(holding(ann), ann.identityKey, known, 'me')).toEqual([
      peer(ann, 0),
      peer(ann, 2),
      restored,
    ]);
  });

  it('without a list: the devices known for the person (an older version)', () => {
    const ann = new ListedPerson('ann');
    expect(devicesToAdd(holding(null), ann.identityKey, ['a', 'b'], 'me')).toEqual(['a', 'b']);
  });

  it("at most 5 per person, this device counted among its own person's", () => {
    const me = new ListedPerson('me');
    for (let i = 0; i < 4; i++) me.link();
    const unlisted = ['x1', 'x2'];
    const others = devicesToAdd(holding(me), me.identityKey, unlisted, peer(me, 0));
    expect(others).toEqual([1, 2, 3, 4].map((i) => peer(me, i)));
  });
});
