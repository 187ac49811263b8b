import { passphraseProblem } from '../../../src-shared/contract';
import type { devicesRequests, LinkStatusView } from '../../../src-shared/contract/areas/devices';
import { hostPlatform } from '../devices/ownDevice';
import { ParleyError } from '../errors';
import { JoinFlow } from '../linking/joinFlow';
import { LINK_FAILURES, LinkError } from '../linking/linkFailure';
import { formatSas } from '../linking/linkKeySchedule';
import type { LinkHost } from '../linking/linkHost';
import type { DeviceListRequestName, HandlerDeps, HandlersFor } from './deps';

/** What the screens and the CLI see of linking (contract/areas/devices.ts). */
export function linkStatusView(host: LinkHost): LinkStatusView {
  const s = host.status();
  return {
    state: s.state,
    code: s.code,
    expiresAt: s.expiresAt,
    sas: s.sas === null ? null : formatSas(s.sas),
    peer: s.peer,
    reason: s.reason,
    message: s.reason === null ? null : LINK_FAILURES[s.reason],
  };
}

/** Handlers of contract/areas/devices.ts (linking: issue 18 part b). */
export function devicesHandlers(
  deps: HandlerDeps,
): HandlersFor<Exclude<keyof typeof devicesRequests, DeviceListRequestName>> {
  const host = async (): Promise<LinkHost> => {
    const m = await deps.messaging.running();
    return m.linking;
  };
  const asParley = (err: unknown): never => {
    if (err instanceof LinkError) throw new ParleyError('INVALID_STATE', err.message, { cause: err });
    throw err;
  };
  // "I already use Parley": one attempt at a time on this install; its passphrase is held only
  // until the profile is made (or the attempt ends).
  let passphrase: string | null = null;
  const join = new JoinFlow({
    createProfile: (displayName, seed) => {
      const chosen = passphrase;
      passphrase = null;
      if (chosen === null) throw new ParleyError('INVALID_STATE', 'Linking was cancelled.');
      return deps.profile.create(displayName, chosen, [], seed);
    },
    platform: deps.info.shell === 'cli' ? 'cli' : hostPlatform(),
    logger: deps.logger,
  });
  join.on((s) => {
    if (s.state === 'failed' || s.state === 'done') passphrase = null;
    deps.bus.emit('devices.joinProgress', s);
  });
  return {
    'devices.joinStart': ({ code, passphrase: chosen, deviceName, withFiles }) => {
      if (deps.profile.status().state !== 'none')
        throw new ParleyError('INVALID_STATE', 'This computer already has a Parley profile.');
      // Checked before the other device grants anything: a refusal after the grant would leave it
      // listing a device that never came.
      const problem = passphraseProblem(chosen);
      if (problem) throw new ParleyError('WEAK_PASSPHRASE', problem);
      if (join.running) throw new ParleyError('INVALID_STATE', 'Linking is already under way.');
      passphrase = chosen;
      return join.start({
        codeText: code,
        deviceName: deviceName ?? '',
        wantFiles: withFiles ?? true,
      });
    },
    'devices.joinStatus': () => join.status(),
    'devices.joinConfirmSas': ({ match, withFiles }) => {
      try {
        return join.confirm(match, withFiles);
      } catch (err) {
        if (err instanceof LinkError)
          throw new ParleyError('INVALID_STATE', 'There is no short code to confirm now.', { cause: err });
        throw err;
      }
    },
    'devices.joinCancel': () => join.cancel(),
    'devices.linkCode': async () => {
      const h = await host();
      try {
        h.showCode();
      } catch (err) {
        asParley(err);
      }
      return linkStatusView(h);
    },
    'devices.linkStatus': async () => linkStatusView(await host()),
    'devices.confirmSas': async ({ match }) => {
      const h = await host();
      try {
        h.confirm(match);
      } catch (err) {
        asParley(err);
      }
      return linkStatusView(h);
    },
    'devices.cancelLink': async () => {
      const h = await host();
      h.closeCode();
      return linkStatusView(h);
    },
  };
}
