import { describe, expect, it } from 'vitest';
import type { HandlerDeps } from '../handlers/deps';
import { filesHandlers } from '../handlers/files';

describe('files handlers', () => {
  // The Electron renderer and the web shell's page reach these requests alike:
  // neither may make the core read or write a path of its choosing.
  it.each(['web', 'electron'] as const)(
    'refuse paths from the %s renderer (it may not read or write this machine’s files)',
    async (shell) => {
      const deps = {
        info: { name: 'Parley', version: '0', shell, profileDir: '/tmp/x' },
        messaging: {
          running: () => Promise.reject(new Error('must not be reached')),
        },
      } as unknown as HandlerDeps;
      const h = filesHandlers(deps);
      await expect(h['files.sendPath']({ conversationId: 1, path: '/etc/passwd' })).rejects.toMatchObject({
        code: 'INVALID_STATE',
      });
      await expect(h['files.saveTo']({ attachmentId: 1, path: '/tmp/out' })).rejects.toMatchObject({
        code: 'INVALID_STATE',
      });
    },
  );
});
