import { describe, expect, it } from 'vitest';
import { connectionView } from './networkPresenter';

const names: Record<string, string> = { cyPeer: 'Cy', carlPeer: 'Carl' };
const nameOf = (peer: string): string | null => names[peer] ?? null;

describe('how a contact is reached, as the view says it (issues 13, 19)', () => {
  it('names the relay of a relayed connection, or says none when it is not our contact', () => {
    expect(connectionView({ state: 'direct', path: { kind: 'relay', relay: 'cyPeer' } }, nameOf)).toEqual({
      state: 'direct',
      path: { kind: 'relay', via: 'Cy' },
    });
    // Bob reaches Ann through Cy, who is Ann's contact, not his: no name to show.
    expect(connectionView({ state: 'direct', path: { kind: 'relay', relay: 'stranger' } }, nameOf)).toEqual({
      state: 'direct',
      path: { kind: 'relay', via: null },
    });
  });

  it('keeps LAN and internet paths, hand-overs by name, and offline as they are', () => {
    expect(connectionView({ state: 'direct', path: { kind: 'lan' } }, nameOf)).toEqual({
      state: 'direct',
      path: { kind: 'lan' },
    });
    expect(connectionView({ state: 'direct', path: { kind: 'internet' } }, nameOf)).toEqual({
      state: 'direct',
      path: { kind: 'internet' },
    });
    expect(connectionView({ state: 'relayed', viaPeer: 'carlPeer' }, nameOf)).toEqual({
      state: 'relayed',
      via: 'Carl',
    });
    expect(connectionView({ state: 'offline', since: 5 }, nameOf)).toEqual({ state: 'offline', since: 5 });
  });
});
