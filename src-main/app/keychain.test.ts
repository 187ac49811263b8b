import { describe, expect, it } from 'vitest';
import { safeStorageKeychain, type SafeStorageLike } from './keychain';

type Backend = ReturnType<SafeStorageLike['getSelectedStorageBackend']>;

/** Reversible "encryption" that marks its output, standing in for the OS keychain. */
function fakeStorage({
  available = true,
  backend = 'gnome_libsecret',
}: {
  available?: boolean;
  backend?: Backend;
}) {
  const storage: SafeStorageLike = {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (plain) => Buffer.from(`sealed:${plain}`),
    decryptString: (sealed) => {
      const text = sealed.toString();
      if (!text.startsWith('sealed:'))
        throw new Error('Error while decrypting the ciphertext provided to safeStorage.');
      return text.slice('sealed:'.length);
    },
  };
  return storage;
}

describe('safeStorageKeychain', () => {
  it('round-trips a binary secret and does not store it in the clear', () => {
    const keychain = safeStorageKeychain(fakeStorage({}), 'linux');
    const secret = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255]);
    const sealed = keychain.seal(secret);
    expect(sealed.includes(secret)).toBe(false);
    expect(keychain.open(sealed)).toEqual(secret);
  });

  it('throws when the blob cannot be opened', () => {
    const keychain = safeStorageKeychain(fakeStorage({}), 'darwin');
    expect(() => keychain.open(Buffer.from('garbage'))).toThrow();
    expect(() => keychain.open(Buffer.from('sealed:not base64!'))).toThrow(/not a sealed secret/);
  });

  it('is available only when safeStorage is', () => {
    expect(safeStorageKeychain(fakeStorage({ available: false }), 'darwin').isAvailable()).toBe(false);
    expect(safeStorageKeychain(fakeStorage({}), 'darwin').isAvailable()).toBe(true);
    expect(safeStorageKeychain(fakeStorage({}), 'win32').isAvailable()).toBe(true);
  });

  it.each(['basic_text', 'unknown'] as const)(
    'refuses the Linux backend %s, which protects nothing',
    (backend) => {
      expect(safeStorageKeychain(fakeStorage({ backend }), 'linux').isAvailable()).toBe(false);
    },
  );

  it.each(['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6'] as const)(
    'accepts the Linux backend %s',
    (backend) => {
      expect(safeStorageKeychain(fakeStorage({ backend }), 'linux').isAvailable()).toBe(true);
    },
  );
});
