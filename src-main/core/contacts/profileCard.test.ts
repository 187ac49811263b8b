import { describe, expect, it } from 'vitest';
import { generateIdentityKey } from '../identity/identityKey';
import {
  AVATAR_MAX_BYTES,
  avatarProblem,
  cardFromJson,
  cardToJson,
  imageKind,
  signProfileCard,
  verifyProfileCard,
  type ProfileCard,
} from './profileCard';

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(32, 1)]);
const JPEG = Buffer.concat([Buffer.from('ffd8ffe0', 'hex'), Buffer.alloc(32, 2)]);
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 '), Buffer.alloc(16)]);

const card: ProfileCard = {
  version: 3,
  issuedAt: 1_700_000_000_000,
  displayName: 'Ada',
  statusText: 'Away',
  avatar: new Uint8Array(PNG),
};

describe('profile cards', () => {
  it('verify under the signing identity key only, and survive the JSON round trip', () => {
    const ada = generateIdentityKey();
    const eve = generateIdentityKey();
    const signed = signProfileCard(ada.privateKey, ada.publicKey, card);
    expect(verifyProfileCard(ada.publicKey, signed)).toBe(true);
    expect(verifyProfileCard(eve.publicKey, signed)).toBe(false);
    const back = cardFromJson(cardToJson(signed));
    expect(back).toEqual(signed);
    expect(back && verifyProfileCard(ada.publicKey, back)).toBe(true);
  });

  it('any changed field breaks the signature', () => {
    const ada = generateIdentityKey();
    const signed = signProfileCard(ada.privateKey, ada.publicKey, card);
    const changes: Partial<ProfileCard>[] = [
      { version: 4 },
      { issuedAt: 1 },
      { displayName: 'Bank' },
      { statusText: 'Send money' },
      { avatar: null },
      { avatar: new Uint8Array(JPEG) },
    ];
    for (const change of changes)
      expect(verifyProfileCard(ada.publicKey, { ...signed, ...change })).toBe(false);
    expect(verifyProfileCard(ada.publicKey, { ...signed, signature: new Uint8Array(64) })).toBe(false);
    expect(verifyProfileCard(new Uint8Array(31), signed)).toBe(false);
  });

  it('avatars are PNG, JPEG or WebP by magic bytes, at most 64 KB', () => {
    expect(imageKind(PNG)).toBe('png');
    expect(imageKind(JPEG)).toBe('jpeg');
    expect(imageKind(WEBP)).toBe('webp');
    expect(imageKind(Buffer.from('<svg onload="x()"/>'))).toBeNull();
    expect(avatarProblem(PNG)).toBeNull();
    expect(avatarProblem(new Uint8Array(0))).toMatch(/empty/);
    expect(avatarProblem(Buffer.from('GIF89a....'))).toMatch(/PNG, JPEG or WebP/);
    const big = Buffer.concat([PNG, Buffer.alloc(AVATAR_MAX_BYTES)]);
    expect(avatarProblem(big)).toMatch(/64 KB/);
    // A card carrying a non-image avatar does not even parse.
    const ada = generateIdentityKey();
    const json = cardToJson(signProfileCard(ada.privateKey, ada.publicKey, { ...card, avatar: null }));
    expect(cardFromJson({ ...json, avatar: Buffer.from('<html>').toString('base64url') })).toBeNull();
    expect(cardFromJson({ ...json, signature: 'AAAA' })).toBeNull();
  });
});
