import { generateSealKeyPair } from '../crypto/sealedBox';
import { generateDeviceKey } from '../net/deviceKey';
import type { DeviceSecretsRepository } from '../store/repositories/deviceSecretsRepository';

/** This device's network key and seal key pair, created on first start. */
export async function loadOrCreateDeviceSecrets(
  secrets: Pick<DeviceSecretsRepository, 'get' | 'replace'>,
  now: number,
): Promise<{ deviceKey: Uint8Array; sealSecretKey: Uint8Array; sealPublicKey: Uint8Array }> {
  const row = secrets.get();
  if (row) {
    return {
      deviceKey: new Uint8Array(row.deviceKey),
      sealSecretKey: new Uint8Array(row.sealSecret),
      sealPublicKey: new Uint8Array(row.sealPublic),
    };
  }
  const deviceKey = await generateDeviceKey();
  const seal = generateSealKeyPair();
  secrets.replace({ deviceKey, sealSecret: seal.secretKey, sealPublic: seal.publicKey, now });
  return { deviceKey, sealSecretKey: seal.secretKey, sealPublicKey: seal.publicKey };
}
