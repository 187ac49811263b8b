import type { ImportCounts } from '../../../../src-shared/contract/areas/contacts';

/** The file name a contacts export is saved under, dated so exports do not overwrite each other. */
export function exportFileName(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `parley-contacts-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.json`;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** One sentence for the import result. */
export function importSummary(c: ImportCounts): string {
  if (c.added + c.updated + c.skipped === 0) return 'The file has no contacts.';
  return `Imported: ${plural(c.added, 'contact added', 'contacts added')}, ${c.updated} updated, ${c.skipped} skipped.`;
}

/** Largest file read for an import (the core refuses larger ones anyway). */
export const IMPORT_MAX_BYTES = 5_000_000;
