import { connect, type Socket } from 'node:net';
import type { Reply } from '../../../src-shared/contract';
import { ParleyError } from '../../core/errors';
import { controlSocketProblem } from '../../core/profile/profileFolder';
import { CONTROL_MAX_LINE_BYTES } from './controlServer';
import { parseResponseFrame } from './controlFrames';

export const NO_NODE_MESSAGE =
  'No parley node is running for this profile; start one with `parley node --profile DIR`.';

/** Accepting an invite dials the inviter and waits for its answer; that can take a while on a slow network. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
const CONNECT_TIMEOUT_MS = 5_000;

export interface ControlClient {
  /** Never throws: a timeout or a lost connection is a DISCONNECTED reply. */
  request(name: string, params: unknown, options?: { timeoutMs?: number }): Promise<Reply<unknown>>;
  close(): void;
}

/** Connects to a running node's control socket; ParleyError('DISCONNECTED', NO_NODE_MESSAGE) when none listens. */
export async function connectControl(
  path: string,
  options: { connectTimeoutMs?: number } = {},
): Promise<ControlClient> {
  // Before a byte goes out: a socket another local user could have put there is not our node.
  const problem = controlSocketProblem(path);
  if (problem) throw new ParleyError('INVALID_STATE', problem);
  const socket = await new Promise<Socket>((resolveConnect, rejectConnect) => {
    const s = connect(path);
    const timer = setTimeout(() => {
      s.destroy();
      rejectConnect(
        new ParleyError('DISCONNECTED', 'The parley node did not accept the connection in time.'),
      );
    }, options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
    s.once('connect', () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      resolveConnect(s);
    });
    s.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // ENOENT: no socket file; ECONNREFUSED: a stale one left by a node that stopped.
      const none = err.code === 'ENOENT' || err.code === 'ECONNREFUSED';
      rejectConnect(
        new ParleyError(
          'DISCONNECTED',
          none ? NO_NODE_MESSAGE : `Cannot reach the parley node (${err.code ?? 'error'}).`,
        ),
      );
    });
  });

  type Waiter = (reply: Reply<unknown>) => void;
  const waiting = new Map<number, Waiter>();
  let nextId = 1;
  let buffered = '';
  let gone: Reply<unknown> | null = null;

  const failAll = (reply: Reply<unknown>): void => {
    gone ??= reply;
    for (const waiter of waiting.values()) waiter(reply);
    waiting.clear();
  };
  const disconnected = (message: string): Reply<unknown> => ({
    ok: false,
    error: { code: 'DISCONNECTED', message },
  });

  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    if (buffered.length > CONTROL_MAX_LINE_BYTES * 4) {
      failAll(disconnected('The parley node sent an oversized answer.'));
      socket.destroy();
      return;
    }
    let newline: number;
    while ((newline = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      const frame = parseResponseFrame(line);
      if (!frame) {
        failAll(disconnected('The parley node sent an unreadable answer.'));
        socket.destroy();
        return;
      }
      // id null: the node could not read one of our frames and closes; every pending request fails with its reason.
      if (frame.id === null) {
        failAll(frame.reply);
        continue;
      }
      const waiter = waiting.get(frame.id);
      waiting.delete(frame.id);
      waiter?.(frame.reply);
    }
  });
  socket.on('error', () => failAll(disconnected('Lost the connection to the parley node.')));
  socket.on('close', () => failAll(disconnected('The parley node closed the connection.')));

  return {
    request(name, params, requestOptions = {}) {
      if (gone) return Promise.resolve(gone);
      const id = nextId++;
      return new Promise<Reply<unknown>>((resolveReply) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          resolveReply(disconnected(`The parley node did not answer "${name}" in time.`));
        }, requestOptions.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
        waiting.set(id, (reply) => {
          clearTimeout(timer);
          resolveReply(reply);
        });
        socket.write(`${JSON.stringify({ id, name, params: params ?? {} })}\n`);
      });
    },
    close() {
      socket.end();
      socket.destroy();
    },
  };
}
