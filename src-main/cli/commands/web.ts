import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createCore, type CoreOptions } from '../../core/core';
import type { NetworkOptions } from '../../core/runtime/messagingHost';
import { ParleyError } from '../../core/errors';
import type { Logger } from '../../core/util/logger';
import type { CommandSpec } from '../commandSpec';
import { CliFailure, EXIT_OK, UsageError } from '../cliError';
import { cliCoreOptions } from '../coreOptions';
import { defaultProfileDir } from '../defaultProfileDir';
import { startWebShell } from '../web/webShell';
import { isMultiaddr, LISTEN_ENV } from './node';
import { profileOption } from '../profileOption';

/** `PARLEY_MDNS=off` keeps a web shell that joined the network off mDNS (tests outside a private namespace). */
export const MDNS_ENV = 'PARLEY_MDNS';

/**
 * The network a web shell joins, with mDNS as in the desktop app (issue 13)
 * so Nearby works and contacts find each other on the LAN ("Discoverable on
 * this network" then decides what mDNS announces; PARLEY_MDNS=off keeps it
 * off). With PARLEY_LISTEN: that address, online from unlock (unless
 * `offline`). Without it: offline until the user chooses "Go online" in the
 * status bar, which listens on every interface like the desktop app.
 */
export function webNetwork(env: NodeJS.ProcessEnv, offline = false): NetworkOptions {
  const listen = env[LISTEN_ENV];
  const mdns = env[MDNS_ENV] !== 'off';
  const reach = publicAddressesOf(env);
  if (!listen) return { listen: ['/ip4/0.0.0.0/tcp/0'], mdns, startOffline: true, ...reach };
  return { listen: [listen], mdns, ...(offline ? { startOffline: true } : {}), ...reach };
}

/** `PARLEY_PUBLIC`: as `parley node --public`, the addresses other networks reach this device on (issue 19). */
export const PUBLIC_ENV = 'PARLEY_PUBLIC';

function publicAddressesOf(env: NodeJS.ProcessEnv): Pick<NetworkOptions, 'publicAddresses'> {
  const value = env[PUBLIC_ENV];
  if (!value) return {};
  const publicAddresses = value.split(',').map((a) => a.trim());
  if (publicAddresses.some((a) => !isMultiaddr(a)))
    throw new UsageError(
      `${PUBLIC_ENV} must be multiaddrs such as /ip4/203.0.113.7/tcp/4001, comma-separated.`,
    );
  return { publicAddresses };
}

/** The web shell could not listen: say which port and why, not "unexpected failure: Error". */
function listenFailure(err: unknown, port: number): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE') {
    return new ParleyError(
      'INVALID_STATE',
      `Port ${port} is in use by another program. Choose another with --port, or leave it out to use a free one.`,
      { cause: err },
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new ParleyError(
      'INVALID_STATE',
      `Parley may not listen on port ${port} (ports below 1024 need administrator rights). Choose another with --port.`,
      { cause: err },
    );
  }
  return err;
}

/** The bundle lives in out/cli; the renderer it serves in out/renderer. */
export function builtRendererDir(): string {
  return fileURLToPath(new URL('../renderer/', import.meta.url));
}

export const webCommand: CommandSpec = {
  name: 'web',
  summary: 'Serve the Parley UI on 127.0.0.1 for a browser',
  details:
    'Prints a URL with a one-time token; only a page opened from that URL can talk to the profile. ' +
    'Listens on 127.0.0.1 only. Stop with Ctrl+C.\n' +
    `With ${LISTEN_ENV}=MULTIADDR set (e.g. /ip4/127.0.0.1/tcp/0) the profile joins the peer network\n` +
    'on that address once unlocked, with LAN discovery (mDNS) as in the desktop app unless\n' +
    `${MDNS_ENV}=off. Without it the web shell starts offline, and "Go online" in its status\n` +
    'bar joins the local network the way the desktop app does (all interfaces). --offline\n' +
    'starts offline in either case.',
  options: [
    profileOption,
    { name: 'port', type: 'string', value: 'N', description: 'port to listen on (default: a free one)' },
    { name: 'offline', type: 'boolean', description: 'start with networking off until "Go online"' },
  ],
  async run(values, io) {
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError('--port must be a number from 0 to 65535.');
    const staticDir = io.env.PARLEY_RENDERER_DIR ?? builtRendererDir();
    if (!existsSync(join(staticDir, 'index.html'))) {
      throw new CliFailure('The UI is not built yet; run `npm run build` first.');
    }
    const profileDir = typeof values.profile === 'string' ? values.profile : defaultProfileDir(io.env);
    const options: CoreOptions & { logger: Logger; network?: NetworkOptions } = {
      ...cliCoreOptions(profileDir, 'web', io),
      // The e2e tests and home servers pin the address and start online; a plain `parley web`
      // stays off the network until the user chooses "Go online", then joins the LAN like the app.
      network: webNetwork(io.env, values.offline === true),
    };
    const core = createCore(options);
    try {
      const shell = await startWebShell({ core, staticDir, port, logger: options.logger }).catch(
        (err: unknown) => {
          throw listenFailure(err, port);
        },
      );
      io.stdout(`Parley web shell: ${shell.url}\n`);
      io.stdout(`Profile: ${core.profile.dir}. Open the URL above in a browser; stop with Ctrl+C.\n`);
      await (io.untilStopped ?? (() => new Promise<void>(() => {})))();
      await shell.close();
      return EXIT_OK;
    } finally {
      await core.close();
    }
  },
};
