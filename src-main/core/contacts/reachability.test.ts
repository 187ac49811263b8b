import { describe, expect, it } from 'vitest';
import { Reachability } from './reachability';

describe('reachable through a contact', () => {
  function make() {
    let now = 1_000;
    let changes = 0;
    const r = new Reachability(
      () => now,
      () => changes++,
      10_000,
    );
    return { r, tick: (ms: number) => (now += ms), changes: () => changes };
  }

  it('names the contact that answered it reaches the device, and keeps the first while it holds', () => {
    const { r, changes } = make();
    r.answered('carl', ['bob', 'dan'], ['bob']);
    expect(r.through('bob')).toBe('carl');
    expect(r.through('dan')).toBeNull();
    r.answered('erin', ['bob'], ['bob']);
    expect(r.through('bob')).toBe('carl');
    expect(changes()).toBe(1);
    // Carl no longer reaches Bob: the path is gone (Erin's is taken at her next answer).
    r.answered('carl', ['bob'], []);
    expect(r.through('bob')).toBeNull();
    r.answered('erin', ['bob'], ['bob']);
    expect(r.through('bob')).toBe('erin');
  });

  it('ends when the device connects directly, when the contact in between goes, or unconfirmed', () => {
    const { r, tick } = make();
    r.answered('carl', ['bob', 'dan'], ['bob', 'dan']);
    r.peerChanged('bob', true);
    expect(r.through('bob')).toBeNull();
    r.peerChanged('carl', false);
    expect(r.through('dan')).toBeNull();
    r.answered('carl', ['dan'], ['dan']);
    tick(10_001);
    expect(r.through('dan')).toBeNull();
    r.expire();
    r.answered('erin', ['dan'], ['dan']);
    expect(r.through('dan')).toBe('erin');
  });
});
