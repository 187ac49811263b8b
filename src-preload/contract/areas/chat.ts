import type { EventTable, RequestTable } from './table';

/** Rich messages: replies, reactions, edits, deletes, receipts, typing (issue #6). */
export const chatRequests = {} as const satisfies RequestTable;

export const chatEvents = {} as const satisfies EventTable;
