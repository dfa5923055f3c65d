/**
 * Waits until `check` holds, polling every `pollMs` (50 ms by default; tests that time fast protocol steps poll
 * more often); throws naming `what` after `timeoutMs`. Resolves with the time it took, for tests that bound it.
 *
 * @example await until(() => agent.stateCounts().registered === 3, 5000, 'three registered');
 */
export async function until(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
  pollMs = 50,
): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  return Date.now() - started;
}
