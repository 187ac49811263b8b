import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  ClientFrame,
  decodeBinaryFrame,
  WS_CLOSE,
  WS_MAX_FRAME_BYTES,
  WS_PATH,
  type ServerFrame,
} from '../../../src-shared/contract';
import type { Core } from '../../core/core';
import { errorFields, type Logger } from '../../core/util/logger';
import { loadStaticFile } from './staticFiles';

export interface WebShellOptions {
  core: Core;
  /** The built renderer (out/renderer). */
  staticDir: string;
  /** 0 picks a free port. */
  port: number;
  logger: Logger;
  /** Tests may fix it; otherwise 32 random bytes per run. */
  token?: string;
}

export interface WebShell {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The only interface the web shell ever binds: it is a local UI, never a LAN service. */
const HOST = '127.0.0.1';
/** Requests one socket may have in flight; more are refused rather than queued without bound. */
const MAX_IN_FLIGHT = 64;

/**
 * `parley web`: serves the built renderer and the contract over a WebSocket on
 * 127.0.0.1. Any local process (or web page in a browser) can reach a loopback
 * port, so a socket is accepted only from this origin, and the Host header is
 * checked on every request to defeat DNS rebinding. Then it must present this
 * run's credential: the printed URL's one-time token, which the first socket
 * exchanges for a per-tab secret (sent in its `hello` frame), or that secret.
 * A copied URL therefore works in one tab only, and a reload of that tab
 * still works.
 */
/**
 * Every error answer (404, 405, 421, 500): plain text that may not be sniffed
 * as anything else, run nothing and be framed by nobody (issue #14 item 14).
 */
const ERROR_HEADERS = {
  'content-type': 'text/plain; charset=utf-8',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
} as const;

export async function startWebShell(options: WebShellOptions): Promise<WebShell> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const tokenDigest = sha256(token);
  const { core, logger } = options;
  let port = 0;

  const allowedHosts = () => [`${HOST}:${port}`, `localhost:${port}`];

  const server = createServer((req, res) => {
    void serveHttp(req, res);
  });

