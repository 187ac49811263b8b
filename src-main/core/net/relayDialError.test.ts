import { describe, expect, it } from 'vitest';
import { relayHasNoReservation } from './relayDialError';

describe('relayHasNoReservation', () => {
  it("finds the relay's NO_RESERVATION answer inside libp2p's AggregateError of one dial", () => {
    const relay = new Error('failed to connect via relay with status NO_RESERVATION');
    expect(relayHasNoReservation(relay)).toBe(true);
    expect(
      relayHasNoReservation(
        new AggregateError(
          [new Error('connect ENETUNREACH 10.1.1.2:4001'), relay],
          'All multiaddr dials failed',
        ),
      ),
    ).toBe(true);
    expect(relayHasNoReservation(new Error('dial failed', { cause: relay }))).toBe(true);
  });

  it('anything else is an ordinary failure, and odd values do not throw', () => {
    expect(
      relayHasNoReservation(new Error('failed to connect via relay with status PERMISSION_DENIED')),
    ).toBe(false);
    expect(relayHasNoReservation(new AggregateError([new Error('ECONNREFUSED')]))).toBe(false);
    expect(relayHasNoReservation(undefined)).toBe(false);
    expect(relayHasNoReservation('NO_RESERVATION')).toBe(false);
    const cyclic: { message: string; cause?: unknown } = { message: 'loop' };
    cyclic.cause = cyclic;
    expect(relayHasNoReservation(cyclic)).toBe(false);
  });
});
