import type { Db } from '../encryptedDatabase';

/** A history transfer's state (docs/protocol.md §13.7; migration 0020). */
export type HistoryTransferState =
  'preparing' | 'ready' | 'receiving' | 'importing' | 'files' | 'done' | 'failed' | 'gone';

export interface HistoryTransferRow {
  transferId: Buffer;
  role: 'send' | 'receive';
  /** send: the device it is granted to; receive: the device it comes from. */
  peerId: string;
  kHistory: Buffer;
  header: Buffer | null;
  /** receive: the manifest JSON (with the snapshot key) once chunk 0 was accepted. */
  manifest: string | null;
  databaseStart: number | null;
  nextChunk: number;
  bytesDone: number;
  withFiles: boolean;
  state: HistoryTransferState;
  error: string | null;
  createdAt: number;
  expiresAt: number;
}

interface Row {
  transfer_id: Buffer;
  role: 'send' | 'receive';
  peer_id: string;
  k_history: Buffer;
  header: Buffer | null;
  manifest: string | null;
  database_start: number | null;
  next_chunk: number;
  bytes_done: number;
  with_files: number;
  state: HistoryTransferState;
  error: string | null;
  created_at: number;
  expires_at: number;
}

const toRow = (r: Row): HistoryTransferRow => ({
  transferId: r.transfer_id,
  role: r.role,
  peerId: r.peer_id,
  kHistory: r.k_history,
  header: r.header,
  manifest: r.manifest,
  databaseStart: r.database_start,
  nextChunk: r.next_chunk,
  bytesDone: r.bytes_done,
  withFiles: r.with_files === 1,
  state: r.state,
  error: r.error,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});

/** Both sides' history transfers (history/ keeps the rules). */
export class HistoryTransferRepository {
  constructor(private readonly db: Db) {}

  /** A new transfer; an existing one with this id is left as it is (returns false). */
  create(t: {
    transferId: Uint8Array;
    role: 'send' | 'receive';
    peerId: string;
    kHistory: Uint8Array;
    withFiles: boolean;
    state: HistoryTransferState;
    now: number;
    expiresAt: number;
  }): boolean {
    return (
      this.db
        .prepare(
          `INSERT INTO history_transfers (transfer_id, role, peer_id, k_history, with_files, state, created_at,
             expires_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (transfer_id) DO NOTHING`,
        )
        .run(
          Buffer.from(t.transferId),
          t.role,
          t.peerId,
          Buffer.from(t.kHistory),
          t.withFiles ? 1 : 0,
          t.state,
          t.now,
          t.expiresAt,
          t.now,
        ).changes === 1
    );
  }

  get(transferId: Uint8Array): HistoryTransferRow | null {
    const r = this.db
      .prepare('SELECT * FROM history_transfers WHERE transfer_id = ?')
      .get(Buffer.from(transferId)) as Row | undefined;
    return r ? toRow(r) : null;
  }

  /** Transfers of one role in these states, oldest first. */
  inStates(role: 'send' | 'receive', states: readonly HistoryTransferState[]): HistoryTransferRow[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM history_transfers WHERE role = ? AND state IN (SELECT value FROM json_each(?))
           ORDER BY created_at`,
        )
        .all(role, JSON.stringify(states)) as Row[]
    ).map(toRow);
  }

  setState(
    transferId: Uint8Array,
    state: HistoryTransferState,
    now: number,
    error: string | null = null,
  ): void {
    this.db
      .prepare('UPDATE history_transfers SET state = ?, error = ?, updated_at = ? WHERE transfer_id = ?')
      .run(state, error, now, Buffer.from(transferId));
  }

  /** send: the stream is written; receive: the header of the stream being fetched. */
  setHeader(transferId: Uint8Array, header: Uint8Array, state: HistoryTransferState, now: number): void {
    this.db
      .prepare('UPDATE history_transfers SET header = ?, state = ?, updated_at = ? WHERE transfer_id = ?')
      .run(Buffer.from(header), state, now, Buffer.from(transferId));
  }

  /** receive: where the snapshot lies, read from chunk 0 (kept here, encrypted at rest). */
  setLayout(transferId: Uint8Array, manifest: string, databaseStart: number, now: number): void {
    this.db
      .prepare(
        'UPDATE history_transfers SET manifest = ?, database_start = ?, updated_at = ? WHERE transfer_id = ?',
      )
      .run(manifest, databaseStart, now, Buffer.from(transferId));
  }

  /** receive: every chunk before `nextChunk` is on disk (fsynced before this is called). */
  setProgress(transferId: Uint8Array, nextChunk: number, bytesDone: number, now: number): void {
    this.db
      .prepare(
        'UPDATE history_transfers SET next_chunk = ?, bytes_done = ?, updated_at = ? WHERE transfer_id = ?',
      )
      .run(nextChunk, bytesDone, now, Buffer.from(transferId));
  }

  /** Send transfers past their expiry that are not over yet (to be dropped: GONE). */
  expired(now: number): HistoryTransferRow[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM history_transfers WHERE role = 'send' AND expires_at <= ? AND state NOT IN ('gone', 'failed')`,
        )
        .all(now) as Row[]
    ).map(toRow);
  }
}
