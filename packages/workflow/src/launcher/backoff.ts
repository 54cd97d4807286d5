import type { RetryPolicy } from "../app.js";

/** Delay in ms before retry number `retry` (1-based): `backoffMs·backoffFactor^(retry-1)`, capped. */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
  const d = policy.backoffMs * policy.backoffFactor ** Math.max(0, retry - 1);
  return Math.min(d, policy.maxBackoffMs);
}
