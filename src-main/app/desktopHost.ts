import type { BrowserWindow, OpenDialogOptions, SaveDialogOptions } from 'electron';
import { join } from 'node:path';
import type { OpenPurpose, SavePurpose } from '../../src-shared/contract/areas/host';
import type { HostShell } from '../core/host/hostShell';
import type { StartAtLogin } from './loginItem';

/** The part of Electron's `dialog` used here; tests pass a fake. */
export interface DialogLike {
  showOpenDialog(
    window: BrowserWindow,
    options: OpenDialogOptions,
  ): Promise<{ canceled: boolean; filePaths: string[] }>;
  showSaveDialog(
    window: BrowserWindow,
    options: SaveDialogOptions,
  ): Promise<{ canceled: boolean; filePath?: string }>;
}

const BACKUP_FILTERS = [
  { name: 'Parley backup', extensions: ['parley-backup'] },
  { name: 'All files', extensions: ['*'] },
];

/** Each open dialog's wording and filters, by what it is for. */
export function openDialogOptions(purpose: OpenPurpose, multiple: boolean): OpenDialogOptions {
  switch (purpose) {
    case 'attachments':
      return {
        title: 'Attach files',
        buttonLabel: 'Attach',
        properties: multiple ? ['openFile', 'multiSelections'] : ['openFile'],
      };
    case 'avatar':
      return {
        title: 'Choose a picture',
        properties: ['openFile'],
        filters: [{ name: 'Pictures', extensions: ['png', 'jpg', 'jpeg', 'webp', 'gif'] }],
      };
    case 'backup':
      return { title: 'Choose a Parley backup', properties: ['openFile'], filters: BACKUP_FILTERS };
  }
}

export function saveDialogOptions(
  purpose: SavePurpose,
  suggestedName: string,
  folder: string,
): SaveDialogOptions {
  // The name is the renderer's suggestion: only its last component counts, the folder is ours.
  const name = suggestedName.split(/[\\/]/).pop() || 'file';
  return purpose === 'backup'
    ? { title: 'Save backup', defaultPath: join(folder, name), filters: BACKUP_FILTERS }
    : { title: 'Save file', defaultPath: join(folder, name) };
}

/**
 * The core's HostShell over Electron's native dialogs (modal to the window)
 * and the OS login items. The chosen paths go to the core, which gives the
 * renderer handles only (core/host/hostFiles.ts).
 */
export function desktopHost(deps: {
  dialog: DialogLike;
  window(): BrowserWindow | undefined;
  /** Where save dialogs start: Documents for backups, Downloads for files. */
  folder(purpose: SavePurpose): string;
  startAtLogin: StartAtLogin;
}): HostShell {
  const parent = () => {
    const win = deps.window();
    if (!win) throw new Error('no window to show a dialog for');
    return win;
  };
  return {
    async pickFiles({ purpose, multiple }) {
      const result = await deps.dialog.showOpenDialog(parent(), openDialogOptions(purpose, multiple));
      return result.canceled ? [] : result.filePaths;
    },
    async pickSaveTarget({ purpose, suggestedName }) {
      const result = await deps.dialog.showSaveDialog(
        parent(),
        saveDialogOptions(purpose, suggestedName, deps.folder(purpose)),
      );
      return result.canceled || !result.filePath ? null : result.filePath;
    },
    async pickFolder() {
      const result = await deps.dialog.showOpenDialog(parent(), {
        title: 'Folder for scheduled backups',
        buttonLabel: 'Choose folder',
        properties: ['openDirectory', 'createDirectory'],
      });
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    startAtLogin: deps.startAtLogin,
  };
}
