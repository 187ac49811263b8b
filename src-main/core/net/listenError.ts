/**
 * The node could not listen on one of its addresses (the port is taken, a
 * privileged port, an address this machine does not have). libp2p reports
 * all of these as one UnsupportedListenAddressesError whose message quotes
 * the system error per address; this names the reason and the address so a
 * shell can tell the user which port to change.
 */
export type ListenFailure = 'in-use' | 'denied' | 'unavailable' | 'failed';

export class ListenError extends Error {
  constructor(
    readonly reason: ListenFailure,
    /** The multiaddr that failed, when known. */
    readonly address: string | null,
    options?: { cause?: unknown },
  ) {
    super(`could not listen (${reason})`, options);
    this.name = 'ListenError';
  }

  /** The TCP port of `address`, when it has one. */
  get port(): number | null {
    const m = /\/tcp\/(\d+)/.exec(this.address ?? '');
    return m ? Number(m[1]) : null;
  }
}

const REASONS: [RegExp, ListenFailure][] = [
  [/EADDRINUSE/, 'in-use'],
  [/EACCES|EPERM/, 'denied'],
  [/EADDRNOTAVAIL|ENOTFOUND|EAFNOSUPPORT/, 'unavailable'],
];

/** Reads libp2p's start failure into a ListenError, or null when it is not about listening. */
export function toListenError(err: unknown, listen: readonly string[]): ListenError | null {
  const name = err instanceof Error ? err.name : '';
  const code = (err as { code?: unknown } | null)?.code;
  const text = [err instanceof Error ? err.message : String(err), typeof code === 'string' ? code : ''].join(
    ' ',
  );
  const known = REASONS.find(([pattern]) => pattern.test(text))?.[1];
  if (known === undefined && name !== 'UnsupportedListenAddressesError') return null;
  const reason = known ?? 'failed';
  // libp2p lists each failed address at the start of a line: "  /ip4/…/tcp/4001: Error: …".
  const address = /(\/ip[46]\/[^\s:]+\/tcp\/\d+)/.exec(text)?.[1] ?? listen[0] ?? null;
  return new ListenError(reason, address, { cause: err });
}
