import { z } from 'zod';
import { ErrorPayload, type Reply } from '../../../src-shared/contract';

/**
 * The control socket's frames, one JSON object per line. Names are checked
 * by the core's dispatcher, not here: the socket carries whatever the
 * contract knows, so a new request needs no change in this file.
 */
export const RequestFrame = z
  .object({
    id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    name: z.string().min(1).max(128),
    params: z.unknown(),
  })
  .strict();
export type RequestFrame = z.infer<typeof RequestFrame>;

/** `id` is null when the server answers a frame it could not read (and then closes the connection). */
export interface ResponseFrame {
  id: number | null;
  reply: Reply<unknown>;
}

const ResponseFrameSchema = z.object({
  id: z.number().int().nullable(),
  reply: z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value: z.unknown() }),
    z.object({ ok: z.literal(false), error: ErrorPayload }),
  ]),
});

export function parseRequestFrame(line: string): RequestFrame | null {
  const parsed = RequestFrame.safeParse(parseJson(line));
  return parsed.success ? parsed.data : null;
}

export function parseResponseFrame(line: string): ResponseFrame | null {
  const parsed = ResponseFrameSchema.safeParse(parseJson(line));
  if (!parsed.success) return null;
  const { id, reply } = parsed.data;
  return { id, reply: reply.ok ? { ok: true, value: reply.value } : { ok: false, error: reply.error } };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
