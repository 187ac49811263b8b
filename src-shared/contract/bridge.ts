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
 * the credential travels in the upgrade URL's query; see src-main/cli/web.
 *
 * Credentials: the URL `parley web` prints carries a one-time `token`. The
 * first socket that presents it spends it and gets a `secret` for its tab in
 * the `hello` frame; the tab keeps that secret (sessionStorage) and presents
 * it as `secret` from then on, so a reload works while the printed URL opened
 * anywhere else is refused.
 */
export const WS_MAX_FRAME_BYTES = 1024 * 1024;
export const WS_PATH = '/bridge';

/**
 * Close codes (RFC 6455 §7.4.2: 4000–4999 are for applications) that tell the
 * page why it was refused, which a refused HTTP upgrade could not: the browser
 * hides the status of a failed WebSocket handshake from scripts.
 */
export const WS_CLOSE = {
  /** The printed URL's token was already exchanged by another tab or browser. */
  LINK_USED: 4001,
  /** The token or tab secret is not this run's: the tab belongs to an earlier `parley web`. */
  EARLIER_RUN: 4002,
} as const;

export const ClientFrame = z
  .object({
    t: z.literal('req'),
    id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    name: z.string().max(128),
    params: z.unknown(),
    /**
     * Binary frames only: the name of the top-level param whose value is the
     * frame's payload bytes (file uploads travel as raw bytes, not base64).
     */
    bin: z.string().max(64).optional(),
  })
  .strict();
export type ClientFrame = z.infer<typeof ClientFrame>;

export type ServerFrame =
  | { t: 'res'; id: number; reply: Reply<unknown> }
  | { t: 'evt'; name: EventName; payload: unknown }
  /** The first frame on every accepted socket; `secret` when the URL token was just exchanged. */
  | { t: 'hello'; secret?: string };

/**
 * A binary client frame: a 4-byte big-endian length, that many bytes of a
 * UTF-8 JSON `ClientFrame` header with `bin` set, then the payload bytes.
 */
export function encodeBinaryFrame(header: ClientFrame, payload: Uint8Array): Uint8Array<ArrayBuffer> {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(4 + json.length + payload.length);
  new DataView(out.buffer).setUint32(0, json.length);
  out.set(json, 4);
  out.set(payload, 4 + json.length);
  return out;
}

/** The header and payload of a binary frame, or null when it is malformed. */
export function decodeBinaryFrame(frame: Uint8Array): { header: unknown; payload: Uint8Array } | null {
  if (frame.length < 4) return null;
  const length = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0);
  if (length > frame.length - 4 || length > 4096) return null;
  try {
    const header: unknown = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(frame.subarray(4, 4 + length)),
    );
    return { header, payload: frame.subarray(4 + length) };
  } catch {
    return null;
  }
}
