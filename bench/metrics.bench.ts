/**
 * What metrics cost the feed: `homeFeed(limit: 20)` over HTTP (autocannon, 25
 * connections each) against the same seeded data served twice, by Plaza with
 * metrics as usual (scraped every second, more often than Prometheus would)
 * and by Plaza with `PLAZA_METRICS=off`, each server in a process of its own.
 * Both are loaded at the same time: on a machine shared with other work the
 * rate swings by tens of percent from second to second, and two runs one after
 * the other would compare the swings, not the servers. The table shows each
 * server's median round, the median of the rounds' rate ratios (the goal:
 * metrics cost at most 5% of the request rate), and each server's CPU time per
 * request, read from /proc (the rate a CPU-bound server reaches is inverse to
 * it). On a busy shared machine, run it several times: the same comparison
 * with metrics on in both servers (an A/A control) has spread ±10% there.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { homeFeedRequest } from './feed-seed.ts';
import { loadMeasured, startServerProcess, type Run } from './http-load.ts';
import { median } from './harness.ts';

const rounds = 5;
const seconds = 3;
const connections = 25;
const script = new URL('./metrics-servers.ts', import.meta.url);

interface Served {
  url: string;
  tokens: { token: string }[];
}

export async function metricsBenchmark(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'plaza-bench-metrics-'));
  const dirs = { on: join(root, 'on'), off: join(root, 'off') };
  try {
    const seeding = await startServerProcess<{ seconds: number }>(script, ['seed', dirs.on]);
    await seeding.stop();
    console.log(`\nSeeded the feed in ${seeding.ready.seconds.toFixed(1)} s; the same data served twice`);
    cpSync(dirs.on, dirs.off, { recursive: true });
    const servers = {
      on: await startServerProcess<Served>(script, ['serve', dirs.on, 'on']),
      off: await startServerProcess<Served>(script, ['serve', dirs.off, 'off']),
    };
    try {
      const statuses = await Promise.all(
        (['on', 'off'] as const).map(async (variant) => {
          const response = await fetch(`${servers[variant].ready.url}/metrics`);
          await response.arrayBuffer();
          return response.status;
        }),
      );
      if (statuses[0] !== 200 || statuses[1] !== 404)
        throw new Error(`/metrics answered ${statuses.join(' and ')}, not 200 (on) and 404 (off)`);

      // Both serve the same feed.
      const feeds = await Promise.all(
        (['on', 'off'] as const).map(async (variant) => {
          const { url, tokens } = servers[variant].ready;
          const response = await fetch(`${url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: tokens[0]!.token },
            body: homeFeedRequest,
          });
          return response.text();
        }),
      );
      if (feeds[0] !== feeds[1] || !feeds[0]!.includes('"likeCount"'))
        throw new Error(`the two servers answer differently: ${feeds.join(' | ').slice(0, 500)}`);

      let n = 0;
      /** One run against one server: autocannon's result, and the CPU time the server spent on it. */
      const feed = async (variant: 'on' | 'off', duration: number): Promise<Run> => {
        const { url, tokens } = servers[variant].ready;
        // As Prometheus would, only more often: the server with metrics is scraped every second.
        const scraper =
          variant === 'on'
            ? setInterval(() => {
                fetch(`${url}/metrics`)
                  .then((response) => response.arrayBuffer())
                  .catch(() => undefined);
              }, 1000)
            : undefined;
        try {
          return await loadMeasured(servers[variant], {
            connections,
            url: `${url}/graphql`,
            method: 'POST',
            duration,
            requests: [
              {
                setupRequest: (request) => ({
                  ...request,
                  headers: {
                    'content-type': 'application/json',
                    authorization: tokens[n++ % tokens.length]!.token,
                  },
                  body: homeFeedRequest,
                }),
              },
            ],
          });
        } finally {
          clearInterval(scraper);
        }
      };

      // Both at once, so that whatever else the machine runs weighs on both alike.
      const together = async (duration: number) => {
        const [on, off] = await Promise.all([feed('on', duration), feed('off', duration)]);
        return { on, off };
      };
      // Warm-up: the JIT, the parse and validation caches, SQLite's page cache.
      await together(2);
      const runs: Record<'on' | 'off', Run[]> = { on: [], off: [] };
      for (let round = 0; round < rounds; round++) {
        const { on, off } = await together(seconds);
        runs.on.push(on);
        runs.off.push(off);
      }
      const failed = [...runs.on, ...runs.off].reduce((sum, r) => sum + r.result.non2xx + r.result.errors, 0);
      const summary = (variant: 'on' | 'off') => {
        const results = runs[variant].map((run) => run.result);
        const requests = results.reduce((sum, r) => sum + r.requests.total, 0);
        return {
          rate: median(results.map((r) => r.requests.average)),
          p50: median(results.map((r) => r.latency.p50)),
          p99: median(results.map((r) => r.latency.p99)),
          rounds: results.map((r) => Math.round(r.requests.average)).join(', '),
          cpuPerRequest: runs[variant].reduce((sum, run) => sum + run.cpu, 0) / requests,
        };
      };
      const on = summary('on');
      const off = summary('off');
      const rateRatio = median(
        runs.on.map((run, i) => run.result.requests.average / runs.off[i]!.result.requests.average),
      );
      // The rate a CPU-bound server reaches is inverse to its CPU time per request.
      const cpuRatio = off.cpuPerRequest / on.cpuPerRequest;
      console.log(
        `\nMetrics overhead on homeFeed(limit: 20), both servers loaded at once (${connections} connections each), ${rounds} rounds of ${seconds} s (non-2xx or errors: ${failed})`,
      );
      const row = (variant: typeof on, rate: string, cpu: string) => ({
        'req/s': Math.round(variant.rate),
        'p50 ms': variant.p50,
        'p99 ms': variant.p99,
        'rounds req/s': variant.rounds,
        'rate ratio': rate,
        'server CPU µs/req': Math.round(variant.cpuPerRequest * 1e6),
        'CPU ratio': cpu,
      });
      console.table([
        {
          server: 'metrics on (scraped every 1 s)',
          ...row(on, `${rateRatio.toFixed(3)}×`, `${cpuRatio.toFixed(3)}×`),
          goal: '≥ 0.95× off',
          met: rateRatio >= 0.95 && failed === 0 ? 'yes' : 'NO',
        },
        {
          server: 'metrics off (PLAZA_METRICS=off)',
          ...row(off, '1.000×', '1.000×'),
          goal: 'reference',
          met: '',
        },
      ]);
    } finally {
      await Promise.all([servers.on.stop(), servers.off.stop()]);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
