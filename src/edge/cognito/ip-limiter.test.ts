import { expect, it } from 'vitest';
import { ipLimiter } from './ip-limiter.ts';

it('allows a number of attempts per address per minute, then again in the next minute', () => {
  let now = 0;
  const limiter = ipLimiter({ perMinute: 3, now: () => now, maxAddresses: 10 });
  expect([1, 2, 3, 4].map(() => limiter.allow('10.0.0.1'))).toEqual([true, true, true, false]);
  expect(limiter.allow('10.0.0.2')).toBe(true);
  now += 60_000;
  expect(limiter.allow('10.0.0.1')).toBe(true);
});

it('keeps its table bounded under a flood of addresses', () => {
  const limiter = ipLimiter({ perMinute: 1, now: () => 0, maxAddresses: 100 });
  for (let i = 0; i < 10_000; i++) limiter.allow(`192.0.2.${i}`);
  // The newest addresses are still counted.
  expect(limiter.allow('192.0.2.9999')).toBe(false);
});
