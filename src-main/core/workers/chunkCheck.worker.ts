import { parentPort } from 'node:worker_threads';
import { ChunkCheck, type CheckReply, type CheckRequest } from '../files/chunkCheck';

/**
 * The chunk check of every running download (files/chunkChecker.ts): one
 * long-lived thread, one ChunkCheck per download session. Messages are
 * handled in the order they were posted, so each session's prefix, runs and
 * digest happen in that order too. A run's buffer goes back (transferred) so
 * the main thread writes the bytes that were checked, without a copy.
 */

const port = parentPort;
if (port === null) throw new Error('chunkCheck.worker must run as a worker thread');
const sessions = new Map<number, ChunkCheck>();

function reply(message: CheckReply, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

port.on('message', (message: CheckRequest) => {
  const { session } = message;
  if (message.op === 'begin') {
    sessions.set(session, new ChunkCheck(message.file, message.from));
    return;
  }
  if (message.op === 'end') {
    sessions.delete(session);
    return;
  }
  const check = sessions.get(session);
  if (check === undefined) {
    // Only after an end the main thread already forgot: nothing waits for an answer.
    return;
  }
  try {
    if (message.op === 'prefix') reply({ op: 'prefix', session, firstBad: check.prefix(message.fd) });
    else if (message.op === 'run') {
      const verdict = check.run(message.first, new Uint8Array(message.buffer), message.lengths);
      reply({ op: 'run', session, first: message.first, buffer: message.buffer, verdict }, [message.buffer]);
    } else {
      const sha256 = check.digest();
      sessions.delete(session);
      reply({ op: 'digest', session, sha256 });
    }
  } catch (err) {
    // A read error of the prefix (EIO), a broken invariant: that download stops, the others go on.
    sessions.delete(session);
    reply({ op: 'failed', session, message: err instanceof Error ? err.message : String(err) });
  }
});
