import { decodeAnyDeviceCredential, type AnyDeviceCredential } from '../identity/credential';
import { isMlsRejection } from './rejection';
import { decodeKeyPackage } from './wire';

/**
 * The device credential a KeyPackage (MLSMessage bytes) carries, decoded but
 * not judged: null when the bytes are no KeyPackage, the credential is not a
 * Parley device credential, or it names another signature key than the
 * leaf's (RFC 9420 §5.3: the credential binds the leaf's key). Whether the
 * device is its person's is decided above (devices/deviceClaims.ts) against
 * the lists this device holds, and again by ts-mls's authentication service
 * when the KeyPackage is added.
 */
export function keyPackageCredential(keyPackage: Uint8Array): AnyDeviceCredential | null {
  try {
    const leaf = decodeKeyPackage(keyPackage).leafNode;
    if (leaf.credential.credentialType !== 'basic') return null;
    const c = decodeAnyDeviceCredential(leaf.credential.identity);
    if (!c || !Buffer.from(c.signatureKey).equals(Buffer.from(leaf.signaturePublicKey))) return null;
    return c;
  } catch (err) {
    if (isMlsRejection(err)) return null;
    throw err;
  }
}
