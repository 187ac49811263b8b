import type { MessageView } from '../../../src-shared/contract';
import type { filesRequests } from '../../../src-shared/contract/areas/files';
import { FILE_BRIDGE_CHUNK_BYTES } from '../../../src-shared/contract/areas/files';
import { ParleyError } from '../errors';
import type { Message } from '../store/repositories/types';
import type { HandlerDeps, HandlersFor } from './deps';
import { fileView } from './filePresenter';
import { messageViews } from './messagePresenter';

/** Handlers of contract/areas/files.ts; the work is in core/files (FileService). */
export function filesHandlers(deps: HandlerDeps): HandlersFor<keyof typeof filesRequests> {
  const { store, messaging } = deps;
  const files = async () => (await messaging.running()).files;
  /**
   * Paths on this machine are for the CLI only (`parley send --file`). In the
   * Electron app and the web shell every request comes from the renderer, a
   * page that renders other people's content: were it ever compromised (XSS
   * through content, DESIGN.md §3), path requests would let it read any file
   * and send it away, or write anywhere. The renderer stages and reads bytes
   * instead.
   */
  const pathsAllowed = (): void => {
    if (deps.info.shell !== 'cli')
      throw new ParleyError(
        'INVALID_STATE',
        'Paths can only be used from the command line; attach or save the file instead.',
      );
  };
  const view = (message: Message): MessageView => {
    const [v] = messageViews(store(), [message]);
    if (!v) throw new ParleyError('INTERNAL', 'The message was not stored.');
    return v;
  };
  return {
    'files.sendPath': async ({ conversationId, path, name, mime }) => {
      pathsAllowed();
      return view(
        await (
          await files()
        ).sendPath(conversationId, path, {
          ...(name ? { name } : {}),
          ...(mime ? { mime } : {}),
        }),
      );
    },
    'files.sendHandle': async ({ conversationId, handle }) => {
      const entry = deps.hostFiles.use(handle, 'read');
      return view(await (await files()).sendPath(conversationId, entry.path, { name: entry.name }));
    },
    'files.saveToHandle': async ({ attachmentId, handle }) => {
      const entry = deps.hostFiles.use(handle, 'write');
      // The save dialog already asked before replacing a file that is there.
      await (await files()).saveTo(attachmentId, entry.path, { replace: true });
      deps.hostFiles.release(handle);
      return { name: entry.name };
    },
    'files.prepareDownload': async ({ attachmentId }) => {
      const service = await files();
      const view = service.get(attachmentId).attachment;
      if (view.state !== 'complete') {
        throw new ParleyError('INVALID_STATE', 'Download the file before saving it.');
      }
      const token = deps.hostFiles.offerDownload({
        name: view.name,
        size: view.size,
        mime: view.mime,
        // Decrypted chunk by chunk as the browser reads: the plaintext never touches the disk.
        async *open() {
          for (let offset = 0; offset < view.size;) {
            const { data, eof } = service.read(attachmentId, offset, FILE_BRIDGE_CHUNK_BYTES * 2);
            if (data.length === 0) break;
            yield data;
            offset += data.length;
            if (eof) break;
          }
        },
      });
      return { url: `/download/${token}` };
    },
    'files.stageBegin': async ({ name, size, mime }) => ({
      ...(await files()).stageBegin(name, size, mime),
      chunkBytes: FILE_BRIDGE_CHUNK_BYTES,
    }),
    'files.stageChunk': async ({ stageId, offset, data }) => ({
      received: (await files()).stageChunk(
        stageId,
        offset,
        typeof data === 'string' ? Buffer.from(data, 'base64') : data,
      ),
    }),
    'files.stageCommit': async ({ stageId, conversationId, thumbnail }) =>
      view(
        await (
          await files()
        ).stageCommit(
          stageId,
          conversationId,
          thumbnail
            ? {
                bytes: Buffer.from(thumbnail.data, 'base64'),
                width: thumbnail.width,
                height: thumbnail.height,
              }
            : undefined,
        ),
      ),
    'files.stageCancel': async ({ stageId }) => {
      (await files()).stageCancel(stageId);
      return {};
    },
    'files.forMessages': async ({ messageIds }) => (await files()).forMessages(messageIds).map(fileView),
    'files.download': async ({ attachmentId }) => fileView((await files()).download(attachmentId)),
    'files.cancel': async ({ attachmentId }) => fileView((await files()).cancel(attachmentId)),
    'files.saveTo': async ({ attachmentId, path }) => {
      pathsAllowed();
      return { path: await (await files()).saveTo(attachmentId, path) };
    },
    'files.read': async ({ attachmentId, offset, length }) => {
      const { data, eof } = (await files()).read(attachmentId, offset, length);
      return { data: data.toString('base64'), eof };
    },
    // Settings live in the database: readable and settable with networking off.
    'files.getSettings': async () => store().fileSettings.get(),
    'files.setSettings': async (patch) => store().fileSettings.set(patch),
  };
}
