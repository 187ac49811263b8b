import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rigCommand as run } from './rigCommand';

/**
 * A small internet in network namespaces (issue 19): a "public" switch, hosts
 * on it, and homes each behind a router that does what home routers do.
 *
 * ```
 *   [home a] ─ [router a] ═╗                 ╔═ [router b] ─ [home b]
 *   10.x.1.2    10.x.1.1   ╚═ [switch: br] ══╝   10.x.2.1     10.x.2.2
 *                          11.y.0.R  ║  11.y.0.R
 *                              [public host c] 11.y.0.H
 * ```
 *
 * - The switch is a Linux bridge in its own namespace; every public host and
 *   every router's WAN side hangs off it by a veth pair, all in one /24.
 * - A router masquerades its home (iptables `nat POSTROUTING MASQUERADE`) and
 *   forwards from the WAN side only what belongs to a connection the home
 *   opened (`conntrack --ctstate ESTABLISHED,RELATED`) or a port forward
 *   (`DNAT`, made by miniupnpd): endpoint-independent mapping with
 *   address-and-port-dependent filtering, RFC 4787 §4.1 and §5. Unsolicited
 *   inbound to the router itself is dropped too.
 * - `port-preserving`: Linux keeps the home's source port when it is free
 *   (most home routers). `port-randomising`: `--random-fully`, every mapping
 *   gets a random port, so nobody can predict the port of the next one (the
 *   NATs hole punching fails on).
 * - `upnp`: the router runs miniupnpd (UPnP IGD and NAT-PMP, RFC 6886) on its
 *   home side; its port forwards live in an nftables table of the router.
 *
 * Addresses: the public network is 11.y.0.0/24 (y random per rig). miniupnpd
 * refuses to forward ports on the reserved ranges (RFC 1918, 198.18.0.0/15,
 * the documentation nets), so the rig's "internet" needs an address that
 * looks public. That is safe only because **nothing in the rig has a route
 * out**: no device of the rig lives in the caller's namespace (each veth pair
 * is moved into rig namespaces as soon as it is made, the bridge lives in the
 * switch's namespace), no router or public host has a default route, and each
 * namespace drops and counts (chain `PRIG_EDGE`) any packet addressed outside
 * the rig. `routesOut()` and `leakedPackets()` let a test assert all three.
 *
 * Needs root, iproute2 and iptables (and miniupnpd and nft for `upnp`);
 * `natRigUnavailable()` says why not. `dispose()` stops the daemons it
 * started (by PID) and deletes every namespace, also after a failed create.
 */

export type NatKind = 'port-preserving' | 'port-randomising';

export interface HomeSpec {
  /** The host behind the router; its router is `${name}-router`. */
  name: string;
  nat: NatKind;
  /** Run miniupnpd (UPnP IGD + NAT-PMP) on the router. */
  upnp?: boolean;
}

export interface NatRigSpec {
  publicHosts: string[];
  homes: HomeSpec[];
}

/** Why a NAT rig (with UPnP if asked) cannot be built here, or null. */
export function natRigUnavailable(options: { upnp?: boolean } = {}): string | null {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  try {
    run('ip', ['-V']);
    run('iptables', ['--version']);
  } catch {
    return 'needs iproute2 and iptables';
  }
  if (options.upnp) {
    try {
      run('miniupnpd', ['--version']);
      run('nft', ['--version']);
    } catch {
      return 'needs miniupnpd (nftables backend) and nft';
    }
  }
  return null;
}

/** Private addresses of the homes, the public switch's /24, loopback and multicast: the rig's whole world. */
const EDGE_CHAIN = 'PRIG_EDGE';

export class NatRig {
  private readonly namespaces = new Map<string, string>();
  /** Host → its address (a home's private one, a public host's or router's public one). */
  private readonly addresses = new Map<string, string>();
  private readonly daemons: ChildProcess[] = [];
  private readonly files: string[] = [];
  private disposed = false;
  readonly publicNet: string;
  readonly homeNet: string;

  private constructor(
    readonly tag: string,
    octet: number,
  ) {
    this.publicNet = `11.${octet}.0`;
    this.homeNet = `10.${octet}`;
  }

  static create(spec: NatRigSpec): NatRig {
    const tag = `${process.pid.toString(36)}${randomBytes(2).toString('hex')}`;
    const rig = new NatRig(tag, 64 + ((randomBytes(1)[0] ?? 0) % 128));
    try {
      rig.build(spec);
    } catch (err) {
      rig.dispose();
      throw err;
    }
    return rig;
  }

  /** The namespace of a host. */
  ns(host: string): string {
    const ns = this.namespaces.get(host);
    if (ns === undefined) throw new Error(`no host ${host} in this rig`);
    return ns;
  }

  /** The command line that runs `command` inside `host`'s namespace. */
  wrap(host: string, command: string[]): string[] {
    return ['ip', 'netns', 'exec', this.ns(host), ...command];
  }

  /** A host's own address: private for a home, public for a public host or a router. */
  addressOf(host: string): string {
    const address = this.addresses.get(host);
    if (address === undefined) throw new Error(`no host ${host} in this rig`);
    return address;
  }

