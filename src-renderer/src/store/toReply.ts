import type { Reply } from '../../../src-shared/contract';
import { toErrorPayload } from '../api/client';

/**
 * A request's answer for a store action whose result belongs to the component
 * that asked (a dialog's invite, a safety number): the value, or the error as
 * the plain `{ code, message }` the UI shows. Components never see a throw.
 */
export async function toReply<T>(work: Promise<T>): Promise<Reply<T>> {
  try {
    return { ok: true, value: await work };
  } catch (err) {
    return { ok: false, error: toErrorPayload(err) };
  }
}
