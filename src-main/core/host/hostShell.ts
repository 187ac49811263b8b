import type { OpenPurpose, SavePurpose } from '../../../src-shared/contract/areas/host';

/**
 * What a shell with a desktop around it lends the core (DESIGN.md §1 rule 1:
 * platform pieces are passed in). Electron main implements it over `dialog`
 * and the OS login items (src-main/app/hostShell.ts); the web shell and the
 * CLI pass none, and the matching requests answer that this shell cannot.
 */
export interface HostShell {
  /** A native open dialog; the chosen paths, or [] when cancelled. */
  pickFiles(options: { purpose: OpenPurpose; multiple: boolean }): Promise<string[]>;
  /** A native save dialog (it asks before replacing); the path, or null when cancelled. */
  pickSaveTarget(options: { purpose: SavePurpose; suggestedName: string }): Promise<string | null>;
  /** A native folder dialog; the folder, or null when cancelled. */
  pickFolder(options: { purpose: 'backups' }): Promise<string | null>;
  /** Starting at login, where the OS has it. */
  startAtLogin?: {
    get(): boolean;
    set(enabled: boolean): void;
  };
}
