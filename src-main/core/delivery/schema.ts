import type { Migration } from '../store/migration';
import { migrations } from '../store/migrations';

/**
 * The schema delivery and messaging need (through migration 0006, registered
 * in store/migrations/index.ts). Tests open their databases with this so a
 * missing registration fails here first.
 */
export const deliveryMigrations: readonly Migration[] = migrations;
if (!migrations.some((m) => m.version === 6)) {
  throw new Error('migration 0006 (delivery) is not registered in store/migrations/index.ts');
}
