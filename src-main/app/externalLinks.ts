import { isExternalLink } from './security';

export interface ExternalLinkDeps {
  /** Asks the user (a native message box); true to open. */
  confirm(url: string): Promise<boolean>;
  /** Electron's shell.openExternal. */
  openExternal(url: string): Promise<void>;
}

/**
 * A link the renderer wants opened outside the app (Electron security
 * checklist #15, "Do not use shell.openExternal with untrusted content"):
 * only http(s) URLs, and only after the user saw the full address and said
 * yes, since a message can make any text look like a link. Everything else
 * (file:, smb:, custom schemes that launch programs) is dropped silently.
 * Resolves true when the link was opened.
 */
export async function openExternalLink(url: string, deps: ExternalLinkDeps): Promise<boolean> {
  if (!isExternalLink(url)) return false;
  if (!(await deps.confirm(url))) return false;
  await deps.openExternal(url);
  return true;
}

/** The message box that asks; buttons[0] opens, Cancel (1) is the default and Escape. */
export function externalLinkPrompt(url: string): {
  type: 'question';
  buttons: string[];
  defaultId: number;
  cancelId: number;
  title: string;
  message: string;
  detail: string;
  noLink: true;
} {
  const host = new URL(url).host;
  return {
    type: 'question',
    buttons: ['Open in browser', 'Cancel'],
    defaultId: 1,
    cancelId: 1,
    title: 'Open link',
    message: `Open this link from ${host} in your browser?`,
    // The whole address, so a look-alike host or a long path cannot hide.
    detail: url.length > 2000 ? `${url.slice(0, 2000)}…` : url,
    noLink: true,
  };
}
