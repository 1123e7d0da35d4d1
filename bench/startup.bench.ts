/**
 * How long Plaza takes to start, as users start it: `plaza start` until GET /healthz answers, on a
 * data directory an earlier start made (the start itself, not a first setup), and `plaza --help`.
 * The bare reference (startup-bare.mjs) loads the libraries the server loads, without tsx or
 * Plaza's own modules, opens the same SQLite file and answers /healthz: what a start cannot do
 * without. Runs alternate between the two; the table has the medians and the CPU time of each.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './harness.ts';
import { procCpuSeconds } from './http-load.ts';

const runs = 7;
const plazaBin = fileURLToPath(new URL('../bin/plaza.js', import.meta.url));
const bareScript = fileURLToPath(new URL('./startup-bare.mjs', import.meta.url));

/** A port nobody listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

interface Start {
  /** From spawning the process to the first answer of /healthz, ms. */
  ms: number;
  /** The process's CPU time until then (user + system), ms. */
  cpuMs: number;
}

/** Spawns a server, polls /healthz until it answers 200, then stops it. */
async function timeStart(args: string[], env: Record<string, string>): Promise<Start> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let ready = false;
  while (!ready) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
    ready = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (!ready) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const ms = performance.now() - started;
  const cpuMs = (procCpuSeconds(child.pid!) ?? Number.NaN) * 1000;
  child.kill('SIGTERM');
  await exited;
  return { ms, cpuMs };
}

/** Runs a command to its end and times it. */
async function timeCommand(args: string[]): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${args.join(' ')} exited with ${code}`);
  return performance.now() - started;
}

export async function startupBenchmark(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-bench-startup-'));
  try {
    const plazaEnv = { DATA_DIR: dir };
    const plaza = () => timeStart([plazaBin, 'start'], plazaEnv);
    const bare = () => timeStart([bareScript], { DB_PATH: join(dir, 'plaza.sqlite') });
    // The first start makes the data directory (keys, tables, the pool's client): not measured.
    const first = await plaza();
    const starts = { plaza: [] as Start[], bare: [] as Start[] };
    const help = { plaza: [] as number[], bare: [] as number[] };
    for (let run = 0; run < runs; run++) {
      starts.plaza.push(await plaza());
      starts.bare.push(await bare());
      help.plaza.push(await timeCommand([plazaBin, '--help']));
      // A command line's floor: Node itself, starting and exiting.
      help.bare.push(await timeCommand(['-e', '0']));
    }
    const ms = (list: number[]) => Math.round(median(list));
    const row = (benchmark: string, plazaMs: number[], bareMs: number[], note: string) => ({
      benchmark,
      'plaza ms': ms(plazaMs),
      'bare ms': ms(bareMs),
      ratio: `${(median(bareMs) / median(plazaMs)).toFixed(2)}×`,
      note,
    });
    console.log(
      `\nStarting Plaza, ${runs} alternating runs (medians); the first start, which made the data directory, took ${Math.round(first.ms)} ms`,
    );
    console.table([
      row(
        'plaza start, until /healthz answers',
        starts.plaza.map((start) => start.ms),
        starts.bare.map((start) => start.ms),
        "bare: the server's libraries loaded, the SQLite file opened, /healthz on Fastify",
      ),
      row(
        'the same, CPU time',
        starts.plaza.map((start) => start.cpuMs),
        starts.bare.map((start) => start.cpuMs),
        '',
      ),
      row('plaza --help', help.plaza, help.bare, 'bare: node -e 0'),
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