  async function serveHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHosts().includes(req.headers.host ?? '')) {
      res.writeHead(421, ERROR_HEADERS).end('Misdirected request');
      return;
    }
    const download = /^\/download\/([0-9a-f]{32})$/.exec(req.url ?? '');
    if (download?.[1] && req.method === 'GET') {
      await serveDownload(download[1], res);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...ERROR_HEADERS, allow: 'GET, HEAD' }).end('Method not allowed');
      return;
    }
    try {
      const file = await loadStaticFile(options.staticDir, req.url ?? '/');
      if (!file) {
        res.writeHead(404, ERROR_HEADERS).end('Not found');
        return;
      }
      res.writeHead(200, {
        'content-type': file.type,
        'cache-control': file.cacheable ? 'private, max-age=3600' : 'no-store',
        'content-security-policy': contentSecurityPolicy(port),
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-resource-policy': 'same-origin',
        'x-frame-options': 'DENY',
      });
      res.end(req.method === 'HEAD' ? undefined : file.body);
    } catch (err) {
      logger.log('error', 'web.static_failed', errorFields(err));
      if (!res.headersSent) res.writeHead(500, ERROR_HEADERS);
      res.end('Internal error');
    }
  }

  /**
   * A one-time download the core offered to an authenticated tab (a backup, a
   * received file): the 128-bit token in the path is the capability, spent by
   * the first request. Streamed, so a large archive never sits in memory.
   */
  async function serveDownload(token: string, res: ServerResponse): Promise<void> {
    const download = core.hostFiles.takeDownload(token);
    if (!download) {
      res
        .writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' })
        .end('This download link was already used or has expired. Save the file again from Parley.');
      return;
    }
    try {
      res.writeHead(200, {
        'content-type': download.mime,
        'content-length': String(download.size),
        // RFC 6266 §4.3: an ASCII fallback plus the UTF-8 name (RFC 8187).
        'content-disposition': `attachment; filename="${download.name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(download.name)}`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cross-origin-resource-policy': 'same-origin',
      });
      for await (const chunk of download.open()) {
        if (!res.write(chunk)) {
          await new Promise((r) => {
            res.once('drain', r);
            res.once('close', r);
          });
        }
        if (res.destroyed) break;
      }
      res.end();
    } catch (err) {
      logger.log('warn', 'web.download_failed', errorFields(err));
      res.destroy();
    } finally {
      download.cleanup?.();
    }
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_FRAME_BYTES });
  /** Set once the URL token was exchanged: the one tab secret of this run. */
  let tabSecretDigest: Buffer | null = null;

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = checkUpgrade(req);
    if (refusal) {
      logger.log('warn', 'web.socket_refused', { reason: refusal });
      socket.end(
        `HTTP/1.1 ${refusal === 'credential' ? '401 Unauthorized' : '403 Forbidden'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
      );
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    wss.handleUpgrade(req, socket, head, (ws) => admit(ws, url.searchParams));
  });

  function checkUpgrade(req: IncomingMessage): 'host' | 'path' | 'origin' | 'credential' | null {
    const host = req.headers.host ?? '';
    if (!allowedHosts().includes(host)) return 'host';
    const url = new URL(req.url ?? '/', `http://${host}`);
    if (url.pathname !== WS_PATH) return 'path';
    // Same-origin only: the page we served is the only legitimate client.
    if (req.headers.origin !== `http://${host}`) return 'origin';
    if (!url.searchParams.get('token') && !url.searchParams.get('secret')) return 'credential';
    return null;
  }

  /**
   * Checks the credential of an upgraded socket. A wrong one is closed with a
   * code the page can read (WS_CLOSE) so it can say why; nothing is sent first.
   */
  function admit(ws: WebSocket, query: URLSearchParams): void {
    const secret = query.get('secret');
    const token = query.get('token');
    if (secret) {
      if (tabSecretDigest && timingSafeEqual(sha256(secret), tabSecretDigest)) {
        attach(ws, {});
        return;
      }
      refuse(ws, WS_CLOSE.EARLIER_RUN, 'secret');
      return;
    }
    if (token && timingSafeEqual(sha256(token), tokenDigest)) {
      if (tabSecretDigest) {
        refuse(ws, WS_CLOSE.LINK_USED, 'token_used');
        return;
      }
      const issued = randomBytes(32).toString('base64url');
      tabSecretDigest = sha256(issued);
      attach(ws, { secret: issued });
      return;
    }
    refuse(ws, WS_CLOSE.EARLIER_RUN, 'token');
  }

  function refuse(ws: WebSocket, code: number, reason: string): void {
    logger.log('warn', 'web.socket_refused', { reason });
    ws.close(code, reason);
  }

  const sockets = new Set<WebSocket>();
  const unsubscribe = core.onEvent((name, payload) => {
    const frame: ServerFrame = { t: 'evt', name, payload };
    const text = JSON.stringify(frame);
    for (const ws of sockets) ws.send(text);
  });

  function attach(ws: WebSocket, hello: { secret?: string }): void {
    sockets.add(ws);
    send(ws, { t: 'hello', ...hello });
    let inFlight = 0;
    logger.log('info', 'web.socket_opened', { clients: sockets.size });
    ws.on('close', () => {
      sockets.delete(ws);
      logger.log('info', 'web.socket_closed', { clients: sockets.size });
    });
    ws.on('error', (err) => logger.log('warn', 'web.socket_error', errorFields(err)));
    ws.on('message', (data, isBinary) => {
      const frame = parseFrame(data, isBinary);
      if (!frame) {
        // A client that speaks garbage is not our renderer: close with "unsupported data" (RFC 6455 §7.4.1).
        ws.close(1003, 'malformed frame');
        return;
      }
      if (inFlight >= MAX_IN_FLIGHT) {
        send(ws, {
          t: 'res',
          id: frame.id,
          reply: { ok: false, error: { code: 'INTERNAL', message: 'Too many requests at once; try again.' } },
        });
        return;
      }
      inFlight++;
      void core.dispatch(frame.name, frame.params).then((reply) => {
        inFlight--;
        send(ws, { t: 'res', id: frame.id, reply });
      });
    });
  }

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port, HOST, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://${HOST}:${port}/#token=${token}`;
  logger.log('info', 'web.listening', { port });

  return {
    url,
    port,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.close(1001, 'server shutting down');
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * A text frame is a JSON ClientFrame; a binary frame is a ClientFrame header
 * naming (`bin`) the top-level param that its payload bytes fill.
 */
function parseFrame(data: unknown, isBinary: boolean): ClientFrame | null {
  try {
    if (isBinary) {
      const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : null;
      const decoded = bytes ? decodeBinaryFrame(bytes) : null;
      const parsed = decoded ? ClientFrame.safeParse(decoded.header) : null;
      if (!decoded || !parsed?.success || !parsed.data.bin) return null;
      const params = parsed.data.params;
      if (typeof params !== 'object' || params === null || Array.isArray(params)) return null;
      return { ...parsed.data, params: { ...params, [parsed.data.bin]: Buffer.from(decoded.payload) } };
    }
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
    const parsed = ClientFrame.safeParse(JSON.parse(text));
    return parsed.success && parsed.data.bin === undefined ? parsed.data : null;
  } catch {
    return null;
  }
}

function send(ws: WebSocket, frame: ServerFrame): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The same policy as the Electron window, plus the socket this page must reach. */
export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    'media-src blob:',
    "font-src 'self'",
    `connect-src 'self' ws://${HOST}:${port} ws://localhost:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
