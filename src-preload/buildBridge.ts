import {
  eventChannel,
  isEventName,
  isRequestName,
  requestChannel,
  type ErrorPayload,
  type EventName,
  type EventPayload,
  type ParleyBridge,
  type Reply,
  type RequestName,
  type RequestParams,
  type RequestResult,
} from '../src-shared/contract';

type IpcListener = (event: unknown, ...args: unknown[]) => void;

/**
 * The three ipcRenderer methods the bridge needs, so it can be built and tested
 * without Electron. Electron's `ipcRenderer` satisfies this shape as is.
 */
export interface BridgeIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: IpcListener): unknown;
  removeListener(channel: string, listener: IpcListener): unknown;
}

const DISCONNECTED: ErrorPayload = {
  code: 'DISCONNECTED',
  message: 'Lost the connection to the Parley core. Restart Parley if this keeps happening.',
};

/**
 * Builds `window.parley` over ipcRenderer. Only contract names pass and only
 * plain values come back: the renderer never gets ipcRenderer, an IpcRendererEvent
 * (whose `sender` is ipcRenderer itself) or a thrown error (Electron security
 * checklist #20, "Do not expose Electron APIs to untrusted web content").
 */
export function buildBridge(ipc: BridgeIpc): ParleyBridge {
  async function request<N extends RequestName>(
    name: N,
    params: RequestParams<N>,
  ): Promise<Reply<RequestResult<N>>> {
    // The renderer is untrusted JavaScript: the static type is no guarantee.
    if (!isRequestName(name)) {
      return {
        ok: false,
        error: { code: 'UNKNOWN_REQUEST', message: `Unknown request "${String(name).slice(0, 64)}".` },
      };
    }
    let reply: unknown;
    try {
      reply = await ipc.invoke(requestChannel(name), params);
    } catch {
      // Electron's rejection text names the channel and main's stack; the caller only needs the code.
      return { ok: false, error: DISCONNECTED };
    }
    // Main validated the value against the contract; the preload only keeps the Reply shape a promise.
    return isReply(reply) ? (reply as Reply<RequestResult<N>>) : { ok: false, error: DISCONNECTED };
  }

  function subscribe<E extends EventName>(
    event: E,
    listener: (payload: EventPayload<E>) => void,
  ): () => void {
    if (!isEventName(event)) throw new Error(`Unknown event "${String(event).slice(0, 64)}".`);
    if (typeof listener !== 'function') throw new Error('The listener must be a function.');
    const channel = eventChannel(event);
    const forward: IpcListener = (_event, payload) => listener(payload as EventPayload<E>);
    ipc.on(channel, forward);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      ipc.removeListener(channel, forward);
    };
  }

  return Object.freeze({ request, subscribe });
}

function isReply(value: unknown): value is Reply<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const reply = value as { ok?: unknown; value?: unknown; error?: unknown };
  if (reply.ok === true) return 'value' in reply;
  if (reply.ok !== false || typeof reply.error !== 'object' || reply.error === null) return false;
  const error = reply.error as { code?: unknown; message?: unknown };
  return typeof error.code === 'string' && typeof error.message === 'string';
}
