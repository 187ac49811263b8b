import { describe, expect, it } from 'vitest';
import { generateIdentityKey } from './identityKey';
import { safetyNumber, safetyQrMatches } from './safetyNumber';

describe('safety numbers', () => {
  const ada = generateIdentityKey().publicKey;
  const bob = generateIdentityKey().publicKey;
  const eve = generateIdentityKey().publicKey;

  it('are the same 60 digits on both sides, in 12 groups of 5', () => {
    const fromAda = safetyNumber(ada, bob);
    const fromBob = safetyNumber(bob, ada);
    expect(fromAda.digits).toMatch(/^\d{60}$/);
    expect(fromAda).toEqual(fromBob);
    expect(fromAda.groups).toHaveLength(12);
  });

  it('change when either key changes (a key swap by an attacker shows)', () => {
    expect(safetyNumber(ada, eve).digits).not.toBe(safetyNumber(ada, bob).digits);
    expect(safetyQrMatches(safetyNumber(bob, ada).qrData, safetyNumber(ada, eve))).toBe(false);
    expect(safetyQrMatches(safetyNumber(bob, ada).qrData, safetyNumber(ada, bob))).toBe(true);
  });

  it('are stable for the same keys (a known vector guards against accidental changes)', () => {
    const a = new Uint8Array(32).fill(1);
    const b = new Uint8Array(32).fill(2);
    expect(safetyNumber(a, b).digits).toBe(safetyNumber(a, b).digits);
    expect(safetyNumber(a, b).digits.slice(0, 10)).toMatchInlineSnapshot(`"5802956636"`);
  });
});
