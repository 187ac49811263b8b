import { NetStatus } from '../../../src-shared/contract';
import type { CoreOptions } from '../../core/core';
import type { Dispatch } from '../../core/rpc/dispatcher';
import { createCore } from '../../core/core';
import { createJsonLogger } from '../../core/util/logger';
import type { CommandSpec } from '../commandSpec';
import { CliFailure, EXIT_OK, UsageError } from '../cliError';
import { startControlServer, controlSocketPath, type ControlServer } from '../control/controlServer';
import { printable } from '../control/nodeSession';
import { cliCoreOptions } from '../coreOptions';
import { defaultProfileDir } from '../defaultProfileDir';
import { PASSPHRASE_ENV } from '../passphraseInput';
import { profileOption } from '../profileOption';
import { unlockHere } from '../unlockHere';

export const LISTEN_ENV = 'PARLEY_LISTEN';

/** A multiaddr with a transport part, e.g. /ip4/203.0.113.7/tcp/4001 (not checked further here). */
export function isMultiaddr(address: string): boolean {
  return /^\/(ip4|ip6|dns|dns4|dns6)\/[^/]+\/tcp\/\d{1,5}$/.test(address);
}
const DEFAULT_LISTEN = '/ip4/0.0.0.0/tcp/0';
/** How long to wait for the network to report its listening addresses after unlock. */
const ADDRESS_WAIT_MS = 5_000;

/** What the node asks of the core's network; the same shape as the core's `network` option. */
type NetworkChoice = { listen?: string[]; mdns?: boolean; publicAddresses?: string[] };

export const nodeCommand: CommandSpec = {
  name: 'node',
  summary: 'Run an always-on peer (relay and mailbox for your contacts)',
  details: [
    `Unlocks the profile (passphrase from ${PASSPHRASE_ENV} or the terminal), joins the peer network and`,
    'keeps sealed messages for contacts who are offline. Prints its PeerId and addresses; JSON logs go to',
    'stderr and never contain message content or keys. While it runs, `parley invite`, `accept`, `contacts`,',
    '`send`, `messages` and `status` on this profile talk to it over an owner-only socket in the profile',
    `folder. --listen defaults to ${LISTEN_ENV}, else ${DEFAULT_LISTEN}. LAN discovery (mDNS) is off unless`,
    '--mdns is given. --public names the address other networks reach this node on (e.g. a VPS or a home',
    'server with a port forward, /ip4/203.0.113.7/tcp/4001; several separated by commas): the node announces',
    "it and relays for its contacts' devices behind NAT (circuit relay v2, contacts only). Without --public",
    "the node holds reservations on up to three of its contacts' relays. Stop with Ctrl+C (SIGINT) or",
    'SIGTERM: the profile is locked and closed cleanly.',
  ].join('\n'),
  options: [
    profileOption,
    {
      name: 'listen',
      type: 'string',
      value: 'MULTIADDR',
      description: `address to listen on (default: ${DEFAULT_LISTEN})`,
    },
    { name: 'mdns', type: 'boolean', description: 'find peers on the local network by mDNS' },
    {
      name: 'public',
      type: 'string',
      value: 'MULTIADDR',
      description: 'address other networks reach this node on; relay for your contacts',
    },
  ],
  async run(values, io) {
    const listen = typeof values.listen === 'string' ? values.listen : (io.env[LISTEN_ENV] ?? DEFAULT_LISTEN);
    if (!listen.startsWith('/'))
      throw new UsageError('--listen must be a multiaddr such as /ip4/0.0.0.0/tcp/4001.');
    const profileDir = typeof values.profile === 'string' ? values.profile : defaultProfileDir(io.env);
    const base = cliCoreOptions(profileDir, 'cli', io);
    // An always-on service is watched through its logs: info by default, not just warnings.
    const logger = createJsonLogger(
      (line) => io.stderr(`${line}\n`),
      io.env.PARLEY_LOG === 'debug' ? 'debug' : 'info',
    );
    const publicAddresses =
      typeof values.public === 'string' ? values.public.split(',').map((a) => a.trim()) : undefined;
    if (publicAddresses?.some((a) => !isMultiaddr(a)))
      throw new UsageError('--public must be a multiaddr such as /ip4/203.0.113.7/tcp/4001.');
    const network: NetworkChoice = {
      listen: [listen],
      mdns: values.mdns === true,
      ...(publicAddresses ? { publicAddresses } : {}),
    };
    const options: CoreOptions & { network?: NetworkChoice } = { ...base, logger, network };
    const core = createCore(options);
    let control: ControlServer | null = null;
    try {
      await unlockHere(core, io, 'create one with "parley init".');
      await core.idle();
      const net = await networkStatus(core.dispatch);
      // An always-on peer that cannot be reached is no peer: say why and fail, so a service
      // manager sees it (issue #14 item 5: a taken port used to print "running" and exit 0).
      if (net !== 'unsupported' && net.problem !== null) throw new CliFailure(net.problem);
      const damage = core.profile.status().problem;
      if (damage) io.stderr(`parley node: Warning: ${damage}\n`);
      control = await startControlServer({
        path: controlSocketPath(core.profile.dir),
        dispatch: core.dispatch,
        logger,
      });
      if (net === 'unsupported') {
        io.stderr(
          'parley node: Warning: this build of the core has no peer network; serving the local socket only.\n',
        );
      } else {
        io.stdout(`PeerId: ${net.peerId ?? '(network off)'}\n`);
        io.stdout(`Addresses:\n${net.addresses.map((a) => `  ${printable(a)}\n`).join('') || '  (none)\n'}`);
      }
      io.stdout(`Control socket: ${control.path}\n`);
      io.stdout(`Parley node running for ${core.profile.dir}; stop with Ctrl+C.\n`);
      logger.log('info', 'node.started', {
        peerId: net === 'unsupported' ? null : net.peerId,
        mdns: network.mdns,
      });
      await (io.untilStopped ?? (() => new Promise<void>(() => {})))();
      logger.log('info', 'node.stopping', {});
      return EXIT_OK;
    } finally {
      // The socket goes first so no request reaches a core that is closing.
      await control?.close();
      await core.dispatch('profile.lock', {});
      await core.close();
    }
  },
};

/** net.status after unlock; waits briefly (bounded) for the listeners to report their addresses. */
async function networkStatus(dispatch: Dispatch): Promise<NetStatus | 'unsupported'> {
  const deadline = Date.now() + ADDRESS_WAIT_MS;
  for (;;) {
    const reply = await dispatch('net.status', {});
    if (!reply.ok && reply.error.code === 'UNKNOWN_REQUEST') return 'unsupported';
    const status = reply.ok ? NetStatus.safeParse(reply.value) : null;
    const view: NetStatus = status?.success
      ? status.data
      : { state: 'offline', peers: 0, peerId: null, addresses: [], problem: null };
    if (view.addresses.length > 0 || view.problem !== null || Date.now() >= deadline) return view;
    await new Promise((r) => setTimeout(r, 100));
  }
}
