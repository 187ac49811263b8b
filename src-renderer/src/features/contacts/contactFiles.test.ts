import { describe, expect, it } from 'vitest';
import { exportFileName, importSummary } from './contactFiles';

describe('contact files', () => {
  it('names exports by date', () => {
    expect(exportFileName(new Date(2026, 0, 5))).toBe('parley-contacts-2026-01-05.json');
  });

  it('summarises an import in one sentence', () => {
    expect(importSummary({ added: 1, updated: 2, skipped: 0 })).toBe(
      'Imported: 1 contact added, 2 updated, 0 skipped.',
    );
    expect(importSummary({ added: 3, updated: 0, skipped: 1 })).toBe(
      'Imported: 3 contacts added, 0 updated, 1 skipped.',
    );
    expect(importSummary({ added: 0, updated: 0, skipped: 0 })).toBe('The file has no contacts.');
  });
});
