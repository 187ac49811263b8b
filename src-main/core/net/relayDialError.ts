/**
 * Did a dial fail only because the relay holds no reservation for the peer?
 *
 * Circuit relay v2 (libp2p spec relay/circuit-v2.md, HOP CONNECT): a relay
 * answers `NO_RESERVATION` (status 204) when the destination has no
 * reservation with it, or no connection to it, right now. For a peer behind
 * NAT that is a passing state: it is (re)starting and about to reserve again
 * (docs/protocol.md §14.4). js-libp2p's circuit transport throws
 * "failed to connect via relay with status NO_RESERVATION", and the dial
 * queue wraps the per-address errors of one dial in an AggregateError; the
 * walk is bounded so a hostile or cyclic cause chain cannot loop.
 */
export function relayHasNoReservation(err: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0 && seen.size < 32) {
    const e = queue.shift();
    if (e === null || e === undefined || seen.has(e)) continue;
    seen.add(e);
    if (typeof e !== 'object') continue;
    const { message, errors, cause } = e as { message?: unknown; errors?: unknown; cause?: unknown };
    if (typeof message === 'string' && message.includes('NO_RESERVATION')) return true;
    if (Array.isArray(errors)) queue.push(...(errors as unknown[]));
    queue.push(cause);
  }
  return false;
}
