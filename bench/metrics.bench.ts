/**
 * What metrics cost the feed: `homeFeed(limit: 20)` over HTTP (autocannon, 50
 * connections) against the same seeded data served twice, by Plaza with
 * metrics as usual (scraped every second, more often than Prometheus would)
 * and by Plaza with `PLAZA_METRICS=off`, each server in a process of its own.
 * Rounds alternate which goes first; the table shows each variant's median
 * round, and the ratio is the median of the rounds' ratios (a round's two runs
 * are seconds apart, so a machine shared with other work skews both alike).
 * Goal: metrics cost at most 5% of the request rate.
 */
import type autocannon from 'autocannon';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { homeFeedRequest } from './feed-seed.ts';
import { load, startServerProcess } from './http-load.ts';

const rounds = 5;
const seconds = 2;
const script = new URL('./metrics-servers.ts', import.meta.url);

interface Served {
  url: string;
  tokens: { token: string }[];
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

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
      const feed = (variant: 'on' | 'off', duration: number) => {
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
        return load({
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
        }).finally(() => clearInterval(scraper));
      };

      // Warm-up: the JIT, the parse and validation caches, SQLite's page cache.
      await feed('on', 2);
      await feed('off', 2);
      const results: Record<'on' | 'off', autocannon.Result[]> = { on: [], off: [] };
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
        for (const variant of order) results[variant].push(await feed(variant, seconds));
      }
      const failed = [...results.on, ...results.off].reduce((sum, r) => sum + r.non2xx + r.errors, 0);
      const summary = (variant: 'on' | 'off') => ({
        rate: median(results[variant].map((r) => r.requests.average)),
        p50: median(results[variant].map((r) => r.latency.p50)),
        p99: median(results[variant].map((r) => r.latency.p99)),
        rounds: results[variant].map((r) => Math.round(r.requests.average)).join(', '),
      });
      const on = summary('on');
      const off = summary('off');
      const ratio = median(results.on.map((r, i) => r.requests.average / results.off[i]!.requests.average));
      console.log(
        `\nMetrics overhead on homeFeed(limit: 20), 50 connections, ${rounds} rounds of ${seconds} s (non-2xx or errors: ${failed})`,
      );
      console.table([
        {
          server: 'metrics on (scraped every 1 s)',
          'req/s': Math.round(on.rate),
          'p50 ms': on.p50,
          'p99 ms': on.p99,
          'rounds req/s': on.rounds,
          ratio: `${ratio.toFixed(3)}×`,
          goal: '≥ 0.95× off',
          met: ratio >= 0.95 && failed === 0 ? 'yes' : 'NO',
        },
        {
          server: 'metrics off (PLAZA_METRICS=off)',
          'req/s': Math.round(off.rate),
          'p50 ms': off.p50,
          'p99 ms': off.p99,
          'rounds req/s': off.rounds,
          ratio: '1.000×',
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
