import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../util/logger';
import { bindingResponse, parseBindingRequest, StunResponder } from './stunResponder';

/** The STUN Binding responder (RFC 8489) a reachable node runs for its contacts' ICE. */

const COOKIE = [0x21, 0x12, 0xa4, 0x42];
const txid = Uint8Array.from({ length: 12 }, (_, i) => i + 1);
const request = (type = 0x0001, extra: number[] = []) =>
  new Uint8Array([type >> 8, type & 0xff, 0, extra.length, ...COOKIE, ...txid, ...extra]);

const responders: StunResponder[] = [];
afterEach(async () => {
  for (const r of responders.splice(0)) await r.stop();
});

/** Sends one datagram from a fresh socket; the first answer within 1 s, or null. */
async function exchange(port: number, packet: Uint8Array): Promise<{ reply: Buffer | null; from: number }> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const from = socket.address().port;
  const reply = await new Promise<Buffer | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), 1_000);
    socket.once('message', (m) => {
      clearTimeout(timer);
      resolve(m);
    });
    socket.send(packet, port, '127.0.0.1');
  });
  socket.close();
  return { reply, from };
}

describe('STUN responder', () => {
  it('parses Binding requests only', () => {
    expect(parseBindingRequest(request())).toEqual(txid);
    expect(parseBindingRequest(request(0x0101))).toBeNull(); // a response
    expect(parseBindingRequest(request(0x0003))).toBeNull(); // TURN Allocate
    expect(parseBindingRequest(request(0x0001, [0, 0]))).toBeNull(); // length not a multiple of 4
    const badCookie = request();
    badCookie[4] = 0;
    expect(parseBindingRequest(badCookie)).toBeNull();
    expect(parseBindingRequest(new Uint8Array(19))).toBeNull();
    expect(parseBindingRequest(new Uint8Array(600))).toBeNull();
  });

  it('answers with the XOR-MAPPED-ADDRESS the request came from (RFC 8489 §14.2)', () => {
    const out = bindingResponse(txid, '192.0.2.1', 32853);
    // RFC 8489 §14.2: port XOR the cookie's top 16 bits, address XOR the cookie.
    expect([...out.slice(0, 4)]).toEqual([0x01, 0x01, 0, 12]);
    expect([...out.slice(8, 20)]).toEqual([...txid]);
    expect([...out.slice(20, 26)]).toEqual([0x00, 0x20, 0, 8, 0, 1]);
    const view = new DataView(out.buffer);
    expect(view.getUint16(26) ^ 0x2112).toBe(32853);
    expect((view.getUint32(28) ^ 0x2112a442) >>> 0).toBe(0xc0000201);
  });

  it('over UDP: a Binding request gets the asker its own address; anything else gets nothing', async () => {
    const stun = new StunResponder({ port: 0, host: '127.0.0.1', logger: silentLogger });
    responders.push(stun);
    await stun.start();
    const { reply, from } = await exchange(stun.port, request());
    expect(reply).not.toBeNull();
    const view = new DataView(new Uint8Array(reply ?? Buffer.alloc(0)).buffer);
    expect(view.getUint16(0)).toBe(0x0101);
    expect(view.getUint16(26) ^ 0x2112).toBe(from);
    expect((view.getUint32(28) ^ 0x2112a442) >>> 0).toBe(0x7f000001);
    expect((await exchange(stun.port, new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'))).reply).toBeNull();
    expect(stun.responses).toBe(1);
  });

  it('answers a flooding source only up to its budget', async () => {
    const stun = new StunResponder({
      port: 0,
      host: '127.0.0.1',
      logger: silentLogger,
      perSource: { capacity: 3, refillPerSecond: 0.001 },
    });
    responders.push(stun);
    await stun.start();
    const replies = [];
    for (let i = 0; i < 5; i++) replies.push((await exchange(stun.port, request())).reply);
    expect(replies.filter((r) => r !== null)).toHaveLength(3);
  });
});
