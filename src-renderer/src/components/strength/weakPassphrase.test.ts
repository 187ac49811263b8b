import { describe, expect, it } from 'vitest';
import { isWeakPassphrase } from './weakPassphrase';

// Issue 17 item 16: which new passphrases are asked about before they are used.
describe('isWeakPassphrase', () => {
  it('asks about a common password and about the display name itself', async () => {
    expect(await isWeakPassphrase('password', ['Ada Lovelace', 'parley'])).toBe(true);
    expect(await isWeakPassphrase('12345678', [])).toBe(true);
    expect(await isWeakPassphrase('adalovelace', ['adalovelace', 'parley'])).toBe(true);
  });

  it('lets a fair or better passphrase through without a question', async () => {
    expect(await isWeakPassphrase('quiet-lantern-orbit-47', ['Ada Lovelace', 'parley'])).toBe(false);
    expect(await isWeakPassphrase('correct horse battery staple', [])).toBe(false);
  });
});
