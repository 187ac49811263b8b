/**
 * Links inside a message body (issue #15 item 4): web addresses and Parley
 * invite links are found in the text, which stays text (never HTML). A web
 * link opens in the browser (the desktop app asks first); an invite link
 * opens Add contact with it filled in.
 */
export type LinkSegment = { text: string; link?: { kind: 'web' | 'invite'; url: string } };

// http(s) URLs and parley://invite/… up to whitespace; trailing punctuation is not part of a link.
const LINK = /\b(?:https?:\/\/[^\s<>"]+|parley:\/\/invite\/[A-Za-z0-9_\-.~%+/=]+)/gi;
// Formatting marks (**, ~~, _) right after a link close the formatting, not the URL.
const TRAILING = /[.,;:!?)\]}'"*~_]+$/;

export function splitLinks(text: string): LinkSegment[] {
  const out: LinkSegment[] = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    let url = match[0];
    const trail = TRAILING.exec(url)?.[0] ?? '';
    // Keep a closing parenthesis that closes one opened inside the URL (Wikipedia links).
    const keep = trail.startsWith(')') && url.slice(0, -trail.length).includes('(') ? 1 : 0;
    url = url.slice(0, url.length - trail.length + keep);
    const start = match.index ?? 0;
    if (start > last) out.push({ text: text.slice(last, start) });
    const kind = url.toLowerCase().startsWith('parley:') ? 'invite' : 'web';
    if (kind === 'web' && !isWebUrl(url)) {
      out.push({ text: url });
    } else {
      out.push({ text: url, link: { kind, url } });
    }
    last = start + url.length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}

function isWebUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '';
  } catch {
    return false;
  }
}
