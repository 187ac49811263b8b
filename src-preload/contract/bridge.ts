import { z } from 'zod';
import type { Reply } from './errors';
import type { EventName, EventPayload } from './events';
import type { RequestName, RequestParams, RequestResult } from './requests';

/**
 * The shape of `window.parley`: the only thing the preload exposes, and the
 * same shape the web shell's WebSocket client provides. Replies are values
 * (`{ ok, value | error }`) because thrown errors lose their fields when they
 * cross contextBridge or a socket.
 */
export interface ParleyBridge {
  request<N extends RequestName>(name: N, params: RequestParams<N>): Promise<Reply<RequestResult<N>>>;
  subscribe<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** IPC channel names, derived from contract names so none is written twice. */
export const requestChannel = (name: RequestName): string => `parley:request:${name}`;
export const eventChannel = (name: EventName): string => `parley:event:${name}`;

/**
 * The web shell's WebSocket frames. Browser WebSockets cannot send headers, so
 * the per-run token travels in the upgrade URL's query; see src-main/cli/web.
 */
export const WS_MAX_FRAME_BYTES = 1024 * 1024;
export const WS_PATH = '/bridge';

export const ClientFrame = z
  .object({
    t: z.literal('req'),
    id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    name: z.string().max(128),
    params: z.unknown(),
  })
  .strict();
export type ClientFrame = z.infer<typeof ClientFrame>;

export type ServerFrame =
  { t: 'res'; id: number; reply: Reply<unknown> } | { t: 'evt'; name: EventName; payload: unknown };
