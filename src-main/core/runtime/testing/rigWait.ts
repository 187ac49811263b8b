import type { StoredText } from './rigPeer';

/**
 * Waiting on rig peers (the NAT and bad-links rigs): their state lives in
 * other processes, so a test polls it, bounded in time, with the reason in
 * the error when it never comes.
 */
export async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The bodies of the texts a peer received that start with `prefix`. */
export const incoming = (texts: StoredText[], prefix: string): string[] =>
  texts.filter((t) => !t.outgoing && t.body.startsWith(prefix)).map((t) => t.body);
