/** A small benchmark harness: timed loops, percentiles, and a table of ops/s with the ratio to a bare reference. */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

export interface Measurement {
  name: string;
  opsPerSecond: number;
}

/** The value a share `q` of the values are at or below (0.5: the median, 1: the largest); NaN for none. */
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

export const median = (values: readonly number[]): number => percentile(values, 0.5);

/** Runs `op` repeatedly for about `seconds` (after a warm-up) and returns operations per second. */
export async function measure(op: (i: number) => unknown, seconds = 1): Promise<number> {
  const warmUpEnd = performance.now() + 200;
  let i = 0;
  while (performance.now() < warmUpEnd) await op(i++);
  const start = performance.now();
  const end = start + seconds * 1000;
  let count = 0;
  while (performance.now() < end) {
    // Check the clock every 64 ops so timing itself stays out of the measurement.
    for (let j = 0; j < 64; j++) await op(i++);
    count += 64;
  }
  return count / ((performance.now() - start) / 1000);
}

/** Runs `op` from `concurrency` loops at once for `seconds`; returns completed operations per second. */
export async function throughput(
  op: () => Promise<unknown>,
  concurrency: number,
  seconds: number,
): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await op();
        done++;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

export interface Row {
  benchmark: string;
  plaza: number;
  bare: number;
  goal: string;
  ok: boolean;
}

export function printTable(title: string, rows: Row[], unit = 'ops/s'): void {
  const format = (n: number) => (n < 100 ? n.toFixed(2) : Math.round(n).toLocaleString('en-US'));
  const table = rows.map((row) => ({
    benchmark: row.benchmark,
    [`plaza ${unit}`]: format(row.plaza),
    [`bare ${unit}`]: format(row.bare),
    ratio: `${(row.plaza / row.bare).toFixed(2)}×`,
    goal: row.goal,
    met: row.ok ? 'yes' : 'NO',
  }));
  console.log(`\n${title}`);
  console.table(table);
}

/**
 * A config file for benchmark servers: one user writing far faster than a person would, so per-user
 * write limits (social.writesPerMinute) at their maximum.
 */
export const benchConfigFile = {
  social: {
    writesPerMinute: {
      posts: 100_000,
      comments: 100_000,
      likes: 100_000,
      follows: 100_000,
      reports: 100_000,
    },
  },
};

/** Writes `benchConfigFile` into a data directory, before `loadConfig` reads it. */
export function writeBenchConfig(dir: string): void {
  writeFileSync(join(dir, 'plaza.config.json'), JSON.stringify(benchConfigFile));
}

/** A CPU profile of this process from now until `stop()` (BENCH_CPU_PROFILE in the servers' processes). */
export async function startProfiler(): Promise<{ stop(): Promise<object> }> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  return {
    async stop() {
      const { profile } = (await post('Profiler.stop')) as { profile: object };
      session.disconnect();
      return profile;
    },
  };
}
