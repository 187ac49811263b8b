import type { Connection } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { describe, expect, it } from 'vitest';
import { isDirect, webRtcAddressOf } from './directUpgrade';

/** Which connections count as direct, and where the WebRTC upgrade of a relayed one is dialled. */

const RELAY = '/ip4/11.0.0.2/tcp/4001/p2p/12D3KooWRiXe5Qm2kDRxAawG1rJRhwDmTnStGTz5g5T5eNhaH6Ds';
const PEER = '12D3KooWMhKjC4XFGZqd1HQxv4CJmvYVuzHsGeRbSeP1SEcXNXS9';

const conn = (address: string, limited = false): Connection =>
  ({
    status: 'open',
    remoteAddr: multiaddr(address),
    limits: limited ? { bytes: 1n } : undefined,
  }) as unknown as Connection;

describe('direct upgrade', () => {
  it('dials the WebRTC address behind the same relay', () => {
    expect(webRtcAddressOf(multiaddr(`${RELAY}/p2p-circuit/p2p/${PEER}`))?.toString()).toBe(
      `${RELAY}/p2p-circuit/webrtc/p2p/${PEER}`,
    );
    expect(webRtcAddressOf(multiaddr(`${RELAY}/p2p-circuit/webrtc/p2p/${PEER}`))).toBeNull();
    expect(webRtcAddressOf(multiaddr(`/ip4/11.0.0.3/tcp/1/p2p/${PEER}`))).toBeNull();
  });

  it('TCP and WebRTC connections are direct; relayed and limited ones are not', () => {
    expect(isDirect(conn(`/ip4/11.0.0.3/tcp/1/p2p/${PEER}`))).toBe(true);
    expect(isDirect(conn(`${RELAY}/p2p-circuit/webrtc/p2p/${PEER}`))).toBe(true);
    expect(isDirect(conn(`${RELAY}/p2p-circuit/p2p/${PEER}`, true))).toBe(false);
    expect(isDirect(conn(`${RELAY}/p2p-circuit/p2p/${PEER}`))).toBe(false);
  });
});
