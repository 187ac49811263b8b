import { randomBytes } from 'node:crypto';
import { requestNames } from '../../src-shared/contract';
import { ClientFrame, decodeBinaryFrame, encodeBinaryFrame } from '../../src-shared/contract/bridge';
import { parseRequestFrame, parseResponseFrame } from '../cli/control/controlFrames';
import { BackupError } from '../core/backup/backupError';
import { decodeHeader, encodeHeader, openChunk, sealChunk } from '../core/backup/archiveFormat';
import { generateSealKeyPair, open as openSealed, seal } from '../core/crypto/sealedBox';
import { ParleyError } from '../core/errors';
import {
  certifyDevice,
  decodeAnyDeviceCredential,
  decodeDeviceCredential,
  decodeListedDeviceCredential,
  encodeDeviceCredential,
  encodeListedDeviceCredential,
} from '../core/identity/credential';
import {
  certificateSignatureValid,
  decodeDeviceCertificate,
  decodeListedDeviceCertificate,
  issueDeviceCertificate,
  verifyDeviceCertificate,
} from '../core/identity/deviceCertificate';
import { decodeDeviceListEntry } from '../core/identity/deviceListEntry';
import {
  decodeProfileCardV2,
  encodeProfileCardV2,
  profileCardV2SignatureValid,
  signProfileCardV2,
} from '../core/identity/profileCardV2';
import { judgeProfileCardV2 } from '../core/identity/profileCardV2Verify';
import { verifyDeviceList } from '../core/identity/deviceListVerify';
import { TestDeviceList } from '../core/identity/testing/deviceListFixture';
import { generateIdentityKey } from '../core/identity/identityKey';
import { decodeContent } from '../core/content/content';
import { decodeInvite, encodeInvite } from '../core/contacts/invite';
import { cardFromJson, ProfileCardJson, verifyProfileCard } from '../core/contacts/profileCard';
import { decodeFrame as decodeWireFrame, encodeFrame as encodeWireFrame } from '../core/groups/wireFrame';
import { openAddressRecord } from '../core/net/addressRecord';
import { beaconEpoch, openBeacon, sealBeacon } from '../core/net/beaconCodec';
import { FrameError } from '../core/net/frameStream';
import * as addressProto from '../core/net/proto/address.generated';
import * as contactRequestProto from '../core/net/proto/contactRequest.generated';
import * as deliverProto from '../core/net/proto/deliver.generated';
import * as devicesProto from '../core/net/proto/devices.generated';
import * as fileProto from '../core/net/proto/file.generated';
import * as groupinfoProto from '../core/net/proto/groupinfo.generated';
import * as helloProto from '../core/net/proto/hello.generated';
import * as keypackageProto from '../core/net/proto/keypackage.generated';
import * as mailboxProto from '../core/net/proto/mailbox.generated';
import * as presenceProto from '../core/net/proto/presence.generated';
import { decodeFrame } from '../core/net/protocolService';
import { createDispatcher, type Handlers } from '../core/rpc/dispatcher';
import { parseSearchQuery } from '../core/search/searchQuery';
import { silentLogger } from '../core/util/logger';

/**
 * Every decoder that takes bytes or text from outside Parley (issue #14,
 * fuzzing): a peer's frames on each protocol, sealed boxes, invites, address
 * records, profile cards and application content, control-socket frames,
 * archive headers and chunks, and the params of every contract request.
 *
 * A target's `run` feeds one input to its decoder and throws only if the
 * decoder broke its promise: it threw something other than its documented
 * refusal, or accepted what it must not. `seeds` are valid inputs the fuzzer
 * mutates (and the corpus in ./corpus keeps); `text` targets take strings.
 */
export interface FuzzTarget {
  name: string;
  kind: 'bytes' | 'text';
  seeds(): Uint8Array[];
  run(input: Uint8Array): void | Promise<void>;
}

/** Fails the property: the decoder threw what it must never throw. */
export class DecoderBroke extends Error {
  constructor(target: string, cause: unknown) {
    super(`${target}: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`, {
      cause,
    });
    this.name = 'DecoderBroke';
  }
}

function only(target: string, allowed: (err: unknown) => boolean, run: () => unknown): void {
  try {
    run();
  } catch (err) {
    if (!allowed(err)) throw new DecoderBroke(target, err);
  }
}

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

interface ProtoCodec {
  encode(v: Record<string, unknown>): Uint8Array;
  decode(b: Uint8Array): { version: number };
}

