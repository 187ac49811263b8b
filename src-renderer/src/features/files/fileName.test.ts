import { describe, expect, it } from 'vitest';
import { mediaKind, splitFileName } from './fileName';

describe('file names cut in the middle', () => {
  it('keeps the extension and the last characters of the name', () => {
    expect(splitFileName('Quarterly report with a rather long title.pdf')).toEqual({
      start: 'Quarterly report with a rather long ',
      end: 'title.pdf',
    });
  });

  it('leaves short names whole', () => {
    expect(splitFileName('a.pdf')).toEqual({ start: 'a.pdf', end: '' });
    expect(splitFileName('photo-12.jpeg')).toEqual({ start: 'photo-12.jpeg', end: '' });
  });

  it('works without an extension and with non-Latin text and emoji', () => {
    expect(splitFileName('a very long name without any extension')).toEqual({
      start: 'a very long name without any ext',
      end: 'ension',
    });
    const { start, end } = splitFileName('Отчёт за третий квартал 📊 финал.docx');
    expect(start + end).toBe('Отчёт за третий квартал 📊 финал.docx');
    expect(end).toBe('финал.docx');
  });
});

describe('media players', () => {
  it('plays audio and video types Chromium decodes, nothing else', () => {
    expect(mediaKind('audio/wav')).toBe('audio');
    expect(mediaKind('audio/mpeg')).toBe('audio');
    expect(mediaKind('video/webm')).toBe('video');
    expect(mediaKind('video/mp4')).toBe('video');
    expect(mediaKind('video/x-msvideo')).toBeNull();
    expect(mediaKind('application/pdf')).toBeNull();
  });
});
