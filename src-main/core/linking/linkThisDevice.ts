import type { ProfileStatus } from '../../../src-shared/contract';
import { generateSealKeyPair } from '../crypto/sealedBox';
import { signPossession } from '../identity/deviceListBuild';
import type { DevicePlatform } from '../identity/deviceListEntry';
import { generateEd25519 } from '../mls/crypto/nodeCryptoProvider';
import { generateDeviceKey, loadDeviceKey } from '../net/deviceKey';
import { ParleyNode } from '../net/parleyNode';
import { parleyProtocols } from '../net/parleyProtocols';
import type { ProfileSeed } from '../profile/profileSeed';
import { ed25519SignerFromSeed } from '../util/ed25519';
import { silentLogger, type Logger } from '../util/logger';
import { importGrant } from './grantImport';
import { encodeJoinBody } from './linkBodies';
import { checkGrant } from './linkGrant';
import { linkNewDevice, type LinkedDevice, type LinkNewEvent } from './linkNewDevice';

/**
 * "I already use Parley" on a new install (docs/protocol.md §13.5, N's side
 * end to end): makes this device's own keys (device key, MLS signature key,
 * seal key: never received from the other device), runs the link over a
 * node of its own under that device key, and, once the grant checks out,
 * creates the profile from it in one step. Nothing is written unless the
 * whole grant arrived and verified; the keys are dropped otherwise.
 */
export interface LinkThisDeviceOptions {
  codeText: string;
  /** Creates the profile (ProfileService.create with a seed). */
  createProfile(displayName: string, seed: ProfileSeed): Promise<ProfileStatus>;
  deviceName: string;
  platform: DevicePlatform;
  /** Whether the history comes with files; a function is asked when this user confirmed the SAS (§13.10: the choice follows the SAS). */
  wantFiles: boolean | (() => boolean);
  confirmSas(sas: number, peer: string): Promise<boolean>;
  onEvent?(event: LinkNewEvent): void;
  /** Where the temporary node listens; it only dials out, so loopback by default. */
  listen?: string[];
  logger?: Logger;
  now?: () => number;
}

/** E serves a transfer 24 hours (§13.7); N stops asking after the same. */
const HISTORY_RECEIVE_TTL_MS = 24 * 60 * 60_000;

export interface LinkedProfile extends LinkedDevice {
  peerId: string;
  profile: ProfileStatus;
}

export async function linkThisDevice(options: LinkThisDeviceOptions): Promise<LinkedProfile> {
  const now = options.now ?? Date.now;
  const wantsFiles = () =>
    typeof options.wantFiles === 'function' ? options.wantFiles() : options.wantFiles;
  const deviceKey = await generateDeviceKey();
  const deviceSign = ed25519SignerFromSeed(loadDeviceKey(deviceKey).raw.subarray(0, 32));
  const mls = generateEd25519();
  const seal = generateSealKeyPair();
  const node = await ParleyNode.create(
    {
      deviceKey,
      // It only dials E: nothing needs to reach it, so it listens on loopback only.
      listen: options.listen ?? ['/ip4/127.0.0.1/tcp/0'],
      // Nobody knows this device yet: it opens streams and serves nothing.
      access: { isBlocked: () => false, isKnown: () => false },
      logger: options.logger ?? silentLogger,
    },
    parleyProtocols(),
  );
  await node.start();
  let profile: ProfileStatus | undefined;
  try {
    const linked = await linkNewDevice({
      node,
      codeText: options.codeText,
      clock: now,
      confirmSas: options.confirmSas,
      onEvent: options.onEvent,
      join: (head, code) =>
        encodeJoinBody({
          mlsSignatureKey: mls.publicKey,
          ...signPossession({
            identityKey: code.identityKey,
            seq: head.seq + 1,
            prev: head.hash,
            subjectPeerId: node.peerId,
            mlsSignatureKey: mls.publicKey,
            deviceSign,
            mlsSign: ed25519SignerFromSeed(mls.signKey),
          }),
          sealPublicKey: seal.publicKey,
          platform: options.platform,
          name: options.deviceName,
          wantFiles: wantsFiles(),
          keyPackages: [],
        }),
      accept: async (grantBytes, { code, head, transferId, kHistory }) => {
        const checked = checkGrant(grantBytes, {
          identityKey: code.identityKey,
          peerIdN: node.peerId,
          mlsSignatureKey: mls.publicKey,
          announced: head,
          transferId,
        });
        profile = await options.createProfile(checked.grant.profile.displayName, {
          identityPublicKey: code.identityKey,
          fill: (repos) => {
            importGrant(
              repos,
              checked,
              {
                peerId: node.peerId,
                deviceKey,
                sealSecretKey: seal.secretKey,
                sealPublicKey: seal.publicKey,
                mlsSignaturePublicKey: mls.publicKey,
                mlsSignaturePrivateKey: mls.signKey,
              },
              { peerId: code.peerId, addresses: code.addresses },
              now(),
            );
            // §13.7: the history to come from E is recorded with the profile, in the same
            // transaction, so whatever runs this profile's node next (after a crash too)
            // fetches it; history/ resumes every receiving transfer it finds.
            repos.historyTransfers.create({
              transferId,
              role: 'receive',
              peerId: code.peerId,
              kHistory,
              withFiles: wantsFiles(),
              state: 'receiving',
              now: now(),
              expiresAt: now() + HISTORY_RECEIVE_TTL_MS,
            });
          },
        });
        return checked.state.head.hash;
      },
    });
    if (profile === undefined) throw new Error('linked without a profile');
    return { ...linked, peerId: node.peerId, profile };
  } finally {
    await node.stop();
  }
}