/** Every message codec the wire protocols define (protons output: objects with encode and decode). */
function protoCodecs(): [string, ProtoCodec][] {
  const modules: Record<string, Record<string, unknown>> = {
    address: addressProto,
    contactRequest: contactRequestProto,
    deliver: deliverProto,
    devices: devicesProto,
    file: fileProto,
    groupinfo: groupinfoProto,
    hello: helloProto,
    keypackage: keypackageProto,
    mailbox: mailboxProto,
    presence: presenceProto,
  };
  const out: [string, ProtoCodec][] = [];
  for (const [file, mod] of Object.entries(modules)) {
    for (const [name, value] of Object.entries(mod)) {
      const codec = value as Partial<ProtoCodec> | null;
      if (typeof codec?.decode === 'function' && typeof codec.encode === 'function') {
        out.push([`proto.${file}.${name}`, codec as ProtoCodec]);
      }
    }
  }
  return out;
}

// Fixed keys for the targets (made once per process; the fuzzer varies the inputs, not the keys).
const ada = generateIdentityKey();
const seal1 = generateSealKeyPair();
const PEER = '12D3KooWRaP6T3L8KUsbcuvuGTQ4Ubb7DxXMoVNqHoaL1ZbbQqHc';
const beaconKey = new Uint8Array(randomBytes(32));
const beacon = sealBeacon(beaconKey, beaconEpoch(Date.now()), ['/ip4/192.168.1.20/tcp/4001']);
const deviceList = new TestDeviceList();
deviceList.remove(deviceList.first, deviceList.add());
const listBytes = deviceList.bytes();
const deviceListState = (() => {
  const v = verifyDeviceList(listBytes);
  if (!v.ok) throw new Error(v.reason);
  return v.state;
})();
const genuineCardV2 = signProfileCardV2(deviceList.first.sign, {
  identityKey: deviceList.identityKey,
  version: 2,
  issuedAt: 1,
  signerPeerId: deviceList.first.peerId,
  signerAddedSeq: 0,
  displayName: 'Ada',
  statusText: 'here',
  avatar: null,
});
const archiveKey = randomBytes(32);
const archivePrefix = randomBytes(7);
const archiveHeader = encodeHeader({
  version: 1,
  kdf: { memoryKiB: 65536, iterations: 3, parallelism: 2 },
  salt: randomBytes(16),
  noncePrefix: archivePrefix,
  chunkBytes: 1024 * 1024,
  keyCheck: randomBytes(16),
});

/** The dispatcher with every handler answering OFFLINE: what is fuzzed is the params' validation. */
const dispatch = createDispatcher(
  Object.fromEntries(
    requestNames.map((n) => [
      n,
      () => {
        throw new ParleyError('OFFLINE', 'off');
      },
    ]),
  ) as unknown as Handlers,
  silentLogger,
);

