/**
 * Sign-in attempts per client address per minute (PLAZA_SIGNIN_PER_IP_PER_MINUTE),
 * on top of the per-user lockout: one address cannot try many accounts.
 * Fixed one-minute windows, and a bounded table so a flood of addresses cannot
 * grow memory without end.
 */
export interface IpLimiter {
  /** Counts an attempt; false when the address is over its limit for this minute. */
  allow(address: string): boolean;
}

export function ipLimiter(options: {
  perMinute: number;
  now: () => number;
  maxAddresses?: number;
}): IpLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  const maxAddresses = options.maxAddresses ?? 100_000;
  return {
    allow(address) {
      const now = options.now();
      let window = windows.get(address);
      if (!window || now - window.start >= 60_000) {
        if (!window && windows.size >= maxAddresses) {
          // Forget the oldest tenth at once (a Map keeps insertion order): amortised O(1) per address.
          let drop = Math.ceil(maxAddresses / 10);
          for (const key of windows.keys()) {
            windows.delete(key);
            if (--drop === 0) break;
          }
        }
        window = { start: now, count: 0 };
        windows.delete(address);
        windows.set(address, window);
      }
      window.count++;
      return window.count <= options.perMinute;
    },
  };
}
