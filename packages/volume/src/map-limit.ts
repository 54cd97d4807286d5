/** Run `work` over `items` with at most `limit` promises in flight; resolves when all are done, rejects on the first error. */
export async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const runners: Promise<void>[] = [];
  const runner = async () => {
    while (next < items.length) await work(items[next++]);
  };
  for (let i = 0; i < Math.min(limit, items.length); i++) runners.push(runner());
  await Promise.all(runners);
}
