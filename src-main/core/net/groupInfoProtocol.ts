import type { AbortOptions } from '@libp2p/interface';
import { wireBytes } from './bytes';
import { FRAME_VERSION } from './limits';
import { GroupInfoRequest, GroupInfoResponse } from './proto/groupinfo.generated';
import {
  decodeFrame,
  ensure,
  ProtocolService,
  readRequired,
  type InboundContext,
  type ProtocolFactory,
  type ProtocolComponents,
} from './protocolService';

/**
 * /parley/groupinfo/1.0.0: a device that must rejoin a group by external
 * commit (RFC 9420 §12.4.3.2), typically a profile restored from a backup on
 * a new device, asks a member for the group's current GroupInfo. The request
 * names the group and carries the requester's MLS device credential; the
 * caller's handler answers only when that credential is certified by the
 * identity key of one of the group's users and names the PeerId that opened
 * the stream (groups/resync.ts). A restored device has a PeerId nobody
 * knows yet, so unlike the other protocols this one admits unknown peers:
 * the credential is the access check. Rate-limited per peer and for the whole
 * node before a byte is read: any stranger can ask, and each answer costs a
 * credential check and possibly a large export.
 */

export const MAX_GROUP_ID_BYTES = 256;
export const MAX_CREDENTIAL_BYTES = 4096;

/** The GroupInfo (MLSMessage) for `requester`, or null to refuse. */
export type GroupInfoHandler = (
  requester: string,
  groupId: Uint8Array,
  credential: Uint8Array,
) => Promise<Uint8Array | null>;

/** The groupinfo protocol as a node service; the default handler refuses every request. */
export function groupInfoProtocol(
  answer: GroupInfoHandler = async () => null,
): ProtocolFactory<GroupInfoProtocol> {
  return (components) => new GroupInfoProtocol(components, answer);
}

export class GroupInfoProtocol extends ProtocolService<GroupInfoHandler> {
  readonly name = 'groupinfo';

  constructor(components: ProtocolComponents, answer: GroupInfoHandler) {
    const { groupInfoPerPeer, groupInfoGlobal } = components.limits;
    super(components, {
      handler: answer,
      openToUnknownPeers: true,
      rateLimit: { perPeer: groupInfoPerPeer, global: groupInfoGlobal },
    });
  }

  protected async serve({ peer, frames }: InboundContext): Promise<void> {
    const request = decodeFrame(await readRequired(frames), GroupInfoRequest.decode);
    ensure(request.groupId.length > 0 && request.groupId.length <= MAX_GROUP_ID_BYTES, 'group id length');
    ensure(
      request.credential.length > 0 && request.credential.length <= MAX_CREDENTIAL_BYTES,
      'credential length',
    );
    const answer = this.served;
    const groupInfo = await this.callHandler(() => answer(peer, request.groupId, request.credential));
    const room = this.components.limits.maxFrameBytes.groupinfo - 16;
    const response: Partial<GroupInfoResponse> =
      groupInfo === null || groupInfo.length === 0 || groupInfo.length > room
        ? { version: FRAME_VERSION, error: GroupInfoResponse.Error.REFUSED }
        : { version: FRAME_VERSION, groupInfo: wireBytes(groupInfo) };
    await frames.write(GroupInfoResponse.encode(response));
    this.countServed();
    await frames.close();
  }

  /** The GroupInfo from `peer`, or null when it refused. Throws NetError when unreachable. */
  async fetch(
    peer: string,
    groupId: Uint8Array,
    credential: Uint8Array,
    options?: AbortOptions,
  ): Promise<Uint8Array | null> {
    return this.request(
      peer,
      async (frames) => {
        await frames.write(
          GroupInfoRequest.encode({
            version: FRAME_VERSION,
            groupId: wireBytes(groupId),
            credential: wireBytes(credential),
          }),
        );
        await frames.close();
        const response = decodeFrame(await readRequired(frames), GroupInfoResponse.decode);
        const has = response.groupInfo !== undefined && response.groupInfo.length > 0;
        const refused = response.error === GroupInfoResponse.Error.REFUSED;
        ensure(has !== refused, 'exactly one of group info and error');
        return has ? (response.groupInfo ?? null) : null;
      },
      options,
    );
  }
}
