import type { AbortOptions } from '@libp2p/interface';
import { wireBytes } from './bytes';
import {
  headFromWire,
  headToWire,
  MAX_CERTIFICATE_BYTES,
  validHead,
  type WireDeviceListHead,
} from './contactRequestProtocol';
import { FRAME_VERSION } from './limits';
import { HelloRequest, HelloResponse } from './proto/hello.generated';
import {
  AccessRevoked,
  decodeFrame,
  ensure,
  ProtocolService,
  readRequired,
  type InboundContext,
  type ProtocolFactory,
  type ProtocolComponents,
} from './protocolService';

/**
 * /parley/hello/1.0.0: "who are you?" for a peer found by mDNS, so the
 * nearby list can show a name before anyone is a contact. Like
 * contact-request it is open to unknown peers and rate-limited per peer and
 * per node before a byte is read. It answers only while the caller says so
 * (`answer()` returns null when "Discoverable on this network" is off): the
 * name is what a discoverable user chose to show people nearby, nothing more.
 */

export interface HelloInfo {
  /** ≤ 64 UTF-8 bytes. */
  displayName: string;
  /** The user's Ed25519 identity public key, 32 bytes. */
  identityKey: Uint8Array;
  /** The device certificate over the answering PeerId (opaque here, ≤ 512 bytes). */
  deviceCertificate?: Uint8Array;
  /** The answering device's person's device-list head (docs/protocol.md §13.6). */
  deviceListHead?: WireDeviceListHead;
}

export interface HelloHooks {
  /** What we tell a nearby peer, or null to refuse (not discoverable). */
  answer(peer: string): HelloInfo | null;
}

export const HELLO_NAME_BYTES = 64;

function validate(info: HelloInfo): void {
  ensure(info.identityKey.length === 32, 'identity key must be 32 bytes');
  ensure(
    info.deviceCertificate === undefined || info.deviceCertificate.length <= MAX_CERTIFICATE_BYTES,
    'device certificate too long',
  );
  ensure(info.deviceListHead === undefined || validHead(info.deviceListHead), 'bad device list head');
  ensure(info.displayName.length > 0, 'empty name');
  ensure(Buffer.byteLength(info.displayName, 'utf8') <= HELLO_NAME_BYTES, 'name too long');
}

/** The hello protocol as a node service; default hooks answer nobody. */
export function helloProtocol(hooks: HelloHooks = { answer: () => null }): ProtocolFactory<HelloProtocol> {
  return (components) => new HelloProtocol(components, hooks);
}

export class HelloProtocol extends ProtocolService<HelloHooks> {
  readonly name = 'hello';

  constructor(components: ProtocolComponents, hooks: HelloHooks) {
    const { helloPerPeer, helloGlobal } = components.limits;
    super(components, {
      handler: hooks,
      openToUnknownPeers: true,
      rateLimit: { perPeer: helloPerPeer, global: helloGlobal },
    });
  }

  protected async serve({ peer, frames }: InboundContext): Promise<void> {
    decodeFrame(await readRequired(frames), HelloRequest.decode);
    const info = this.served.answer(peer);
    if (info === null) throw new AccessRevoked();
    validate(info);
    await frames.write(
      HelloResponse.encode({
        version: FRAME_VERSION,
        displayName: info.displayName,
        identityKey: wireBytes(info.identityKey),
        ...(info.deviceCertificate ? { deviceCertificate: wireBytes(info.deviceCertificate) } : {}),
        ...(info.deviceListHead ? { deviceListHead: headToWire(info.deviceListHead) } : {}),
      }),
    );
    this.countServed();
    await frames.close();
  }

  /** Asks a peer who it is. Throws NetError ('reset' when it is not discoverable). */
  async ask(peer: string, options?: AbortOptions): Promise<HelloInfo> {
    return this.request(
      peer,
      async (frames) => {
        await frames.write(HelloRequest.encode({ version: FRAME_VERSION }));
        await frames.close();
        const response = decodeFrame(await readRequired(frames), HelloResponse.decode);
        ensure(response.identityKey !== undefined, 'identity key missing');
        const certificate = response.deviceCertificate;
        const info: HelloInfo = {
          displayName: response.displayName,
          identityKey: response.identityKey,
          ...(certificate && certificate.length > 0 ? { deviceCertificate: certificate } : {}),
          ...headFromWire(response.deviceListHead),
        };
        validate(info);
        return info;
      },
      options,
    );
  }
}
