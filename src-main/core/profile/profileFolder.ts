import { chmodSync, lstatSync, mkdirSync, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { ParleyError } from '../errors';
import { silentLogger, type Logger } from '../util/logger';

/**
 * The profile folder is the boundary between this user and other local
 * users (issue #14 item 3). Everything inside is encrypted except the
 * control socket of `parley node`, which answers whoever can connect, and
 * whose clients trust whatever answers at its path. So the folder must be
 * this user's and closed to others: then nobody else can connect to the
 * socket, nor rename it away and put a fake one in its place.
 *
 * POSIX only: on Windows the folder lives in the user's profile (per-user
 * ACLs) and the socket is a named pipe, not a file in it.
 */

const posix = process.platform !== 'win32';

function currentUid(): number | null {
  return typeof process.getuid === 'function' ? process.getuid() : null;
}

const octal = (mode: number): string => (mode & 0o777).toString(8).padStart(3, '0');

/**
 * Creates the profile folder (0700) or closes an existing one to group and
 * others. Throws ParleyError('INVALID_STATE') with a message a user can act
 * on when the folder belongs to another user or is not a folder.
 */
export function secureProfileFolder(dir: string, logger: Logger = silentLogger): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!posix) return;
  const st = statSync(dir);
  if (!st.isDirectory()) {
    throw new ParleyError('INVALID_STATE', `The profile path ${dir} is not a folder.`);
  }
  const owner = ownerProblem(dir, st);
  if (owner) throw new ParleyError('INVALID_STATE', owner);
  if ((st.mode & 0o077) !== 0) {
    try {
      chmodSync(dir, 0o700);
      logger.log('warn', 'profile.folder_mode_fixed', { was: octal(st.mode) });
    } catch (err) {
      // A read-only file system: nobody can change anything in it, us included.
      if ((err as NodeJS.ErrnoException).code !== 'EROFS') throw err;
    }
  }
}

function ownerProblem(dir: string, st: Stats): string | null {
  const uid = currentUid();
  if (uid === null || st.uid === uid) return null;
  return (
    `The profile folder ${dir} belongs to another user (uid ${st.uid}), so they could read or ` +
    `replace what Parley keeps there. Use a folder of your own, or have its owner hand it over.`
  );
}

/**
 * Why a client must not trust the node's control socket at `socketPath`, or
 * null when it may: the socket and its folder are this user's, nobody else
 * can write to the folder, and the folder's parent does not let others swap
 * the folder itself. (Node.js offers no SO_PEERCRED/getpeereid; a socket
 * bound inside a folder only this user can write to could only have been
 * bound by this user or root, which is the same guarantee.)
 */
export function controlSocketProblem(socketPath: string): string | null {
  if (!posix) return null;
  const dir = dirname(socketPath);
  let folder: Stats;
  let socket: Stats;
  try {
    folder = statSync(dir);
  } catch {
    return null; // No folder, no socket: the caller's connect reports "no node running".
  }
  const owner = ownerProblem(dir, folder);
  if (owner) return owner;
  if ((folder.mode & 0o022) !== 0) {
    return (
      `The profile folder ${dir} can be changed by other users (mode ${octal(folder.mode)}), so ` +
      `its control socket could be a fake. Run "chmod 700 ${dir}" (or restart "parley node", which does it).`
    );
  }
  try {
    const parent = statSync(dirname(dir));
    // World-writable without the sticky bit: anyone could rename the whole folder away.
    if ((parent.mode & 0o002) !== 0 && (parent.mode & 0o1000) === 0) {
      return `The folder that holds the profile (${dirname(dir)}) can be changed by any user; move the profile elsewhere.`;
    }
  } catch {
    // The parent vanished meanwhile: the socket check below decides.
  }
  try {
    socket = lstatSync(socketPath);
  } catch {
    return null;
  }
  if (socket.isSymbolicLink()) return `The control socket ${socketPath} is a link; nothing was sent to it.`;
  if (!socket.isSocket()) return null; // connect() will fail on it and say so.
  const uid = currentUid();
  if (uid !== null && socket.uid !== uid) {
    return `The control socket ${socketPath} belongs to another user (uid ${socket.uid}); nothing was sent to it.`;
  }
  if ((socket.mode & 0o022) !== 0) {
    return `The control socket ${socketPath} is writable by other users; nothing was sent to it. Restart "parley node".`;
  }
  return null;
}
