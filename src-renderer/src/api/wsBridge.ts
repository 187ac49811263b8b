import { z } from 'zod';
import {
  WS_CLOSE,
  WS_MAX_FRAME_BYTES,
  encodeBinaryFrame,
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
} from '../../../src-shared/contract';

/**
 * Where the socket stands; the UI shows it so a dead core never looks like a
 * frozen app. 'refused' is final: the web shell will not take this tab's
 * credential (see `Refusal`), so reconnecting would never help.
 */
export type ConnectionState = 'connecting' | 'open' | 'closed' | 'refused';

/** Why the web shell refused this tab. */
export type Refusal = 'link-used' | 'earlier-run';

export interface ConnectionMonitor {
  readonly state: ConnectionState;
  /** Set with state 'refused'. */
  readonly refusal: Refusal | null;
  onChange(listener: (state: ConnectionState) => void): () => void;
}

export interface WsBridge extends ParleyBridge, ConnectionMonitor {
  /** Closes the socket for good (no reconnect); pending requests fail with DISCONNECTED. */
  close(): void;
}

/** The part of the browser WebSocket the bridge uses; tests pass a fake. */
export interface BridgeSocket {
  send(data: string | Uint8Array<ArrayBuffer>): void;
  close(): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'close', listener: (event: { code: number }) => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export interface WsBridgeOptions {
  /** Called with the tab secret the server handed out for the URL token (keep it for reloads). */
  onSecret?: (secret: string) => void;
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
  z.object({ t: z.literal('hello'), secret: z.string().max(128).optional() }),
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
 * `url` is asked for on every (re)connect: it carries the current credential,
 * which changes from the URL token to the tab secret after the first hello.
 * A request whose params hold a Uint8Array travels as a binary frame, its
 * bytes raw (uploads), instead of base64 inside JSON.
 *
 * Requests made while the socket is down open it at once; requests still
 * waiting when it closes fail with DISCONNECTED (the core may or may not have
 * run them, so they are never replayed silently). Event subscriptions survive
 * reconnects, which happen with exponential backoff.
 */
export function createWsBridge(url: string | (() => string), options: WsBridgeOptions = {}): WsBridge {
  const urlFor = typeof url === 'string' ? () => url : url;
  const createSocket = options.createSocket ?? ((u: string): BridgeSocket => new WebSocket(u));
  const baseDelay = options.baseDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 10_000;
  const warn = options.warn ?? ((message: string) => console.warn(`[parley bridge] ${message}`));

  const pending = new Map<number, Pending>();
  /** Frames written while the socket was still opening, sent on open. */
  let outbox: (string | Uint8Array<ArrayBuffer>)[] = [];
  const eventListeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const stateListeners = new Set<(state: ConnectionState) => void>();

  let socket: BridgeSocket | null = null;
  let state: ConnectionState = 'closed';
  let refusal: Refusal | null = null;
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
      ws = createSocket(urlFor());
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
    ws.addEventListener('close', (event) => onClosed(ws, event.code));
  }

  function onClosed(ws: BridgeSocket | null, code?: number): void {
    if (ws !== null && socket !== ws) return;
    socket = null;
    outbox = [];
    const waiting = [...pending.values()];
    pending.clear();
    for (const p of waiting) p.settle(failure('DISCONNECTED', DISCONNECTED_MESSAGE));
    if (code === WS_CLOSE.LINK_USED || code === WS_CLOSE.EARLIER_RUN) {
      // The server will never take this credential: stop, and let the page say why.
      closedForGood = true;
      refusal = code === WS_CLOSE.LINK_USED ? 'link-used' : 'earlier-run';
      setState('refused');
      return;
    }
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
    if (frame.data.t === 'hello') {
      if (frame.data.secret) options.onSecret?.(frame.data.secret);
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
    const binary = binaryParam(params);
    let data: string | Uint8Array<ArrayBuffer>;
    if (binary) {
      const { [binary.key]: _bytes, ...rest } = params as Record<string, unknown>;
      data = encodeBinaryFrame({ ...frame, params: rest, bin: binary.key }, binary.bytes);
    } else {
      data = JSON.stringify(frame);
    }
    if (data.length > WS_MAX_FRAME_BYTES) {
      return Promise.resolve(failure('INVALID_PARAMS', 'This request is too large to send.'));
    }
    return new Promise((resolve) => {
      // The reply was validated against requests[name].result by replySchemaFor(name),
      // which is exactly RequestResult<N>; TypeScript cannot follow that through the map.
      pending.set(id, { name, settle: (reply) => resolve(reply as Reply<RequestResult<N>>) });
      if (socket && state === 'open') {
        socket.send(data);
      } else {
        outbox.push(data);
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
    get refusal() {
      return refusal;
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

/** The one top-level param holding bytes, if any: it becomes the payload of a binary frame. */
function binaryParam(params: unknown): { key: string; bytes: Uint8Array } | null {
  if (typeof params !== 'object' || params === null) return null;
  for (const [key, value] of Object.entries(params)) {
    if (value instanceof Uint8Array) return { key, bytes: value };
  }
  return null;
}
