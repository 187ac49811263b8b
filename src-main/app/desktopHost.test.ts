import type { BrowserWindow, OpenDialogOptions, SaveDialogOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { desktopHost, openDialogOptions, saveDialogOptions, type DialogLike } from './desktopHost';
import { externalLinkPrompt, openExternalLink } from './externalLinks';

const WINDOW = { id: 1 } as unknown as BrowserWindow;

function fakeDialog(answers: { canceled: boolean; filePaths?: string[]; filePath?: string }[]) {
  const shown: { window: unknown; options: OpenDialogOptions | SaveDialogOptions }[] = [];
  const dialog: DialogLike = {
    showOpenDialog: async (window, options) => {
      shown.push({ window, options });
      const a = answers.shift() ?? { canceled: true };
      return { canceled: a.canceled, filePaths: a.filePaths ?? [] };
    },
    showSaveDialog: async (window, options) => {
      shown.push({ window, options });
      const a = answers.shift() ?? { canceled: true };
      return { canceled: a.canceled, ...(a.filePath ? { filePath: a.filePath } : {}) };
    },
  };
  return { dialog, shown };
}

const login = { get: () => false, set: () => undefined };

describe('native dialogs for the core', () => {
  it('opens modal to the window, returns the chosen paths, and nothing when cancelled', async () => {
    const { dialog, shown } = fakeDialog([
      { canceled: false, filePaths: ['/home/a/a.png', '/home/a/b.pdf'] },
      { canceled: true, filePaths: [] },
      { canceled: false, filePath: '/home/a/Documents/x.parley-backup' },
      { canceled: false, filePaths: ['/home/a/Backups'] },
    ]);
    const host = desktopHost({
      dialog,
      window: () => WINDOW,
      folder: () => '/home/a/Documents',
      startAtLogin: login,
    });
    expect(await host.pickFiles({ purpose: 'attachments', multiple: true })).toEqual([
      '/home/a/a.png',
      '/home/a/b.pdf',
    ]);
    expect(await host.pickFiles({ purpose: 'backup', multiple: false })).toEqual([]);
    expect(await host.pickSaveTarget({ purpose: 'backup', suggestedName: 'p.parley-backup' })).toBe(
      '/home/a/Documents/x.parley-backup',
    );
    expect(await host.pickFolder({ purpose: 'backups' })).toBe('/home/a/Backups');
    expect(shown.every((s) => s.window === WINDOW)).toBe(true);
    expect(shown[0]?.options).toMatchObject({ properties: ['openFile', 'multiSelections'] });
    expect(shown[3]?.options).toMatchObject({ properties: ['openDirectory', 'createDirectory'] });
  });

  it('keeps a suggested name to its last component: the folder is the app’s choice', () => {
    expect(saveDialogOptions('file', '../../etc/evil', '/home/a/Downloads').defaultPath).toBe(
      '/home/a/Downloads/evil',
    );
    expect(saveDialogOptions('backup', 'x.parley-backup', '/d').filters?.[0]?.extensions).toEqual([
      'parley-backup',
    ]);
    expect(openDialogOptions('avatar', false).filters?.[0]?.extensions).toContain('png');
  });
});

describe('external links', () => {
  it('opens only http(s), and only after the user said yes', async () => {
    const opened: string[] = [];
    const asked: string[] = [];
    const deps = (answer: boolean) => ({
      confirm: async (url: string) => {
        asked.push(url);
        return answer;
      },
      openExternal: async (url: string) => {
        opened.push(url);
      },
    });
    expect(await openExternalLink('https://example.org/a', deps(false))).toBe(false);
    expect(await openExternalLink('https://example.org/b', deps(true))).toBe(true);
    expect(await openExternalLink('file:///etc/passwd', deps(true))).toBe(false);
    expect(await openExternalLink('ms-settings:', deps(true))).toBe(false);
    expect(asked).toEqual(['https://example.org/a', 'https://example.org/b']);
    expect(opened).toEqual(['https://example.org/b']);
  });

  it('shows the host and the whole address, Cancel by default', () => {
    const prompt = externalLinkPrompt('https://examp1e.org/login?next=/x');
    expect(prompt.message).toContain('examp1e.org');
    expect(prompt.detail).toBe('https://examp1e.org/login?next=/x');
    expect(prompt.buttons[prompt.defaultId]).toBe('Cancel');
    expect(prompt.cancelId).toBe(prompt.defaultId);
  });
});
