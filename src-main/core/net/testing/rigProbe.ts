import { spawn } from 'node:child_process';

/**
 * Plain TCP and NAT-PMP probes run inside a rig's namespaces (natRig.ts), as
 * small Node processes started with `ip netns exec`, each bounded in time.
 * Test-only: they prove what the rig lets through, with nothing of Parley's.
 */

export interface RigHosts {
  wrap(host: string, command: string[]): string[];
}

/** Runs a Node snippet in `host`'s namespace; resolves with its stdout (or rejects after `timeoutMs`). */
function runIn(
  rig: RigHosts,
  host: string,
  code: string,
  args: string[],
  timeoutMs: number,
): Promise<string> {
  const [command, ...rest] = rig.wrap(host, [process.execPath, '-e', code, ...args]);
  return new Promise((resolve, reject) => {
    const child = spawn(command as string, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out.trim());
      else reject(new Error(`probe in ${host} failed (${code}): ${err.trim() || out.trim()}`));
    });
  });
}

const SERVER = `
const net = require('node:net');
const [port, count] = process.argv.slice(1).map(Number);
let seen = 0;
const server = net.createServer((s) => {
  console.log(s.remoteAddress + ' ' + s.remotePort);
  s.end('hi');
  if (++seen >= count) server.close();
});
server.listen(port, '0.0.0.0', () => console.log('listening'));
`;

const CLIENT = `
const net = require('node:net');
const [host, port, localPort] = process.argv.slice(1);
const s = net.connect({ host, port: Number(port), ...(Number(localPort) ? { localPort: Number(localPort) } : {}), timeout: 1500 });
s.on('data', () => { console.log('ok'); s.destroy(); process.exit(0); });
s.on('timeout', () => { console.log('timeout'); process.exit(0); });
s.on('error', (e) => { console.log(e.code || 'error'); process.exit(0); });
`;

/** A TCP server in `host` that answers up to `count` connections; `peers` lists who connected ("addr port"). */
export async function tcpServer(
  rig: RigHosts,
  host: string,
  port: number,
  count: number,
  lifetimeMs: number,
): Promise<{ peers: Promise<string[]> }> {
  const [command, ...rest] = rig.wrap(host, [process.execPath, '-e', SERVER, String(port), String(count)]);
  const child = spawn(command as string, rest, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const timer = setTimeout(() => child.kill('SIGKILL'), lifetimeMs);
  await new Promise<void>((ready, fail) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('listening')) ready();
    });
    child.once('exit', () => fail(new Error(`server in ${host} exited`)));
  });
  const peers = new Promise<string[]>((resolve) => {
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(
        out
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l && l !== 'listening'),
      );
    });
  });
  return { peers };
}

/** Connects from `host` to `address:port` (from `localPort` if given): 'ok', 'timeout', or an errno code. */
export function tcpConnect(
  rig: RigHosts,
  host: string,
  address: string,
  port: number,
  localPort = 0,
): Promise<string> {
  return runIn(rig, host, CLIENT, [address, String(port), String(localPort)], 5_000);
}

const NATPMP = `
const dgram = require('node:dgram');
const [gateway, internal, external] = process.argv.slice(1).map((v, i) => (i === 0 ? v : Number(v)));
const s = dgram.createSocket('udp4');
// RFC 6886 §3.3: version 0, opcode 2 (TCP), reserved, internal port, suggested external port, lifetime (s).
const req = Buffer.alloc(12);
req.writeUInt8(0, 0); req.writeUInt8(2, 1); req.writeUInt16BE(internal, 4); req.writeUInt16BE(external, 6); req.writeUInt32BE(600, 8);
let tries = 0;
// §3.1: resend after 250 ms, doubling; bounded here to 5 tries (about 8 s).
const send = () => { if (tries++ >= 5) { console.log('no answer'); process.exit(0); } s.send(req, 5351, gateway); setTimeout(send, 250 * 2 ** (tries - 1)); };
s.on('message', (m) => {
  if (m.length < 16 || m.readUInt8(1) !== 130) return;
  const result = m.readUInt16BE(2);
  console.log(result === 0 ? 'mapped ' + m.readUInt16BE(10) : 'result ' + result);
  process.exit(0);
});
s.bind(0, send);
`;

/** Asks the home's gateway for a TCP port mapping by NAT-PMP (RFC 6886): 'mapped <port>', 'result <code>' or 'no answer'. */
export function natPmpMap(
  rig: RigHosts,
  host: string,
  gateway: string,
  internalPort: number,
  externalPort: number,
): Promise<string> {
  return runIn(rig, host, NATPMP, [gateway, String(internalPort), String(externalPort)], 20_000);
}
