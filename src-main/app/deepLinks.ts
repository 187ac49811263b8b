/**
 * `parley://` links (issue #15 item 4). The app is the OS handler of the
 * scheme (electron-builder.yml `protocols`; `app.setAsDefaultProtocolClient`
 * when unpackaged). A link arrives in the argv of a second launch (Windows,
 * Linux: the single-instance lock hands it to the running app through
 * `second-instance`), in the first launch's own argv, or in macOS's
 * `open-url` event. Only invite links mean anything; the renderer shows Add
 * contact with the invite filled in and the user decides (`host.openInvite`).
 */
export const SCHEME = 'parley';
/** Invites are ~300 characters (docs/protocol.md); anything far longer is not one. */
const MAX_LINK = 4096;

/** The invite link in a URL, or null for anything that is not a plausible `parley://invite/…`. */
export function inviteLink(url: string): string | null {
  if (url.length > MAX_LINK || !/^parley:\/\/invite\/[A-Za-z0-9_\-.~%+/=]+$/i.test(url)) return null;
  return `parley://invite/${url.slice('parley://invite/'.length)}`;
}

/**
 * The link in a command line: Electron and Chromium put their own switches
 * and the app path there too, and a shell may quote, so any argument that is
 * a parley:// invite counts; the last wins.
 */
export function linkFromArgv(argv: readonly string[]): string | null {
  let found: string | null = null;
  for (const arg of argv) {
    const link = inviteLink(arg.trim());
    if (link) found = link;
  }
  return found;
}

/**
 * Holds the latest link until a window can take it: one may arrive before the
 * app is ready or while the renderer loads. `deliver` answers false when no
 * window can show it yet; `flush` tries again (window loaded).
 */
export class PendingLink {
  private link: string | null = null;

  constructor(private readonly deliver: (link: string) => boolean) {}

  offer(link: string | null): void {
    if (link === null) return;
    this.link = link;
    this.flush();
  }

  flush(): void {
    if (this.link !== null && this.deliver(this.link)) this.link = null;
  }
}

/**
 * How to register as the scheme's handler: a packaged app registers itself;
 * `electron .` must name the app folder, or the OS would start bare Electron
 * (Electron docs, app.setAsDefaultProtocolClient, "path" and "args").
 */
export function protocolClient(
  isPackaged: boolean,
  execPath: string,
  appPath: string,
): { scheme: string; path?: string; args?: string[] } {
  return isPackaged ? { scheme: SCHEME } : { scheme: SCHEME, path: execPath, args: [appPath] };
}
