import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import type { Reply } from '../../../src-shared/contract';
import type { Dispatch } from '../../core/rpc/dispatcher';
import { ParleyError } from '../../core/errors';
import { controlSocketProblem } from '../../core/profile/profileFolder';
import { errorFields, type Logger } from '../../core/util/logger';
import { parseRequestFrame, type ResponseFrame } from './controlFrames';

/** One request or answer per line; a longer line is an attack or a bug, never a legitimate request. */
export const CONTROL_MAX_LINE_BYTES = 1024 * 1024;
/** Requests one connection may have running; more are refused rather than queued without bound. */
export const CONTROL_MAX_IN_FLIGHT = 32;
/** Unix socket paths are limited by sockaddr_un (104 bytes on macOS, 108 on Linux). */
const MAX_UNIX_SOCKET_PATH = 103;

/**
 * Requests the control socket refuses. Whoever can open the socket is this
 * user, but the node must stay unlocked and passphrases never travel over it:
 * `profile.status` is the only profile request a script needs.
 */
const REFUSED_PREFIX = 'profile.';
const ALLOWED_PROFILE_REQUESTS = new Set(['profile.status']);

/** `<profile>/parley.sock`; on Windows a named pipe named after the profile path. */
export function controlSocketPath(profileDir: string, platform: NodeJS.Platform = process.platform): string {
  const dir = resolve(profileDir);
  if (platform === 'win32') {
    const hash = createHash('sha256').update(dir.toLowerCase()).digest('hex').slice(0, 32);
    return `\\\\.\\pipe\\parley-${hash}`;
  }
  return join(dir, 'parley.sock');
}

export interface ControlServerOptions {
  path: string;
  dispatch: Dispatch;
  logger: Logger;
  maxLineBytes?: number;
  maxInFlight?: number;
}

export interface ControlServer {
  path: string;
  /** Stops accepting, closes every connection, waits for running requests, removes the socket. */
  close(): Promise<void>;
}

const isWindowsPipe = (path: string): boolean => path.startsWith('\\\\.\\pipe\\');

