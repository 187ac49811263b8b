import { describe, expect, it } from 'vitest';
import type { HandlerDeps } from '../handlers/deps';
import { filesHandlers } from '../handlers/files';

describe('files handlers', () => {
  it('refuse paths in the web shell (its page may not read or write this machine’s files)', async () => {
    const deps = {
      info: { name: 'Parley', version: '0', shell: 'web', profileDir: '/tmp/x' },
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
  });
});
