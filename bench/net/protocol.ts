import { performance } from 'node:perf_hooks';
import type { LogLevel } from '../../src-main/core/util/logger';

/**
 * The typed RPC between bench/net.bench.ts (main thread) and its peer workers
 * (bench/net/peerWorker.ts, one per peer). The main thread sends requests with
 * an id and gets exactly one response per id; workers also post events (a
 * tagged text committed here, a log line) at any time.
 *
 * Every timestamp that crosses a thread is `clock()`: absolute milliseconds,
 * `performance.timeOrigin + performance.now()`. Node takes the time origin
 * once per process and every worker reports the same one, and now() is the
 * process's monotonic clock, so a stamp taken in one worker and one taken in
 * another compare directly (checked on this machine: the threads agree within
 * 0.01 ms) and no message-passing delay ever enters a figure.
 */
export function clock(): number {
  return performance.timeOrigin + performance.now();
}

export type Synchronous = '' | 'FULL' | 'NORMAL' | 'OFF';

/** workerData of a peer worker. */
export interface PeerInit {
  name: string;
  /** The bench's private folder; the peer keeps its database in `dir/name`. */
  dir: string;
  /** '' keeps the app's synchronous = FULL (the only setting whose figures count). */
  synchronous: Synchronous;
  /** '' = silent; otherwise the peer's JSON log goes to stderr. */
  logLevel: LogLevel | '';
}

/** Per-send stamps of a sender loop; start is taken right before sendText. */
export interface SendStamps {
  /** clock() right before each sendText call, in send order. */
  starts: number[];
  /** How long each sendText call took (MLS encrypt + local transaction), ms. */
  sendCalls: number[];
}

/**
 * Each operation: [params, result]. Identity keys travel as hex, peer ids as
 * their string form, so every message is plain structured-clone data.
 */
export interface Ops {
  /** startMessaging (production defaults, listen on 127.0.0.1, the last port). startedAt: clock() right before the call. */
  online: [{ mdns: boolean }, { peerId: string; startedAt: number; startMs: number }];
  offline: [Record<string, never>, null];
  createInvite: [Record<string, never>, string];
  acceptInvite: [{ invite: string }, null];
  /** The DM conversation with that identity, null while there is none yet (poll-able). */
  dmWith: [{ identityKey: string }, number | null];
  relaysOf: [{ peerId: string }, string[]];
  hasSealPublicKey: [{ peerId: string }, boolean];
  /** One sendText; returns its stamps. */
  sendText: [{ conversationId: number; body: string }, { start: number; ms: number }];
  /** Outbox rows to `recipient` held by a relay. */
  heldAt: [{ recipient: string }, number];
  mailboxItems: [Record<string, never>, number];
  isConnected: [{ peerId: string }, boolean];
  /** Incoming messages stored in a conversation. */
  messagesCount: [{ conversationId: number }, number];
  /** Forgets every stored device address and the last port (the mDNS phase). */
  forgetAddresses: [Record<string, never>, null];
  /** Starts recording deliver-handler durations (clears earlier ones). */
  handlerStart: [Record<string, never>, null];
  /** Stops recording and returns the durations (entry → resolved, i.e. committed), ms. */
  handlerStop: [Record<string, never>, number[]];
  /**
   * `count` texts tagged prefix0…, each sent only after the previous one was
   * reported committed at the receiver (a forwarded `remoteCommit`).
   */
  sequential: [{ conversationId: number; prefix: string; count: number; timeoutMs: number }, SendStamps];
  /**
   * Texts tagged prefix0… for `ms`, issued in order with at most
   * `concurrency` sendText calls outstanding (1: awaited one after another),
   * and at most `window` sent but not yet reported committed at the receiver.
   */
  burst: [
    {
      conversationId: number;
      prefix: string;
      ms: number;
      window: number;
      concurrency: number;
      timeoutMs: number;
    },
    { sent: number; first: number; sendingMs: number },
  ];
  /**
   * `count` texts tagged prefix0… to an offline recipient; after every
   * `lag` sends, waits until all but `lag` are held by a relay.
   */
  fill: [
    {
      conversationId: number;
      prefix: string;
      count: number;
      recipient: string;
      lag: number;
      timeoutMs: number;
    },
    null,
  ];
  /** Stops messaging and closes the database; the worker may then be terminated. */
  close: [Record<string, never>, null];
}

export type OpName = keyof Ops;
export type Params<K extends OpName> = Ops[K][0];
export type Result<K extends OpName> = Ops[K][1];

export type Request = { [K in OpName]: { kind: 'request'; id: number; op: K; params: Params<K> } }[OpName];

/** Main → worker. */
export type ToWorker =
  | Request
  /** A text this worker's sender loop may be waiting for was committed at the receiver. */
  | { kind: 'remoteCommit'; tag: string };

export type Response =
  | { [K in OpName]: { kind: 'response'; id: number; op: K; ok: true; value: Result<K> } }[OpName]
  | { kind: 'response'; id: number; op: OpName; ok: false; error: string };

/** Worker → main. */
export type FromWorker =
  | Response
  /** Posted once, when the peer's database and identity exist. */
  | { kind: 'ready'; identityKey: string }
  /** An incoming tagged text committed here; `at` is clock() after COMMIT. */
  | { kind: 'committed'; tag: string; at: number }
  | { kind: 'log'; message: string };

/** The body of a bench text: its first word (`#tag`) names it. */
export function tagOf(body: string | null | undefined): string | undefined {
  return /^#(\S+) /.exec(body ?? '')?.[1];
}
