/**
 * Moving through the message list with the keyboard (issue #17 item 13; the
 * WAI-ARIA APG "feed" and "grid" patterns: the list is one tab stop and the
 * arrows move within it): Up/Down one message, Page Up/Down a screenful,
 * Home/End the first and last message loaded. Pure, on indexes into the
 * messages drawn now; null leaves the key to the browser.
 */
export function messageStep(
  key: string,
  current: number,
  count: number,
  pageSize: number,
): { index: number; pastEdge: boolean } | null {
  if (count === 0) return null;
  const page = Math.max(1, pageSize);
  let target: number;
  switch (key) {
    case 'ArrowUp':
      target = current - 1;
      break;
    case 'ArrowDown':
      target = current + 1;
      break;
    case 'PageUp':
      target = current - page;
      break;
    case 'PageDown':
      target = current + page;
      break;
    case 'Home':
      return { index: 0, pastEdge: false };
    case 'End':
      return { index: count - 1, pastEdge: false };
    default:
      return null;
  }
  const index = Math.min(Math.max(target, 0), count - 1);
  // Past the first or last message drawn: more may be loaded there (the view scrolls to fetch them).
  return { index, pastEdge: target !== index };
}
