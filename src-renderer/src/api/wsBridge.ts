import { z } from 'zod';
import {
  WS_MAX_FRAME_BYTES,
  events,
  isEventName,
  replySchema,
  requests,
  type ClientFrame,
  type ErrorPayload,
  type EventName,
  type EventPayload,
  type ParleyBridge,
  type Reply,
  type RequestName,
  type RequestParams,
  type RequestResult,
} from '../../../src-preload/contract';

/** Where the socket stands; the UI shows it so a dead core never looks like a frozen app. */
export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface ConnectionMonitor {
  readonly state: ConnectionState;
  onChange(listener: (state: ConnectionState) => void): () => void;
}

export interface WsBridge extends ParleyBridge, ConnectionMonitor {
  /** Closes the socket for good (no reconnect); pending requests fail with DISCONNECTED. */
  close(): void;
}

/** The part of the browser WebSocket the bridge uses; tests pass a fake. */
export interface BridgeSocket {
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'close', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export interface WsBridgeOptions {
  /** Injected so tests can drive the bridge without a server. */
  createSocket?: (url: string) => BridgeSocket;
  /** First reconnect delay; doubles per failed attempt up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Logs protocol anomalies (never payloads: they may hold names or passphrase errors). */
  warn?: (message: string) => void;
}

/**
 * The server's frames. The contract only declares `ServerFrame` as a type, so
 * the envelope is checked here and the reply/payload inside it against the
 * contract schema of the request or event it belongs to.
 */
const IncomingFrame = z.discriminatedUnion('t', [
  z.object({ t: z.literal('res'), id: z.number().int().nonnegative(), reply: z.unknown() }),
  z.object({ t: z.literal('evt'), name: z.string(), payload: z.unknown() }),
]);

interface Pending {
  name: RequestName;
  settle: (reply: Reply<unknown>) => void;
}

const replySchemas = new Map<RequestName, z.ZodType<Reply<unknown>>>();
function replySchemaFor(name: RequestName): z.ZodType<Reply<unknown>> {
  let schema = replySchemas.get(name);
  if (!schema) {
    schema = replySchema(requests[name].result);
    replySchemas.set(name, schema);
  }
  return schema;
}

function failure(code: ErrorPayload['code'], message: string): Reply<never> {
  return { ok: false, error: { code, message } };
}

const DISCONNECTED_MESSAGE =
  'The connection to Parley was lost. It will reconnect on its own; try again in a moment.';

/**
 * `ParleyBridge` over the web shell's WebSocket: the same contract the Electron
 * preload exposes, so everything above `api/` cannot tell the two apart.
 *
 * Requests made while the socket is down open it at once; requests still
 * waiting when it closes fail with DISCONNECTED (the core may or may not have
 * run them, so they are never replayed silently). Event subscriptions survive
 * reconnects, which happen with exponential backoff.
 */
export function createWsBridge(url: string, options: WsBridgeOptions = {}): WsBridge {
  const createSocket = options.createSocket ?? ((u: string): BridgeSocket => new WebSocket(u));
  const baseDelay = options.baseDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 10_000;
  const warn = options.warn ?? ((message: string) => console.warn(`[parley bridge] ${message}`));

  const pending = new Map<number, Pending>();
  /** Frames written while the socket was still opening, sent on open. */
  let outbox: string[] = [];
  const eventListeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const stateListeners = new Set<(state: ConnectionState) => void>();

  let socket: BridgeSocket | null = null;
  let state: ConnectionState = 'closed';
  let nextId = 1;
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let closedForGood = false;

  function setState(next: ConnectionState): void {
    if (state === next) return;
    state = next;
    for (const listener of stateListeners) listener(next);
  }

  function connect(): void {
    if (closedForGood || socket) return;
    if (retryTimer !== null) {
      clearTimeout(retryTimer);
      retryTimer = null;
    }
    setState('connecting');
    let ws: BridgeSocket;
    try {
      ws = createSocket(url);
    } catch {
      // A malformed URL or a CSP refusal: nothing to wait for, fail now and back off.
      onClosed(null);
      return;
    }
    socket = ws;
    ws.addEventListener('open', () => {
      if (socket !== ws) return;
      attempt = 0;
      setState('open');
      const queued = outbox;
      outbox = [];
      for (const frame of queued) ws.send(frame);
    });
    ws.addEventListener('message', (event) => {
      if (socket === ws) onMessage(event.data);
    });
    ws.addEventListener('close', () => onClosed(ws));
  }

  function onClosed(ws: BridgeSocket | null): void {
    if (ws !== null && socket !== ws) return;
    socket = null;
    outbox = [];
    const waiting = [...pending.values()];
    pending.clear();
    for (const p of waiting) p.settle(failure('DISCONNECTED', DISCONNECTED_MESSAGE));
    setState('closed');
    if (closedForGood) return;
    // Jitter keeps several windows from hammering a restarting core in lockstep.
    const delay = Math.min(maxDelay, baseDelay * 2 ** attempt) * (0.75 + Math.random() * 0.5);
    attempt = Math.min(attempt + 1, 16);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect();
    }, delay);
  }

  function onMessage(data: unknown): void {
    if (typeof data !== 'string') {
      warn('dropped a binary frame');
      return;
    }
    if (data.length > WS_MAX_FRAME_BYTES) {
      warn('dropped an oversized frame');
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      warn('dropped a frame that is not JSON');
      return;
    }
    const frame = IncomingFrame.safeParse(json);
    if (!frame.success) {
      warn('dropped a frame of unknown shape');
      return;
    }
    if (frame.data.t === 'res') {
      const waiting = pending.get(frame.data.id);
      if (!waiting) {
        warn('dropped a reply to no pending request');
        return;
      }
      pending.delete(frame.data.id);
      const reply = replySchemaFor(waiting.name).safeParse(frame.data.reply);
      if (reply.success) {
        waiting.settle(reply.data);
      } else {
        warn(`reply to ${waiting.name} does not match the contract`);
        waiting.settle(failure('INTERNAL', 'Parley’s core sent an answer this window does not understand.'));
      }
      return;
    }
    const { name, payload } = frame.data;
    if (!isEventName(name)) {
      warn('dropped an unknown event');
      return;
    }
    const parsed = events[name].safeParse(payload);
    if (!parsed.success) {
      warn(`event ${name} does not match the contract`);
      return;
    }
    for (const listener of eventListeners.get(name) ?? []) listener(parsed.data);
  }

  function request<N extends RequestName>(
    name: N,
    params: RequestParams<N>,
  ): Promise<Reply<RequestResult<N>>> {
    if (closedForGood) return Promise.resolve(failure('DISCONNECTED', DISCONNECTED_MESSAGE));
    const id = nextId++;
    const frame: ClientFrame = { t: 'req', id, name, params };
    const text = JSON.stringify(frame);
    if (text.length > WS_MAX_FRAME_BYTES) {
      return Promise.resolve(failure('INVALID_PARAMS', 'This request is too large to send.'));
    }
    return new Promise((resolve) => {
      // The reply was validated against requests[name].result by replySchemaFor(name),
      // which is exactly RequestResult<N>; TypeScript cannot follow that through the map.
      pending.set(id, { name, settle: (reply) => resolve(reply as Reply<RequestResult<N>>) });
      if (socket && state === 'open') {
        socket.send(text);
      } else {
        outbox.push(text);
        connect();
      }
    });
  }

  function subscribe<E extends EventName>(
    event: E,
    listener: (payload: EventPayload<E>) => void,
  ): () => void {
    let set = eventListeners.get(event);
    if (!set) {
      set = new Set();
      eventListeners.set(event, set);
    }
    // Payloads are parsed with events[event] before dispatch, so they are EventPayload<E>.
    const wrapped = (payload: unknown) => listener(payload as EventPayload<E>);
    set.add(wrapped);
    connect();
    return () => {
      set.delete(wrapped);
    };
  }

  return {
    request,
    subscribe,
    get state() {
      return state;
    },
    onChange(listener) {
      stateListeners.add(listener);
      return () => {
        stateListeners.delete(listener);
      };
    },
    close() {
      closedForGood = true;
      if (retryTimer !== null) clearTimeout(retryTimer);
      const ws = socket;
      if (ws) {
        onClosed(ws);
        ws.close();
      }
    },
  };
}