  /** The public address a home's connections come from (its router's WAN address). */
  publicAddressOf(home: string): string {
    return this.addressOf(`${home}-router`);
  }

  /** The port forwards miniupnpd made on a home's router (its nft DNAT rules), as "proto port → host:port". */
  portMappings(home: string): string[] {
    const ns = this.ns(`${home}-router`);
    const out = run('ip', [
      'netns',
      'exec',
      ns,
      'nft',
      'list',
      'chain',
      'inet',
      'prig',
      'prerouting_miniupnpd',
    ]);
    return out
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.includes('dnat'));
  }

  /** Routes in any rig namespace that lead outside the rig (should be none). */
  routesOut(): string[] {
    const out: string[] = [];
    for (const [host, ns] of this.namespaces) {
      const routes = run('ip', ['-n', ns, '-4', 'route', 'show']).split('\n').filter(Boolean);
      for (const route of routes) {
        const [dest, , via] = route.split(/\s+/);
        const inside =
          dest?.startsWith(`${this.publicNet}.`) ||
          dest?.startsWith(`${this.homeNet}.`) ||
          (dest === 'default' && via?.startsWith(`${this.homeNet}.`) && !host.endsWith('-router'));
        if (!inside) out.push(`${host}: ${route}`);
      }
      for (const dev of run('ip', ['-n', ns, '-o', 'link', 'show']).split('\n').filter(Boolean)) {
        const name = dev.split(':')[1]?.trim().split('@')[0] ?? '';
        if (name !== 'lo' && !name.startsWith(`n${this.tag}`)) out.push(`${host}: device ${name}`);
      }
    }
    return out;
  }

  /** Packets any rig namespace tried to send or forward outside the rig (dropped and counted). */
  leakedPackets(): number {
    let total = 0;
    for (const ns of this.namespaces.values()) {
      const out = run('ip', ['netns', 'exec', ns, 'iptables', '-w', '5', '-L', EDGE_CHAIN, '-v', '-n', '-x']);
      for (const line of out.split('\n')) {
        const fields = line.trim().split(/\s+/);
        if (fields[2] === 'DROP') total += Number(fields[0]) || 0;
      }
    }
    return total;
  }

  /** Stops miniupnpd (by PID) and deletes every namespace. Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const daemon of this.daemons) {
      if (daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL');
    }
    for (const ns of this.namespaces.values()) {
      try {
        run('ip', ['netns', 'del', ns]);
      } catch {
        // Already gone.
      }
    }
    this.namespaces.clear();
    for (const file of this.files) rmSync(file, { force: true });
  }

  private addHost(host: string): string {
    const ns = `pnat-${this.tag}-${host}`;
    run('ip', ['netns', 'add', ns]);
    this.namespaces.set(host, ns);
    run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    return ns;
  }

  /** A veth pair between two namespaces, both ends moved there at once; returns the two device names. */
  private veth(index: number, a: string, b: string): [string, string] {
    const devices: [string, string] = [
      `n${this.tag}${index}a`.slice(0, 15),
      `n${this.tag}${index}b`.slice(0, 15),
    ];
    run('ip', ['link', 'add', devices[0], 'type', 'veth', 'peer', 'name', devices[1]]);
    run('ip', ['link', 'set', devices[0], 'netns', a]);
    run('ip', ['link', 'set', devices[1], 'netns', b]);
    return devices;
  }

  private up(ns: string, dev: string, address?: string): void {
    if (address) run('ip', ['-n', ns, 'addr', 'add', `${address}/24`, 'dev', dev]);
    run('ip', ['-n', ns, 'link', 'set', dev, 'up']);
  }

  private iptables(ns: string, args: string[]): void {
    run('ip', ['netns', 'exec', ns, 'iptables', '-w', '5', ...args]);
  }

  private build(spec: NatRigSpec): void {
    const sw = this.addHost('switch');
    const bridge = `n${this.tag}br`;
    run('ip', ['-n', sw, 'link', 'add', bridge, 'type', 'bridge']);
    this.up(sw, bridge);
    let link = 0;
    let hostOctet = 2;
    /** A public-side host (a public host or a router's WAN) on the switch. */
    const onSwitch = (host: string, ns: string): string => {
      const [inside, port] = this.veth(link++, ns, sw);
      run('ip', ['-n', sw, 'link', 'set', port, 'master', bridge]);
      this.up(sw, port);
      const address = `${this.publicNet}.${hostOctet++}`;
      this.up(ns, inside, address);
      this.addresses.set(host, address);
      return inside;
    };
    for (const host of spec.publicHosts) onSwitch(host, this.addHost(host));
    spec.homes.forEach((home, i) => {
      const routerName = `${home.name}-router`;
      const router = this.addHost(routerName);
      const wan = onSwitch(routerName, router);
      const homeNs = this.addHost(home.name);
      const [lan, homeDev] = this.veth(link++, router, homeNs);
      const net = `${this.homeNet}.${i + 1}`;
      this.up(router, lan, `${net}.1`);
      this.up(homeNs, homeDev, `${net}.2`);
      this.addresses.set(home.name, `${net}.2`);
      run('ip', ['-n', homeNs, 'route', 'add', 'default', 'via', `${net}.1`]);
      this.router(router, wan, lan, net, home);
    });
    for (const ns of this.namespaces.values()) this.edgeGuard(ns);
  }

  /** Masquerade and a stateful firewall (RFC 4787 §4.1, §5), and miniupnpd where asked. */
  private router(ns: string, wan: string, lan: string, net: string, home: HomeSpec): void {
    run('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    const masquerade = ['-t', 'nat', '-A', 'POSTROUTING', '-o', wan, '-j', 'MASQUERADE'];
    this.iptables(ns, home.nat === 'port-randomising' ? [...masquerade, '--random-fully'] : masquerade);
    this.iptables(ns, ['-P', 'FORWARD', 'DROP']);
    this.iptables(ns, ['-A', 'FORWARD', '-i', lan, '-o', wan, '-j', 'ACCEPT']);
    // DNAT: a port forward miniupnpd made (a virtual conntrack state: original destination rewritten).
    this.iptables(ns, [
      '-A',
      'FORWARD',
      '-i',
      wan,
      '-o',
      lan,
      '-m',
      'conntrack',
      '--ctstate',
      'ESTABLISHED,RELATED,DNAT',
      '-j',
      'ACCEPT',
    ]);
    this.iptables(ns, [
      '-A',
      'INPUT',
      '-i',
      wan,
      '-m',
      'conntrack',
      '--ctstate',
      'ESTABLISHED,RELATED',
      '-j',
      'ACCEPT',
    ]);
    this.iptables(ns, ['-A', 'INPUT', '-i', wan, '-j', 'DROP']);
    if (home.upnp) this.miniupnpd(ns, wan, lan, net);
  }

  private miniupnpd(ns: string, wan: string, lan: string, net: string): void {
    // The chains miniupnpd fills (its nft backend), hooked with policy accept:
    // the iptables FORWARD chain above stays the firewall.
    const table = [
      'table inet prig {',
      '  chain forward {',
      '    type filter hook forward priority 0; policy accept;',
      '    jump miniupnpd',
      '  }',
      '  chain miniupnpd {',
      '  }',
      '  chain prerouting {',
      '    type nat hook prerouting priority -100; policy accept;',
      '    jump prerouting_miniupnpd',
      '  }',
      '  chain postrouting {',
      '    type nat hook postrouting priority 100; policy accept;',
      '    jump postrouting_miniupnpd',
      '  }',
      '  chain prerouting_miniupnpd {',
      '  }',
      '  chain postrouting_miniupnpd {',
      '  }',
      '}',
      '',
    ].join('\n');
    const base = join(tmpdir(), `pnat-${this.tag}-${ns.slice(-12)}`);
    const nftFile = `${base}.nft`;
    const conf = `${base}.conf`;
    this.files.push(nftFile, conf, `${base}.pid`, `${base}.leases`);
    writeFileSync(nftFile, table);
    run('ip', ['netns', 'exec', ns, 'nft', '-f', nftFile]);
    writeFileSync(
      conf,
      [
        `ext_ifname=${wan}`,
        `listening_ip=${lan}`,
        'enable_natpmp=yes',
        'enable_upnp=yes',
        'secure_mode=yes',
        'system_uptime=yes',
        `uuid=00000000-0000-4000-8000-${randomBytes(6).toString('hex')}`,
        `lease_file=${base}.leases`,
        'upnp_table_name=prig',
        'upnp_nat_table_name=prig',
        'upnp_forward_chain=miniupnpd',
        'upnp_nat_chain=prerouting_miniupnpd',
        'upnp_nat_postrouting_chain=postrouting_miniupnpd',
        `allow 1024-65535 ${net}.0/24 1024-65535`,
        'deny 0-65535 0.0.0.0/0 0-65535',
        '',
      ].join('\n'),
    );
    const daemon = spawn('ip', ['netns', 'exec', ns, 'miniupnpd', '-d', '-f', conf, '-P', `${base}.pid`], {
      stdio: 'ignore',
    });
    this.daemons.push(daemon);
  }

  /** Counts and drops anything addressed outside the rig, sent or forwarded. */
  private edgeGuard(ns: string): void {
    this.iptables(ns, ['-N', EDGE_CHAIN]);
    for (const inside of [`${this.publicNet}.0/24`, `${this.homeNet}.0.0/16`, '127.0.0.0/8', '224.0.0.0/4']) {
      this.iptables(ns, ['-A', EDGE_CHAIN, '-d', inside, '-j', 'RETURN']);
    }
    this.iptables(ns, ['-A', EDGE_CHAIN, '-j', 'DROP']);
    this.iptables(ns, ['-I', 'OUTPUT', '1', '-j', EDGE_CHAIN]);
    this.iptables(ns, ['-I', 'FORWARD', '1', '-j', EDGE_CHAIN]);
  }
}
