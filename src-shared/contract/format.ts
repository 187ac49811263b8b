/**
 * Sizes in the words every surface uses (chat file bubbles, upload list,
 * backup progress, the CLI, the core's error messages), so one file shows
 * one size everywhere: "1 byte", "900 bytes", "5 KB", "5.3 MB", "120 MB",
 * "2 GB". Binary units (1 KB = 1024 bytes); one decimal below 10, none above.
 */
export function formatBytes(n: number): string {
  if (n < 1024) return n === 1 ? '1 byte' : `${n} bytes`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const text = v < 10 ? v.toFixed(1).replace(/\.0$/, '') : Math.round(v).toString();
  return `${text} ${units[i]}`;
}
