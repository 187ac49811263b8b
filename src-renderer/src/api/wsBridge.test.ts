import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeBinaryFrame, WS_CLOSE, type ProfileStatus } from '../../../src-shared/contract';
import { createWsBridge, type BridgeSocket, type WsBridge } from './wsBridge';

/** A socket the test opens, feeds and closes by hand. */
class FakeSocket implements BridgeSocket {
  sent: unknown[] = [];
  closed = false;
  private listeners = new Map<string, ((event: { data: unknown; code: number }) => void)[]>();

  constructor(readonly url: string) {}

  addEventListener(type: string, listener: (event: { data: unknown; code: number }) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  send(data: string | Uint8Array): void {
    this.sent.push(typeof data === 'string' ? JSON.parse(data) : data);
  }
  close(): void {
    this.closed = true;
  }
  emit(type: 'open' | 'close' | 'message', data?: unknown, code = 1006): void {
    for (const listener of this.listeners.get(type) ?? []) listener({ data, code });
  }
  reply(frame: unknown): void {
    this.emit('message', JSON.stringify(frame));
  }
}

describe('createWsBridge', () => {
  let sockets: FakeSocket[];
  let bridge: WsBridge;
  const warn = vi.fn();
  const last = () => {
    const socket = sockets.at(-1);
    if (!socket) throw new Error('no socket opened');
    return socket;
  };

  beforeEach(() => {
    vi.useFakeTimers();
    sockets = [];
    warn.mockClear();
    bridge = createWsBridge('ws://127.0.0.1:1/bridge?token=t', {
      createSocket: (url) => {
        const socket = new FakeSocket(url);
        sockets.push(socket);
        return socket;
      },
      baseDelayMs: 100,
      maxDelayMs: 1000,
      warn,
    });
  });

  afterEach(() => {
    bridge.close();
    vi.useRealTimers();
  });

  it('queues requests until the socket opens and resolves validated replies', async () => {
    const answer = bridge.request('profile.status', {});
    expect(bridge.state).toBe('connecting');
    expect(last().sent).toEqual([]);
    last().emit('open');
    expect(bridge.state).toBe('open');
    expect(last().sent).toEqual([{ t: 'req', id: 1, name: 'profile.status', params: {} }]);
    last().reply({ t: 'res', id: 1, reply: { ok: true, value: { state: 'locked' } } });
    await expect(answer).resolves.toEqual({ ok: true, value: { state: 'locked' } });
  });

  it('turns a reply that breaks the contract into INTERNAL', async () => {
    const answer = bridge.request('profile.status', {});
    last().emit('open');
    last().reply({ t: 'res', id: 1, reply: { ok: true, value: { state: 'exploded' } } });
    await expect(answer).resolves.toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('fails pending requests with DISCONNECTED when the socket closes, then reconnects with backoff', async () => {
    const answer = bridge.request('profile.unlock', { passphrase: 'correct horse' });
    last().emit('open');
    last().emit('close');
    await expect(answer).resolves.toMatchObject({ ok: false, error: { code: 'DISCONNECTED' } });
    expect(bridge.state).toBe('closed');
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(sockets).toHaveLength(2);
    expect(bridge.state).toBe('connecting');
  });

  it('delivers valid events to subscribers and drops malformed frames', () => {
    const seen: ProfileStatus[] = [];
    bridge.subscribe('profile.changed', (status) => seen.push(status));
    last().emit('open');
    last().emit('message', 'not json');
    last().reply({ t: 'evt', name: 'profile.changed', payload: { state: 'nope' } });
    last().reply({ t: 'evt', name: 'no.such.event', payload: {} });
    last().reply({ t: 'res', id: 99, reply: { ok: true, value: {} } });
    last().reply({ t: 'evt', name: 'profile.changed', payload: { state: 'unlocked', displayName: 'Ada' } });
    expect(seen).toEqual([{ state: 'unlocked', displayName: 'Ada' }]);
    expect(warn).toHaveBeenCalledTimes(4);
  });

  it('keeps subscriptions across a reconnect', async () => {
    const seen: ProfileStatus[] = [];
    bridge.subscribe('profile.changed', (status) => seen.push(status));
    last().emit('open');
    last().emit('close');
    await vi.advanceTimersByTimeAsync(200);
    last().emit('open');
    last().reply({ t: 'evt', name: 'profile.changed', payload: { state: 'locked' } });
    expect(seen).toEqual([{ state: 'locked' }]);
  });

  it('reports connection changes', () => {
    const states: string[] = [];
    bridge.onChange((state) => states.push(state));
    void bridge.request('app.info', {});
    last().emit('open');
    last().emit('close');
    expect(states).toEqual(['connecting', 'open', 'closed']);
  });

  it('keeps the secret of the hello frame and presents it on the next connect', async () => {
    let credential = 'token=t';
    const urls: string[] = [];
    const secrets: string[] = [];
    const own = createWsBridge(() => `ws://127.0.0.1:1/bridge?${credential}`, {
      createSocket: (url) => {
        urls.push(url);
        const socket = new FakeSocket(url);
        sockets.push(socket);
        return socket;
      },
      onSecret: (secret) => {
        secrets.push(secret);
        credential = `secret=${secret}`;
      },
      baseDelayMs: 100,
      warn,
    });
    void own.request('app.info', {});
    last().emit('open');
    last().reply({ t: 'hello', secret: 's3cret' });
    expect(secrets).toEqual(['s3cret']);
    last().emit('close');
    await vi.advanceTimersByTimeAsync(200);
    expect(urls).toEqual(['ws://127.0.0.1:1/bridge?token=t', 'ws://127.0.0.1:1/bridge?secret=s3cret']);
    expect(warn).not.toHaveBeenCalled();
    own.close();
  });

  it.each([
    [WS_CLOSE.LINK_USED, 'link-used'],
    [WS_CLOSE.EARLIER_RUN, 'earlier-run'],
  ])('stops for good when the server refuses the credential (close %i)', async (code, refusal) => {
    const answer = bridge.request('profile.status', {});
    last().emit('open');
    last().emit('close', undefined, code);
    await expect(answer).resolves.toMatchObject({ ok: false, error: { code: 'DISCONNECTED' } });
    expect(bridge.state).toBe('refused');
    expect(bridge.refusal).toBe(refusal);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(sockets).toHaveLength(1);
  });

  it('sends a request holding bytes as one binary frame, the bytes raw', async () => {
    const answer = bridge.request('files.stageChunk', {
      stageId: 'abc',
      offset: 0,
      data: new Uint8Array([1, 2, 3, 255]),
    });
    last().emit('open');
    const sent = last().sent[0];
    expect(sent).toBeInstanceOf(Uint8Array);
    const decoded = decodeBinaryFrame(sent as Uint8Array);
    expect(decoded?.header).toEqual({
      t: 'req',
      id: 1,
      name: 'files.stageChunk',
      params: { stageId: 'abc', offset: 0 },
      bin: 'data',
    });
    expect([...(decoded?.payload ?? [])]).toEqual([1, 2, 3, 255]);
    last().reply({ t: 'res', id: 1, reply: { ok: true, value: { received: 4 } } });
    await expect(answer).resolves.toEqual({ ok: true, value: { received: 4 } });
  });
});
