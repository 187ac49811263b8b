import type { FileView } from '../../../src-shared/contract/areas/files';
import type { FileProgress } from '../files/attachmentLookup';
import { imageMime } from '../util/imageType';

/**
 * The presenter of files (contract/areas/files.ts): the file service hands
 * out an attachment and its progress; the FileView the renderer sees, with
 * its direction, bytes done and thumbnail as a data: URL, is made here.
 */
export function fileView({ attachment: row, sentBytes }: FileProgress): FileView {
  const thumbMime = row.thumbnail ? imageMime(row.thumbnail) : null;
  const outgoing = row.outgoing === 1;
  return {
    attachmentId: row.id,
    messageId: row.message_id,
    conversationId: row.conversation_id,
    name: row.name,
    size: row.size,
    mime: row.mime,
    direction: outgoing ? 'outgoing' : 'incoming',
    state: row.state,
    bytesDone: outgoing ? Math.min(row.size, sentBytes) : Math.min(row.size, row.transferred),
    thumbnail:
      row.thumbnail && thumbMime ? `data:${thumbMime};base64,${row.thumbnail.toString('base64')}` : null,
    width: row.width,
    height: row.height,
    error: row.error,
  };
}
