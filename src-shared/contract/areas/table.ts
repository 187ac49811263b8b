import type { z } from 'zod';

/** The shape every area's request table has (see ../requests.ts). */
export type RequestTable = Record<string, { params: z.ZodType; result: z.ZodType }>;
/** The shape every area's event table has (see ../events.ts). */
export type EventTable = Record<string, z.ZodType>;