/**
 * The local control socket of `parley node`: newline-delimited JSON
 * `{id, name, params}` → `{id, reply}`, answered by `core.dispatch`, so other
 * `parley` commands can use the running node instead of opening the database
 * (which the node holds locked). The socket file is owner-only (0600) inside
 * the owner-only profile folder.
 */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const { path, dispatch, logger } = options;
  const maxLineBytes = options.maxLineBytes ?? CONTROL_MAX_LINE_BYTES;
  const maxInFlight = options.maxInFlight ?? CONTROL_MAX_IN_FLIGHT;
  const unix = !isWindowsPipe(path);
  if (unix) {
    if (Buffer.byteLength(path) > MAX_UNIX_SOCKET_PATH) {
      throw new ParleyError(
        'INVALID_STATE',
        `The profile folder path is too long for a local socket (${path}); use a shorter --profile path.`,
      );
    }
    // The folder must be ours and closed to others, or clients would refuse this socket anyway.
    const problem = controlSocketProblem(path);
    if (problem) throw new ParleyError('INVALID_STATE', problem);
    await removeStaleSocket(path);
  }

  const connections = new Set<Socket>();
  const running = new Set<Promise<void>>();
  const server = createServer((socket) => attach(socket));

  function attach(socket: Socket): void {
    connections.add(socket);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let inFlight = 0;
    let closing = false;
    socket.on('close', () => connections.delete(socket));
    socket.on('error', (err) => logger.log('debug', 'control.socket_error', errorFields(err)));

    const send = (frame: ResponseFrame): void => {
      if (!socket.destroyed && socket.writable) socket.write(`${JSON.stringify(frame)}\n`);
    };
    /** A client that breaks the protocol is told why once, then dropped: nothing it sends later is trusted. */
    const refuse = (message: string, event: string): void => {
      closing = true;
      logger.log('warn', event, {});
      send({ id: null, reply: { ok: false, error: { code: 'INVALID_PARAMS', message } } });
      socket.end();
      // Do not wait for a client that never reads its end of the socket.
      setTimeout(() => socket.destroy(), 1000).unref();
    };

    const handleLine = (line: Buffer): void => {
      const frame = parseRequestFrame(line.toString('utf8'));
      if (!frame) {
        refuse(
          'Malformed request frame: expected one JSON object {id, name, params} per line.',
          'control.malformed_frame',
        );
        return;
      }
      if (inFlight >= maxInFlight) {
        send({
          id: frame.id,
          reply: { ok: false, error: { code: 'INTERNAL', message: 'Too many requests at once; try again.' } },
        });
        return;
      }
      if (frame.name.startsWith(REFUSED_PREFIX) && !ALLOWED_PROFILE_REQUESTS.has(frame.name)) {
        send({
          id: frame.id,
          reply: {
            ok: false,
            error: {
              code: 'UNKNOWN_REQUEST',
              message: `"${frame.name}" is not available over the node's control socket.`,
            },
          },
        });
        return;
      }
      inFlight++;
      const work = dispatch(frame.name, frame.params)
        .catch(
          (err: unknown): Reply<unknown> => (
            logger.log('error', 'control.dispatch_failed', errorFields(err)),
            { ok: false, error: { code: 'INTERNAL', message: 'Parley hit an internal error.' } }
          ),
        )
        .then((reply) => {
          inFlight--;
          send({ id: frame.id, reply });
        });
      running.add(work);
      void work.finally(() => running.delete(work));
    };

    socket.on('data', (chunk: Buffer) => {
      let rest = chunk;
      while (!closing) {
        const newline = rest.indexOf(0x0a);
        if (newline === -1) {
          pending.push(rest);
          pendingBytes += rest.length;
          if (pendingBytes > maxLineBytes) refuse('Request frame too large.', 'control.frame_too_large');
          return;
        }
        const tail = rest.subarray(0, newline);
        if (pendingBytes + tail.length > maxLineBytes) {
          refuse('Request frame too large.', 'control.frame_too_large');
          return;
        }
        const line = pending.length ? Buffer.concat([...pending, tail]) : tail;
        pending = [];
        pendingBytes = 0;
        rest = rest.subarray(newline + 1);
        // Blank lines (a trailing "\r\n" from a hand-typed session) are not frames.
        if (line.toString('utf8').trim() !== '') handleLine(line);
      }
    });
  }

  await listen(server, path, unix);
  logger.log('info', 'control.listening', {});

  let closed: Promise<void> | null = null;
  return {
    path,
    close() {
      closed ??= (async () => {
        const stopped = new Promise<void>((r) => server.close(() => r()));
        for (const socket of connections) socket.destroy();
        await stopped;
        await Promise.allSettled([...running]);
        if (unix) rmSync(path, { force: true });
        logger.log('info', 'control.closed', {});
      })();
      return closed;
    },
  };
}

async function listen(server: Server, path: string, unix: boolean): Promise<void> {
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    // The socket file is created by bind() inside listen(), synchronously: a
    // tight umask for that call makes it owner-only from its first moment (the
    // chmod below covers runtimes where umask cannot be changed, e.g. workers).
    const previous = unix ? trySetUmask(0o077) : undefined;
    try {
      server.listen(path, () => {
        server.off('error', rejectListen);
        resolveListen();
      });
    } finally {
      if (previous !== undefined) trySetUmask(previous);
    }
  }).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw anotherNodeRuns();
    throw err;
  });
  if (unix) chmodSync(path, 0o600);
}

function trySetUmask(mask: number): number | undefined {
  try {
    return process.umask(mask);
  } catch {
    return undefined;
  }
}

const anotherNodeRuns = (): ParleyError =>
  new ParleyError('PROFILE_IN_USE', 'A parley node is already running for this profile.');

/**
 * A socket file left by a node that crashed blocks listen(); it is removed
 * only when nothing answers on it. A live one means another node runs, and a
 * file that is not a socket is not ours to delete.
 */
async function removeStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!isSocket) {
    throw new ParleyError('INVALID_STATE', `${path} exists and is not a socket; remove it and try again.`);
  }
  const live = await new Promise<boolean>((resolveProbe) => {
    const probe = connect(path);
    const timer = setTimeout(() => {
      probe.destroy();
      // Something accepted the connection at the OS level but does not answer: treat as live.
      resolveProbe(true);
    }, 1000);
    probe.once('connect', () => {
      clearTimeout(timer);
      probe.destroy();
      resolveProbe(true);
    });
    probe.once('error', () => {
      clearTimeout(timer);
      resolveProbe(false);
    });
  });
  if (live) throw anotherNodeRuns();
  rmSync(path, { force: true });
}
