import type { AbortOptions, Connection, Libp2p, PeerId, Stream } from '@libp2p/interface';
import type { ProtocolHost } from './protocolService';
import { noteStreamFlow } from './streamFlow';

/**
 * The protocols' view of the node (ProtocolHost) that opens a stream on a
 * connection already open to the peer, a relayed one included, before it
 * dials (issue 19).
 *
 * libp2p's dial reuses only connections without a Limit; a connection through
 * a relay for contacts carries one (docs/protocol.md §14.3), so every request
 * would dial the peer again: a second circuit, or, for a peer behind NAT that
 * reached us through a relay, a dial of addresses nobody can reach, and the
 * message would go to a mailbox although the peer is connected. A direct
 * connection is preferred; a relayed one is used when it is all there is.
 * Every stream, both ways, is noted with whether its connection has
 * per-stream flow control (streamFlow.ts: WebRTC has none).
 */
export function openConnectionHost(node: Libp2p): ProtocolHost {
  return {
    handle: (protocol, handler, options) =>
      node.handle(protocol, (stream, conn) => handler(noteStreamFlow(conn, stream), conn), options),
    unhandle: (protocol) => node.unhandle(protocol),
    async dialProtocol(
      peer: PeerId,
      protocol: string,
      options?: AbortOptions & { runOnLimitedConnection?: boolean },
    ): Promise<Stream> {
      const open = node.getConnections(peer).filter((c) => c.status === 'open');
      const best: Connection | undefined =
        open.find((c) => c.limits === undefined) ?? (options?.runOnLimitedConnection ? open[0] : undefined);
      // libp2p's own dialProtocol is this dial and newStream; done here to see the connection.
      const conn = best ?? (await node.dial(peer, options));
      return noteStreamFlow(conn, await conn.newStream(protocol, options));
    },
  };
}
