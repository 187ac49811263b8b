import { randomBytes } from 'node:crypto';
import { rigCommand as run } from './rigCommand';

/**
 * A small network of Linux network namespaces for tests and benchmarks
 * (issue 13, deliver 7): one namespace per host, a veth pair per link, each
 * link its own /24. Nothing here touches the namespace the caller runs in
 * beyond creating the veth pairs there and moving them away at once; every
 * rule (packet loss with iptables' `statistic` match, black holes with DROP)
 * lives inside a namespace the rig created, and `dispose()` deletes them
 * all. Hosts do not forward, so two hosts talk only over a link of their own.
 * This kernel has no `netem`; iptables is what there is.
 *
 * Needs root, iproute2 and iptables; `unavailable()` says why not.
 */

export interface RigLink {
  hosts: [string, string];
  devices: [string, string];
  addresses: [string, string];
}

/** Why a rig cannot be built here, or null when it can. */
export function rigUnavailable(): string | null {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  try {
    run('ip', ['-V']);
    run('iptables', ['--version']);
  } catch {
    return 'needs iproute2 and iptables';
  }
  return null;
}

export class NetnsRig {
  private readonly namespaces = new Map<string, string>();
  readonly links: RigLink[] = [];
  private disposed = false;

  private constructor(private readonly tag: string) {}

  /** Hosts by name, joined by the given links (pairs of host names). */
  static create(hosts: string[], links: [string, string][]): NetnsRig {
    const tag = `${process.pid.toString(36)}${randomBytes(2).toString('hex')}`;
    const rig = new NetnsRig(tag);
    try {
      for (const host of hosts) {
        const ns = `prig-${tag}-${host}`;
        run('ip', ['netns', 'add', ns]);
        rig.namespaces.set(host, ns);
        run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      }
      // A random second octet per rig, so two rigs' addresses never look alike in logs.
      const octet = 64 + ((randomBytes(1)[0] ?? 0) % 128);
      links.forEach(([a, b], i) => {
        const devices: [string, string] = [`r${tag}${i}a`.slice(0, 15), `r${tag}${i}b`.slice(0, 15)];
        const addresses: [string, string] = [`10.${octet}.${i}.1`, `10.${octet}.${i}.2`];
        run('ip', ['link', 'add', devices[0], 'type', 'veth', 'peer', 'name', devices[1]]);
        [a, b].forEach((host, side) => {
          const ns = rig.ns(host);
          const dev = devices[side] as string;
          run('ip', ['link', 'set', dev, 'netns', ns]);
          run('ip', ['-n', ns, 'addr', 'add', `${addresses[side] as string}/24`, 'dev', dev]);
          run('ip', ['-n', ns, 'link', 'set', dev, 'up']);
        });
        rig.links.push({ hosts: [a, b], devices, addresses });
      });
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

  /** `host`'s address on its link to `other`. */
  addressOf(host: string, other: string): string {
    const link = this.link(host, other);
    return link.addresses[link.hosts[0] === host ? 0 : 1];
  }

  /** The command line that runs `command` inside `host`'s namespace. */
  wrap(host: string, command: string[]): string[] {
    return ['ip', 'netns', 'exec', this.ns(host), ...command];
  }

  /** Every packet `host` receives or sends on its links is dropped with this probability (0 clears). */
  setLoss(host: string, probability: number): void {
    this.clearRules(host);
    if (probability <= 0) return;
    const p = probability.toFixed(4);
    for (const chain of ['INPUT', 'OUTPUT']) {
      const dir = chain === 'INPUT' ? '-i' : '-o';
      this.iptables(host, [
        '-A',
        chain,
        '!',
        dir,
        'lo',
        '-m',
        'statistic',
        '--mode',
        'random',
        '--probability',
        p,
        '-j',
        'DROP',
      ]);
    }
  }

  /** `host` goes silent on its links (every packet in and out dropped) until `clearRules`. */
  blackHole(host: string): void {
    this.clearRules(host);
    this.iptables(host, ['-A', 'INPUT', '!', '-i', 'lo', '-j', 'DROP']);
    this.iptables(host, ['-A', 'OUTPUT', '!', '-o', 'lo', '-j', 'DROP']);
  }

  /** Drops the packets of one TCP connection (by its two ports) inside `host`, both ways. */
  blackHoleConnection(host: string, localPort: number, remotePort: number): void {
    for (const [chain, sport, dport] of [
      ['INPUT', remotePort, localPort],
      ['OUTPUT', localPort, remotePort],
    ] as const) {
      this.iptables(host, [
        '-A',
        chain,
        '-p',
        'tcp',
        '--sport',
        String(sport),
        '--dport',
        String(dport),
        '-j',
        'DROP',
      ]);
    }
  }

  /** Packets the rules of `host` dropped so far (iptables' counters). */
  droppedPackets(host: string): number {
    let total = 0;
    for (const chain of ['INPUT', 'OUTPUT']) {
      const out = run('ip', [
        'netns',
        'exec',
        this.ns(host),
        'iptables',
        '-w',
        '5',
        '-L',
        chain,
        '-v',
        '-n',
        '-x',
      ]);
      for (const line of out.split('\n')) {
        const fields = line.trim().split(/\s+/);
        if (fields[2] === 'DROP') total += Number(fields[0]) || 0;
      }
    }
    return total;
  }

  clearRules(host: string): void {
    this.iptables(host, ['-F', 'INPUT']);
    this.iptables(host, ['-F', 'OUTPUT']);
  }

  /** Takes the link between two hosts down or up (both ends). */
  setLink(a: string, b: string, up: boolean): void {
    const link = this.link(a, b);
    link.hosts.forEach((host, side) => {
      run('ip', ['-n', this.ns(host), 'link', 'set', link.devices[side] as string, up ? 'up' : 'down']);
    });
  }

  /** Deletes every namespace (and with them their veth ends and rules). Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const ns of this.namespaces.values()) {
      try {
        run('ip', ['netns', 'del', ns]);
      } catch {
        // Already gone.
      }
    }
    this.namespaces.clear();
  }

  private link(a: string, b: string): RigLink {
    const link = this.links.find((l) => l.hosts.includes(a) && l.hosts.includes(b) && a !== b);
    if (!link) throw new Error(`no link between ${a} and ${b}`);
    return link;
  }

  private iptables(host: string, args: string[]): void {
    run('ip', ['netns', 'exec', this.ns(host), 'iptables', '-w', '5', ...args]);
  }
}
