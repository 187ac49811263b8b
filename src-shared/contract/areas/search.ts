import { z } from 'zod';
import { SearchResult } from '../store';
import type { EventTable, RequestTable } from './table';

/** Full-text search over the unlocked profile's messages and file names. */

export const searchRequests = {
  /** Full-text search with the query language (words, "phrases", prefix*, from:, in:, before:, after:, has:file). */
  'search.query': {
    params: z
      .object({
        text: z.string().max(2000),
        conversationId: z.number().int().optional(),
        limit: z.number().int().min(1).max(100).optional(),
      })
      .strict(),
    result: SearchResult,
  },
} as const satisfies RequestTable;

export const searchEvents = {} as const satisfies EventTable;
