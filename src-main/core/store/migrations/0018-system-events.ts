import type { Migration } from '../migration';

/**
 * System rows carry a structured event instead of English words (issue 16
 * item 5, store/systemEvent.ts): `messages.event` holds it as JSON and the
 * body of a system row stays NULL, so system rows are not in the full-text
 * index (the FTS update trigger removes the old words) and the renderer
 * writes the sentence. Lines written as words before keep them, as a
 * `legacy` event the renderer shows as it is.
 */
export const migration0018: Migration = {
  version: 18,
  name: 'system-events',
  up(db) {
    db.exec(`
      ALTER TABLE messages ADD COLUMN event TEXT;
      UPDATE messages SET event = json_object('v', 1, 'kind', 'legacy', 'text', body), body = NULL
        WHERE kind = 'system' AND body IS NOT NULL;
    `);
  },
};
