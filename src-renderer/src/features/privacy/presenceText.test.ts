import { describe, expect, it } from 'vitest';
import type { ContactPresenceView } from '../../../../src-shared/contract/areas/presence';
import { formatClock } from '../../lib/time';
import { presenceText } from './presenceText';

const base: ContactPresenceView = {
  contactId: 1,
  dmConversationId: 2,
  online: false,
  lastSeen: null,
  connection: { state: 'offline', since: null },
  statusText: '',
  avatar: null,
};
const now = new Date(2025, 2, 12, 18, 0).getTime();
const at = (day: number, hour: number, minute: number) => new Date(2025, 2, day, hour, minute).getTime();

describe('how a contact is reached, in words (issue 13)', () => {
  it('says how a connected contact is reached (issue 19): LAN, internet, or through a relay', () => {
    const online = (path: ContactPresenceView['connection']) =>
      presenceText({ ...base, online: true, connection: path }, now);
    expect(online({ state: 'direct', path: { kind: 'lan' } })).toBe('Online · on this network');
    expect(online({ state: 'direct', path: { kind: 'internet' } })).toBe('Online · direct over the internet');
    expect(online({ state: 'direct', path: { kind: 'relay', via: 'Cy' } })).toBe(
      'Online · through Cy (relay)',
    );
    expect(online({ state: 'direct', path: { kind: 'relay', via: null } })).toBe('Online · through a relay');
  });

  it('says through whom messages are handed over when not connected (issue 13)', () => {
    expect(presenceText({ ...base, connection: { state: 'relayed', via: 'Carl' } }, now)).toBe(
      'Reachable through Carl',
    );
  });

  it('says since when a contact is offline: a time today, yesterday, a weekday, then a date', () => {
    const since = (ms: number) => presenceText({ ...base, connection: { state: 'offline', since: ms } }, now);
    // Clock times in the runner's locale (14:32 or 02:32 PM).
    expect(since(at(12, 14, 32))).toBe(`Offline since ${formatClock(at(12, 14, 32))}`);
    expect(since(at(11, 9, 5))).toBe(`Offline since yesterday ${formatClock(at(11, 9, 5))}`);
    expect(since(at(8, 9, 5))).toBe(`Offline since Saturday ${formatClock(at(8, 9, 5))}`);
    expect(since(at(1, 9, 5))).toMatch(/^Offline since (1 Mar|Mar 1)$/);
  });

  it('keeps to the coarse last-seen of a contact never seen online here (one who appears offline)', () => {
    expect(presenceText({ ...base, lastSeen: 'just-now' }, now)).toBe('last seen just now');
    expect(presenceText(base, now)).toBe('Offline');
  });
});
