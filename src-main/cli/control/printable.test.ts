import { describe, expect, it } from 'vitest';
import { printable } from './nodeSession';

describe('printable (what the CLI writes to a terminal)', () => {
  it('drops bidi overrides and isolates from names (issue #14 item 12), keeps right-to-left letters', () => {
    expect(printable('Carol\u202Egnp.exe\u202A\u202B\u202C\u202D\u2066\u2067\u2068\u2069!')).toBe(
      'Carolgnp.exe!',
    );
    expect(printable('\u05E9\u05DC\u05D5\u05DD')).toBe('\u05E9\u05DC\u05D5\u05DD');
  });

  it('turns control characters into spaces', () => {
    expect(printable('a\u001b[2Jb\nc')).toBe('a [2Jb c');
  });
});
