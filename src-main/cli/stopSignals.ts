/**
 * Resolves on the first SIGINT or SIGTERM, so a long-running command (web,
 * node) can lock the profile, stop the peer and release the lock. Ctrl+C in a
 * terminal reaches every process of the group, and `npm start`'s launcher also
 * forwards it, so the same stop often arrives twice: a repeat is ignored
 * rather than left to Node's default handler, which would kill the process
 * halfway through shutting down. A third signal means the user insists: exit
 * at once (128 + 2, the shell's convention for SIGINT).
 */
export function untilStopSignal(proc: NodeJS.Process = process): Promise<void> {
  return new Promise<void>((resolve) => {
    let count = 0;
    const onSignal = (): void => {
      count++;
      if (count === 1) resolve();
      else if (count >= 3) proc.exit(130);
    };
    proc.on('SIGINT', onSignal);
    proc.on('SIGTERM', onSignal);
  });
}
