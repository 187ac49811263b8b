import type { LinkChannel } from '../net/linkProtocol';

/**
 * Waiting for a user in the middle of a link (docs/protocol.md §13.5): while
 * a side's user compares the SAS, that side sends WAITING every 15 s so the
 * stream is never idle (Yamux drops a stream silent for 60 s), and the other
 * side skips them, reading each frame within 30 s. The number skipped is
 * bounded (a code lives 10 minutes: 40 keep-alives, and some slack), so a peer
 * cannot hold a stream open forever by chatting.
 */
export const KEEPALIVE_MS = 15_000;
export const WAIT_FRAME_MS = 30_000;
export const MAX_WAITING_FRAMES = 48;

/** Thrown when the other side sent more keep-alives than a code's lifetime allows. */
export class TooLongWait extends Error {
  constructor() {
    super('the other device waited longer than a code lives');
    this.name = 'TooLongWait';
  }
}

export interface WaitBudget {
  skipped: number;
}

/** The next message that is not WAITING (null at a clean end). */
export async function nextMessage<In extends { kind: string }>(
  channel: LinkChannel<In, unknown>,
  budget: WaitBudget,
  timeoutMs = WAIT_FRAME_MS,
): Promise<In | null> {
  for (;;) {
    const message = await channel.receive(timeoutMs);
    if (message === null || message.kind !== 'waiting') return message;
    budget.skipped += 1;
    if (budget.skipped > MAX_WAITING_FRAMES) throw new TooLongWait();
  }
}

/** Sends `waiting` every KEEPALIVE_MS until stopped; a failed send stops it (the reader sees the loss). */
export function keepAlive<Out>(channel: LinkChannel<unknown, Out>, waiting: Out): { stop(): void } {
  let stopped = false;
  const timer = setInterval(() => {
    if (stopped) return;
    channel.send(waiting).catch(() => {
      stopped = true;
      clearInterval(timer);
    });
  }, KEEPALIVE_MS);
  timer.unref?.();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

/** A promise with its resolver outside, for a user's answer that arrives through another call. */
export function deferred<T>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Splits `bytes` into parts of at most `size` bytes (at least one part, possibly empty). */
export function partsOf(bytes: Uint8Array, size: number): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) parts.push(bytes.subarray(at, at + size));
  return parts.length === 0 ? [bytes] : parts;
}
