/**
 * Runs `fn` over `items` with at most `limit` calls in flight. The first
 * failure stops new calls from starting and is thrown once the calls in
 * flight have settled, so no work is left running behind an error.
 */
export async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (next < items.length && failed === undefined) {
      try {
        await fn(items[next++]);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed !== undefined) throw failed;
}
