/**
 * The browser every e2e test and browser benchmark drives: Debian's Chromium,
 * never one a tool downloads. Without the background-networking flags it keeps
 * trying to reach Google's hosts, which this machine's closed network refuses.
 */
export const CHROMIUM_PATH = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
