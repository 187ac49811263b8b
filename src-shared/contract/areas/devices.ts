import { z } from 'zod';
import type { EventTable } from './table';

/**
 * Several devices per person (issue 18, docs/protocol.md §13.10): the
 * `devices.` namespace. Three parts of issue 18 add to it; each keeps its
 * own block below (device list, linking, history) so they merge apart.
 */

// ---- History on a new device (§13.7; history/) -------------------------------

export const HistoryPhase = z.enum(['snapshot', 'database', 'import', 'files', 'done', 'failed']);
export type HistoryPhase = z.infer<typeof HistoryPhase>;

/**
 * Progress of a history transfer to this new device, at most every 100 ms:
 * `snapshot` while the other device prepares it, `database` while the sealed
 * stream comes (bytes), `import` while messages go in (messages), `files`
 * while attachments come, then `done`, or `failed` with what the user reads.
 */
export const HistoryProgressEvent = z.object({
  transferId: z.string().regex(/^[0-9a-f]{32}$/),
  phase: HistoryPhase,
  bytesDone: z.number().int().min(0),
  bytesTotal: z.number().int().min(0),
  messagesDone: z.number().int().min(0),
  messagesTotal: z.number().int().min(0),
  error: z.string().max(500).optional(),
});
export type HistoryProgressEvent = z.infer<typeof HistoryProgressEvent>;

// ---- The namespace's events: one line per part ---------------------------------

export const devicesEvents = {
  /** History on a new device (§13.7). */
  'devices.historyProgress': HistoryProgressEvent,
} as const satisfies EventTable;
