// Every wait in the e2e suites names what it waited for, so a timeout reads as a finding
// ("timed out after 20 s waiting for the StackLens status bar item") rather than a bare failure.

/**
 * Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMs`
 * with `what` and, when given, the last state `describe()` reports. An error thrown by `check`
 * ends the wait at once (the thing waited for can no longer happen).
 */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  describe?: () => string | Promise<string>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      const last = describe ? await Promise.resolve(describe()).catch((e: unknown) => `(could not describe: ${String(e)})`) : '';
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${last ? `\nlast seen:\n${last}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
