import { ParleyError } from '../errors';
import { isNetError } from '../net/netError';

/**
 * Runs a network-bound operation and turns "the other device did not answer"
 * into UNREACHABLE with a message a user can act on.
 */
export async function reaching<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (isNetError(err)) {
      throw new ParleyError(
        'UNREACHABLE',
        `${what} is not reachable right now. Try again when they are online.`,
        { cause: err },
      );
    }
    throw err;
  }
}
