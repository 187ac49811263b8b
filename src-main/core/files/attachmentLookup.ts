import { ParleyError } from '../errors';
import type { AttachmentRepository, AttachmentRow } from '../store/repositories/attachmentRepository';

/**
 * An attachment and how far its transfer got: the domain object the file
 * service hands out (handlers/filePresenter.ts makes the FileView).
 * `sentBytes` is what recipients fetched of an outgoing file.
 */
export interface FileProgress {
  attachment: AttachmentRow;
  sentBytes: number;
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
