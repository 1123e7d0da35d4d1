/**
 * Open-loop HTTP load: requests sent at a fixed rate whatever the server's pace, over a pool of
 * keep-alive connections, each latency counted from the moment the request was due (so a stall
 * shows in every request it delays, as wrk2 does). autocannon keeps every connection busy, where
 * the latency is only connections ÷ rate (Little's law); its own rate limit sends each connection's
 * quota in a burst at the start of every second. Neither tells how fast a server answers at a load.
 */
import { Agent, request } from 'node:http';
import { percentile } from './harness.ts';

export interface OpenLoopOptions {
  url: string;
  /** Requests per second, spaced evenly. */
  rate: number;
  seconds: number;
  /** At most this many requests in flight; the rest wait for a connection, and their wait counts. */
  connections: number;
  /** The headers and body of the next request (always a POST). */
  next(): { headers: Record<string, string>; body: string };
}

export interface OpenLoopResult {
  /** Requests that were due. */
  sent: number;
  /** Answers with a 2xx status; the percentiles are over these. */
  ok: number;
  /** Non-2xx answers and failed requests. */
  errors: number;
  p50: number;
  p99: number;
  max: number;
}

export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const interval = 1000 / options.rate;
  const total = Math.round(options.rate * options.seconds);
  const latencies: number[] = [];
  let errors = 0;
  const pending: Promise<void>[] = [];

  const send = (due: number) =>
    new Promise<void>((resolve) => {
      const { headers, body } = options.next();
      const outgoing = request(
        options.url,
        { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
        (response) => {
          response.resume();
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            if (status >= 200 && status < 300) latencies.push(performance.now() - due);
            else errors++;
            resolve();
          });
        },
      );
      outgoing.on('error', () => {
        errors++;
        resolve();
      });
      outgoing.end(body);
    });

  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    // Everything due by now goes out, each stamped with the time it was due, then a short sleep.
    const now = performance.now();
    while (sent < total && start + sent * interval <= now) pending.push(send(start + sent++ * interval));
    await new Promise((resolve) => setTimeout(resolve, Math.min(interval, 1)));
  }
  await Promise.all(pending);
  agent.destroy();

  const at = (q: number) => percentile(latencies, q);
  return { sent, ok: latencies.length, errors, p50: at(0.5), p99: at(0.99), max: at(1) };
}
