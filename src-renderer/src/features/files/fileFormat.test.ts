import { describe, expect, it } from 'vitest';
import { formatBytes, fromBase64, isViewableImage, kindLabel, safeMime, toBase64 } from './fileFormat';

describe('file UI helpers', () => {
  it('formats sizes people read', () => {
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(900)).toBe('900 bytes');
    expect(formatBytes(5 * 1024)).toBe('5 KB');
    expect(formatBytes(5 * 1024 * 1024 + 300_000)).toBe('5.3 MB');
  });

  it('round-trips base64 across the slice boundary', () => {
    const bytes = new Uint8Array(0x8000 * 2 + 5).map((_, i) => (i * 7) % 256);
    expect(fromBase64(toBase64(bytes))).toEqual(bytes);
    expect(toBase64(new Uint8Array([0xff, 0xfe]))).toBe('//4=');
  });

  it('shows only bitmap images in the viewer and cleans up types', () => {
    expect(isViewableImage('image/png')).toBe(true);
    expect(isViewableImage('image/svg+xml')).toBe(false);
    expect(safeMime('')).toBe('application/octet-stream');
    expect(safeMime('text/plain')).toBe('text/plain');
    expect(kindLabel('report.pdf', 'application/pdf')).toBe('PDF');
    expect(kindLabel('noext', 'application/zip')).toBe('ZIP');
  });
});
