import type { FileView } from '../../../src-shared/contract/areas/files';
import { ParleyError } from '../errors';
import type { AttachmentRepository, AttachmentRow } from '../store/repositories/attachmentRepository';
import { imageMime } from '../util/imageType';

/** How an attachment row looks to the UI; `sentBytes` is what recipients fetched of an outgoing file. */
export function toFileView(row: AttachmentRow, sentBytes: number): FileView {
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

/** The attachment, or INVALID_PARAMS when there is none. */
export function attachmentOf(rows: AttachmentRepository, attachmentId: number): AttachmentRow {
  const row = rows.get(attachmentId);
  if (!row) throw new ParleyError('INVALID_PARAMS', 'No such file.');
  return row;
}

/** The attachment if its bytes are all here, or INVALID_STATE. */
export function completeAttachmentOf(rows: AttachmentRepository, attachmentId: number): AttachmentRow {
  const row = attachmentOf(rows, attachmentId);
  if (row.state !== 'complete' || row.path === null)
    throw new ParleyError('INVALID_STATE', 'This file is not here (yet). Download it first.');
  return row;
}