export function fuzzTargets(): FuzzTarget[] {
  const targets: FuzzTarget[] = protoCodecs().map(([name, codec]) => ({
    name,
    kind: 'bytes',
    seeds: () => [codec.encode({ version: 1 })],
    // A frame from a peer either decodes or is a FrameError (malformed): nothing else escapes.
    run: (input) =>
      only(
        name,
        (e) => e instanceof FrameError,
        () => decodeFrame(input, (b) => codec.decode(b)),
      ),
  }));
  targets.push(
    {
      name: 'sealed-box',
      kind: 'bytes',
      seeds: () => [seal(seal1.publicKey, bytes('held for you'), bytes('aad'))],
      run: (input) => {
        const opened = openSealed(seal1.secretKey, input, bytes('aad'));
        // Only a box sealed to this key opens; a mutation of one never does.
        if (opened !== null && text(opened) !== 'held for you')
          throw new DecoderBroke('sealed-box', 'forged box opened');
      },
    },
    {
      name: 'invite',
      kind: 'text',
      seeds: () => [
        bytes(
          encodeInvite({
            peerId: PEER,
            addresses: ['/ip4/192.168.1.20/tcp/4001'],
            identityKey: ada.publicKey,
            sealKeyHash: new Uint8Array(32).fill(9),
            displayName: 'Ada',
            token: new Uint8Array(16).fill(1),
          }),
        ),
      ],
      run: (input) => {
        decodeInvite(text(input));
      },
    },
    {
      name: 'profile-card',
      kind: 'text',
      seeds: () => [
        bytes('{"displayName":"Ada","statusText":"","version":1,"issuedAt":1,"avatar":"","signature":"AA"}'),
      ],
      run: (input) => {
        let json: unknown;
        try {
          json = JSON.parse(text(input));
        } catch {
          return;
        }
        const parsed = ProfileCardJson.safeParse(json);
        if (!parsed.success) return;
        const card = cardFromJson(parsed.data);
        if (card && verifyProfileCard(ada.publicKey, card))
          throw new DecoderBroke('profile-card', 'forged card verified');
      },
    },
    {
      name: 'content',
      kind: 'bytes',
      seeds: () => [
        bytes('{"v":1,"type":"text","uid":"00000000000000000000000000000000","sentAt":1,"body":"hi"}'),
        bytes(
          '{"v":1,"type":"reaction","targetUid":"00000000000000000000000000000000","emoji":"👍","on":true,"sentAt":1}',
        ),
      ],
      run: (input) => {
        decodeContent(input);
      },
    },
    {
      name: 'wire-frame',
      kind: 'bytes',
      seeds: () => [
        encodeWireFrame({
          kind: 'welcome',
          welcome: new Uint8Array(40).fill(3),
          ratchetTree: new Uint8Array(20).fill(4),
        }),
      ],
      run: (input) => {
        decodeWireFrame(input);
      },
    },
    {
      name: 'device-credential',
      kind: 'bytes',
      seeds: () => [
        encodeDeviceCredential(
          certifyDevice(ada.privateKey, ada.publicKey, PEER, new Uint8Array(32).fill(5)),
        ),
      ],
      run: (input) => {
        decodeDeviceCredential(input);
      },
    },
    {
      // Version 2 (docs/protocol.md §13.6): decoding either version never throws,
      // and what decodes re-encodes to the same bytes (one encoding per credential).
      name: 'device-credential-v2',
      kind: 'bytes',
      seeds: () => [
        encodeListedDeviceCredential({
          identityKey: ada.publicKey,
          peerId: PEER,
          signatureKey: new Uint8Array(32).fill(5),
          addedSeq: 3,
        }),
      ],
      run: (input) => {
        decodeAnyDeviceCredential(input);
        const c = decodeListedDeviceCredential(input);
        if (c && !Buffer.from(encodeListedDeviceCredential(c)).equals(Buffer.from(input)))
          throw new DecoderBroke('device-credential-v2', 'two encodings of one credential');
      },
    },
    {
      name: 'device-certificate',
      kind: 'bytes',
      seeds: () => [issueDeviceCertificate(ada.privateKey, ada.publicKey, PEER, 1)],
      run: (input) => {
        const cert = decodeDeviceCertificate(input);
        const verified = verifyDeviceCertificate(input, { peerId: PEER, identityKey: ada.publicKey });
        if (verified && !cert) throw new DecoderBroke('device-certificate', 'verified what does not decode');
      },
    },
    {
      // A device-list entry from a peer (docs/protocol.md §13.3): nothing but the
      // genuine entry extends the list (an entry 0 may be another list's: corpus
      // files are valid entries signed with an earlier run's keys).
      name: 'device-list-entry',
      kind: 'bytes',
      seeds: () => listBytes,
      run: (input) => {
        decodeDeviceListEntry(input);
        verifyDeviceList([input]);
        for (let k = 1; k < listBytes.length; k++) {
          const v = verifyDeviceList([...listBytes.slice(0, k), input]);
          if (v.ok && !Buffer.from(input).equals(Buffer.from(listBytes[k] ?? [])))
            throw new DecoderBroke('device-list-entry', `forged entry ${k} verified`);
        }
      },
    },
    {
      // Profile card version 2 (docs/protocol.md §13.6): decoding never throws, what
      // decodes re-encodes to the same bytes, and nothing but the genuine card is
      // taken against this run's list (corpus files are signed by an earlier run's keys).
      name: 'profile-card-v2',
      kind: 'bytes',
      seeds: () => [encodeProfileCardV2(genuineCardV2)],
      run: (input) => {
        const card = decodeProfileCardV2(input);
        if (card === null) return;
        if (!Buffer.from(encodeProfileCardV2(card)).equals(Buffer.from(input)))
          throw new DecoderBroke('profile-card-v2', 'two encodings of one card');
        profileCardV2SignatureValid(card);
        const verdict = judgeProfileCardV2(card, deviceList.identityKey, deviceListState);
        if (verdict.ok && !Buffer.from(input).equals(Buffer.from(encodeProfileCardV2(genuineCardV2))))
          throw new DecoderBroke('profile-card-v2', 'forged card taken');
      },
    },
    {
      // Kind 1 and 2 certificates as a device-list entry carries them (§13.2).
      name: 'device-certificate-listed',
      kind: 'bytes',
      seeds: () => deviceList.entries.flatMap((e) => (e.op === 'add' ? [e.certificate] : [])),
      run: (input) => {
        const cert = decodeListedDeviceCertificate(input);
        if (cert === null || !certificateSignatureValid(input, cert)) return;
        // Corpus files are certificates of an earlier run's identity; this run's must be genuine.
        if (!Buffer.from(cert.identityKey).equals(Buffer.from(deviceList.identityKey))) return;
        const genuine = deviceList.entries.some(
          (e) => e.op === 'add' && Buffer.from(e.certificate).equals(Buffer.from(input)),
        );
        if (!genuine) throw new DecoderBroke('device-certificate-listed', 'forged certificate verified');
      },
    },
    {
      name: 'address-record',
      kind: 'bytes',
      seeds: () => [new Uint8Array(64)],
      run: async (input) => {
        try {
          await openAddressRecord(input);
        } catch (err) {
          throw new DecoderBroke('address-record', err);
        }
      },
    },
    {
      // A contact's LAN beacon answer (docs/protocol.md, "Address records and the LAN beacon"):
      // any host on the LAN can send one; only an announcement sealed under the key opens.
      name: 'lan-beacon',
      kind: 'bytes',
      seeds: () => [beacon.sealed],
      run: (input) => {
        const addresses = openBeacon(beaconKey, beacon.token, input);
        if (addresses !== null && addresses[0] !== '/ip4/192.168.1.20/tcp/4001')
          throw new DecoderBroke('lan-beacon', 'forged announcement opened');
      },
    },
    {
      // The web shell's WebSocket frames: text frames are JSON, binary ones a header and a payload.
      name: 'web-shell-frame',
      kind: 'bytes',
      seeds: () => [
        encodeBinaryFrame(
          { t: 'req', id: 7, name: 'files.upload', params: { name: 'a.txt' }, bin: 'bytes' },
          bytes('hello'),
        ),
        bytes('{"t":"req","id":1,"name":"contacts.list","params":{}}'),
      ],
      run: (input) => {
        const decoded = decodeBinaryFrame(input);
        if (decoded !== null) ClientFrame.safeParse(decoded.header);
        let json: unknown;
        try {
          json = JSON.parse(text(input));
        } catch {
          return;
        }
        ClientFrame.safeParse(json);
      },
    },
    {
      name: 'control-request-frame',
      kind: 'text',
      seeds: () => [bytes('{"id":1,"name":"contacts.list","params":{}}')],
      run: (input) => {
        parseRequestFrame(text(input));
      },
    },
    {
      name: 'control-response-frame',
      kind: 'text',
      seeds: () => [bytes('{"id":1,"reply":{"ok":false,"error":{"code":"OFFLINE","message":"off"}}}')],
      run: (input) => {
        parseResponseFrame(text(input));
      },
    },
    {
      name: 'archive-header',
      kind: 'bytes',
      seeds: () => [new Uint8Array(archiveHeader)],
      // Refusals are BackupErrors with a sentence; anything else is a bug.
      run: (input) =>
        only(
          'archive-header',
          (e) => e instanceof BackupError,
          () => decodeHeader(Buffer.from(input)),
        ),
    },
    {
      name: 'archive-chunk',
      kind: 'bytes',
      seeds: () => [
        new Uint8Array(sealChunk(archiveKey, archiveHeader, archivePrefix, 0, false, Buffer.from('chunk'))),
      ],
      run: (input) => {
        const plain = openChunk(archiveKey, archiveHeader, archivePrefix, 0, false, Buffer.from(input));
        if (plain !== null && plain.toString() !== 'chunk')
          throw new DecoderBroke('archive-chunk', 'forged chunk opened');
      },
    },
    {
      name: 'search-query',
      kind: 'text',
      seeds: () => [bytes('from:"Ada L" in:lab before:2024-03-01 cafe* -tea "a phrase" has:file')],
      run: (input) => {
        parseSearchQuery(text(input));
      },
    },
    {
      name: 'contract-params',
      kind: 'text',
      seeds: () => [bytes('["messages.send",{"conversationId":1,"text":"hi"}]')],
      run: async (input) => {
        let call: unknown;
        try {
          call = JSON.parse(text(input));
        } catch {
          call = [text(input), text(input)];
        }
        const [name, params] = Array.isArray(call) ? (call as unknown[]) : ['contacts.list', call];
        const target =
          typeof name === 'string' && requestNames.includes(name as never) ? name : requestNames[0];
        const reply = await dispatch(target, params);
        // Bad params are INVALID_PARAMS; valid ones reach the (offline) handler. Never INTERNAL.
        if (!reply.ok && reply.error.code !== 'INVALID_PARAMS' && reply.error.code !== 'OFFLINE') {
          throw new DecoderBroke('contract-params', reply.error.code);
        }
      },
    },
  );
  return targets;
}
