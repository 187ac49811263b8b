import { closeSync, openSync, readSync } from 'node:fs';
import type { hostRequests, StartAtLogin } from '../../../src-shared/contract/areas/host';
import { HOST_CHUNK_BYTES } from '../../../src-shared/contract/areas/host';
import { ParleyError } from '../errors';
import type { HostShell } from '../host/hostShell';
import type { HandlerDeps, HandlersFor } from './deps';

/** Handlers of contract/areas/host.ts: dialogs (through the shell), uploads, start at login. */
export function hostHandlers(deps: HandlerDeps): HandlersFor<keyof typeof hostRequests> {
  const { hostFiles } = deps;

  const shell = (): HostShell => {
    if (!deps.hostShell) {
      throw new ParleyError(
        'INVALID_STATE',
        'This Parley has no file dialogs; choose the file in the page instead.',
      );
    }
    return deps.hostShell;
  };

  const startAtLogin = (): StartAtLogin => {
    const login = deps.hostShell?.startAtLogin;
    return login ? { supported: true, enabled: login.get() } : { supported: false, enabled: false };
  };

  return {
    'host.pickFiles': async ({ purpose, multiple }) => {
      const paths = await shell().pickFiles({ purpose, multiple: multiple ?? false });
      return {
        files: paths.map((path) => {
          const { handle, name, size } = hostFiles.add(path, 'read');
          return { handle, name, size };
        }),
      };
    },
    'host.pickSaveTarget': async ({ purpose, suggestedName }) => {
      const path = await shell().pickSaveTarget({ purpose, suggestedName });
      if (path === null) return { target: null };
      const { handle, name } = hostFiles.add(path, 'write');
      return { target: { handle, name } };
    },
    'host.pickFolder': async ({ purpose }) => {
      const path = await shell().pickFolder({ purpose });
      if (path === null) return { folder: null };
      const { handle, name } = hostFiles.add(path, 'folder');
      return { folder: { handle, name } };
    },
    'host.readFile': ({ handle, offset, length }) => {
      const entry = hostFiles.use(handle, 'read');
      const fd = openSync(entry.path, 'r');
      try {
        const buf = Buffer.alloc(Math.min(length, HOST_CHUNK_BYTES));
        const read = readSync(fd, buf, 0, buf.length, offset);
        return { data: buf.subarray(0, read).toString('base64'), eof: offset + read >= entry.size };
      } finally {
        closeSync(fd);
      }
    },
    'host.uploadBegin': ({ name, size }) => ({
      uploadId: hostFiles.uploadBegin(name, size),
      chunkBytes: HOST_CHUNK_BYTES,
    }),
    'host.uploadChunk': ({ uploadId, offset, data }) => ({
      received: hostFiles.uploadChunk(
        uploadId,
        offset,
        typeof data === 'string' ? Buffer.from(data, 'base64') : data,
      ),
    }),
    'host.uploadFinish': ({ uploadId }) => hostFiles.uploadFinish(uploadId),
    'host.uploadCancel': ({ uploadId }) => {
      hostFiles.uploadCancel(uploadId);
      return {};
    },
    'host.getStartAtLogin': () => startAtLogin(),
    'host.setStartAtLogin': ({ enabled }) => {
      const login = deps.hostShell?.startAtLogin;
      if (!login)
        throw new ParleyError('INVALID_STATE', 'Starting at login is only available in the desktop app.');
      login.set(enabled);
      return startAtLogin();
    },
  };
}
