import { execFileSync } from 'node:child_process';

/** Runs one setup command of a namespace rig (ip, iptables, nft), bounded in time; throws on failure. */
export function rigCommand(command: string, args: string[]): string {
  return execFileSync(command, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 10_000,
  });
}
