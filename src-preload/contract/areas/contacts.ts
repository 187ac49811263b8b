import type { EventTable, RequestTable } from './table';

/** Contacts: verify (safety number), rename, remove, block, import/export, key-change alerts (issues #4, #6). */
export const contactsRequests = {} as const satisfies RequestTable;

export const contactsEvents = {} as const satisfies EventTable;
