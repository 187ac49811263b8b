import { randomBytes } from 'node:crypto';
import { generateIdentityKey } from '../../identity/identityKey';
import { createDeviceIdentity, type MlsDeviceIdentity } from '../credentials';
import { generateKeyPackage, type GeneratedKeyPackage } from '../keyPackages';
import { joinGroup } from '../join';
import type { MlsGroupState } from '../groupState';
import { exportRatchetTree, type CommitOutcome } from '../groupEngine';
import type { MlsSuiteName } from '../suites';

/** A user with one device (or more), for MLS tests. */
export interface TestUser {
  readonly name: string;
  readonly identity: { publicKey: Uint8Array; privateKey: Uint8Array };
  readonly device: MlsDeviceIdentity;
}

export function testPeerId(): string {
  return `12D3KooW${randomBytes(20).toString('hex')}`;
}

export function makeUser(name: string): TestUser {
  const identity = generateIdentityKey();
  return {
    name,
    identity,
    device: createDeviceIdentity(identity.privateKey, identity.publicKey, testPeerId()),
  };
}

/** Another device of the same user. */
export function anotherDevice(user: TestUser, name = `${user.name}-2`): TestUser {
  return {
    name,
    identity: user.identity,
    device: createDeviceIdentity(user.identity.privateKey, user.identity.publicKey, testPeerId()),
  };
}

export function keyPackageFor(
  user: TestUser,
  suite: MlsSuiteName,
  lastResort = false,
): Promise<GeneratedKeyPackage> {
  return generateKeyPackage(user.device, { suite, lastResort, now: Date.now() });
}

/** Joins `user` with the Welcome of `outcome`, using the KeyPackage it was added with. */
export async function join(
  user: TestUser,
  kp: GeneratedKeyPackage,
  outcome: CommitOutcome,
): Promise<MlsGroupState> {
  if (!outcome.welcome) throw new Error('no welcome');
  const joined = await joinGroup(
    user.device,
    outcome.welcome,
    { keyPackage: kp.keyPackage, privateKeys: kp.privateKeys },
    exportRatchetTree(outcome.state),
  );
  joined.wipeConsumed();
  return joined.state;
}

export const text = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
export const str = (b: Uint8Array) => Buffer.from(b).toString('utf8');
export const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
