import type { MenuItemConstructorOptions } from 'electron';

/** The part of Electron's Tray used here (tests pass a fake). */
export interface TrayLike {
  setToolTip(text: string): void;
  setContextMenu(menu: unknown): void;
  setImage(image: unknown): void;
  /** macOS: text beside the icon in the menu bar. */
  setTitle(title: string): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface TrayState {
  unread: number;
  unlocked: boolean;
}

export interface TrayActions {
  /** Shows and focuses the window (creating one if it was closed). */
  open(): void;
  lock(): void;
  quit(): void;
}

export interface TrayDeps {
  platform: NodeJS.Platform;
  create(image: unknown): TrayLike;
  buildMenu(template: MenuItemConstructorOptions[]): unknown;
  /** The icon, and the icon with an unread dot. */
  icons: { normal: unknown; unread: unknown };
  actions: TrayActions;
}

/** "Parley — 3 unread" on hover. */
export function trayTooltip({ unread, unlocked }: TrayState): string {
  if (!unlocked) return 'Parley — locked';
  if (unread === 0) return 'Parley';
  return `Parley — ${unread} unread`;
}

/** Open, Lock (only while unlocked), Quit; the count on top while there is one. */
export function trayMenuTemplate(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    ...(state.unlocked && state.unread > 0
      ? [{ label: `${state.unread} unread`, enabled: false } as const, { type: 'separator' } as const]
      : []),
    { label: 'Open Parley', click: () => actions.open() },
    { label: 'Lock', enabled: state.unlocked, click: () => actions.lock() },
    { type: 'separator' },
    { label: 'Quit Parley', click: () => actions.quit() },
  ];
}

/**
 * The tray (notification area / menu bar) icon: the unread count in its
 * tooltip, menu and icon (a dot; the count itself beside it on macOS), and
 * a menu to open, lock and quit. A click opens the window (Windows, Linux;
 * macOS opens the menu, its convention).
 */
export class AppTray {
  private readonly tray: TrayLike;
  private state: TrayState = { unread: 0, unlocked: false };

  constructor(private readonly deps: TrayDeps) {
    this.tray = deps.create(deps.icons.normal);
    if (deps.platform !== 'darwin') this.tray.on('click', () => deps.actions.open());
    this.render();
  }

  update(state: TrayState): void {
    if (state.unread === this.state.unread && state.unlocked === this.state.unlocked) return;
    this.state = { unread: Math.max(0, state.unread), unlocked: state.unlocked };
    this.render();
  }

  destroy(): void {
    this.tray.destroy();
  }

  private render(): void {
    const { deps, state } = this;
    const showUnread = state.unlocked && state.unread > 0;
    this.tray.setImage(showUnread ? deps.icons.unread : deps.icons.normal);
    this.tray.setToolTip(trayTooltip(state));
    if (deps.platform === 'darwin') this.tray.setTitle(showUnread ? String(state.unread) : '');
    this.tray.setContextMenu(deps.buildMenu(trayMenuTemplate(state, deps.actions)));
  }
}

/**
 * Draws the unread mark into a bitmap (BGRA, as nativeImage.toBitmap gives
 * it): a filled red disc in the top-right corner with a light ring, so it
 * reads on dark and light panels alike. Returns a new buffer.
 */
export function withUnreadDot(bitmap: Uint8Array, width: number, height: number): Buffer {
  const out = Buffer.from(bitmap);
  const r = Math.max(2, Math.round(Math.min(width, height) * 0.22));
  const cx = width - r - 1;
  const cy = r + 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
      if (d > r + 1) continue;
      const i = (y * width + x) * 4;
      const ring = d > r;
      // BGRA: #d92d20 inside, white ring.
      out[i] = ring ? 255 : 0x20;
      out[i + 1] = ring ? 255 : 0x2d;
      out[i + 2] = ring ? 255 : 0xd9;
      out[i + 3] = 255;
    }
  }
  return out;
}
