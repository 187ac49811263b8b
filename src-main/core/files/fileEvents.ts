import type { EventPayload } from '../../../src-shared/contract';
import type { AttachmentRepository, AttachmentRow } from '../store/repositories/attachmentRepository';
import { errorFields, type Logger } from '../util/logger';

export type FileEvent =
  | { event: 'files.progress'; payload: EventPayload<'files.progress'> }
  | { event: 'files.changed'; payload: EventPayload<'files.changed'> };

/** Progress of one file is reported at most this often (the last one always). */
const PROGRESS_EVERY_MS = 100;

/**
 * What the shells hear about files: state changes, progress (throttled), and
 * for outgoing files how much the furthest recipient fetched (kept in memory
 * only: after a restart an outgoing file shows as sent in full again).
 */
export class FileEvents {
  private readonly listeners = new Set<(e: FileEvent) => void>();
  private readonly lastProgress = new Map<number, number>();
  private readonly sent = new Map<number, number>();

  constructor(
    private readonly rows: AttachmentRepository,
    private readonly logger: Logger,
  ) {}

  onEvent(listener: (e: FileEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Bytes of an outgoing file some recipient fetched so far. */
  sentBytes(attachmentId: number): number {
    return this.sent.get(attachmentId) ?? 0;
  }

  /** An outgoing file counts as sent up to `bytes` (inline files: all of it, with the message). */
  markSent(attachmentId: number, bytes: number): void {
    this.sent.set(attachmentId, bytes);
  }

  forgetSent(attachmentId: number): void {
    this.sent.delete(attachmentId);
  }

  /** A recipient fetched an outgoing file up to `done` bytes: report it if that is further than before. */
  served(row: AttachmentRow, done: number): void {
    if (done <= this.sentBytes(row.id)) return;
    this.sent.set(row.id, done);
    this.progress(row, done, 'send', done === row.size);
  }

  changed(attachmentId: number): void {
    const row = this.rows.get(attachmentId);
    if (!row) return;
    this.emit({
      event: 'files.changed',
      payload: {
        attachmentId: row.id,
        messageId: row.message_id,
        conversationId: row.conversation_id,
        state: row.state,
      },
    });
  }

  progress(row: AttachmentRow, bytesDone: number, direction: 'send' | 'receive', force: boolean): void {
    const now = Date.now();
    if (!force && now - (this.lastProgress.get(row.id) ?? 0) < PROGRESS_EVERY_MS) return;
    this.lastProgress.set(row.id, now);
    this.emit({
      event: 'files.progress',
      payload: {
        attachmentId: row.id,
        messageId: row.message_id,
        conversationId: row.conversation_id,
        bytesDone,
        bytesTotal: row.size,
        direction,
      },
    });
  }

  private emit(e: FileEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(e);
      } catch (err) {
        this.logger.log('error', 'files.listener_failed', errorFields(err));
      }
    }
  }
}
