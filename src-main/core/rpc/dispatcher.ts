import {
  isRequestName,
  requests,
  type ErrorPayload,
  type ParsedParams,
  type Reply,
  type RequestName,
  type RequestResult,
} from '../../../src-shared/contract';
import { withCleanNames } from '../../../src-shared/contract/bidi';
import { databaseError, isParleyError } from '../errors';
import { errorFields, type Logger } from '../util/logger';

/** One handler per contract request; TypeScript refuses a missing one. */
export type Handlers = {
  [N in RequestName]: (params: ParsedParams<N>) => Promise<RequestResult<N>> | RequestResult<N>;
};

export type Dispatch = (name: unknown, params: unknown) => Promise<Reply<unknown>>;

/**
 * The single entry for every shell (IPC, WebSocket, CLI): checks the name and
 * the params against the contract, runs the handler, checks the result, and
 * turns every failure into `{ code, message }` (DESIGN.md §1 rule 4).
 */
export function createDispatcher(handlers: Handlers, logger: Logger): Dispatch {
  return async (name, params) => {
    if (!isRequestName(name)) {
      return fail({ code: 'UNKNOWN_REQUEST', message: `Unknown request "${String(name).slice(0, 64)}".` });
    }
    const def = requests[name];
    const parsed = def.params.safeParse(params ?? {});
    if (!parsed.success) {
      // Issue messages describe the rule, never the rejected value (it may be a passphrase).
      const detail = parsed.error.issues
        .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
        .join('; ');
      return fail({ code: 'INVALID_PARAMS', message: detail });
    }
    try {
      const handler = handlers[name] as (p: unknown) => Promise<unknown> | unknown;
      const value = await handler(parsed.data);
      const checked = def.result.safeParse(value);
      if (!checked.success) {
        logger.log('error', 'rpc.bad_result', { request: name });
        return fail({
          code: 'INTERNAL',
          message: 'Parley hit an internal error. Your data was not changed.',
        });
      }
      // Names are shown by every shell: no bidi override may reorder them (issue #14 item 12).
      return { ok: true, value: withCleanNames(checked.data) };
    } catch (err) {
      if (isParleyError(err)) return fail(err.toPayload());
      // The disk or the file said no: say which, never "internal error" (issue #14 items 7, 8).
      const storage = databaseError(err);
      if (storage) {
        logger.log('error', 'rpc.storage_failed', { request: name, ...errorFields(err) });
        return fail(storage.toPayload());
      }
      logger.log('error', 'rpc.handler_failed', { request: name, ...errorFields(err) });
      return fail({ code: 'INTERNAL', message: 'Parley hit an internal error. Your data was not changed.' });
    }
  };
}

function fail(error: ErrorPayload): Reply<never> {
  return { ok: false, error };
}
