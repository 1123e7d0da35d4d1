/** HTTP load for the server benchmarks: autocannon runs, and servers in a child process of their own. */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createInterface } from 'node:readline';

export function load(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) =>
    autocannon({ connections: 50, duration: 5, ...options }, (error, result) =>
      error ? reject(error) : resolve(result),
    ),
  );
}

/** A load run and the CPU time the server spent on it (seconds; NaN where /proc cannot tell). */
export interface Run {
  result: autocannon.Result;
  cpu: number;
}

/** Loads a server and reads its process's CPU time before and after. */
export async function loadMeasured(
  server: ServerProcess<unknown>,
  options: autocannon.Options,
): Promise<Run> {
  const before = server.cpuSeconds() ?? Number.NaN;
  const result = await load(options);
  return { result, cpu: (server.cpuSeconds() ?? Number.NaN) - before };
}

/** Linux's USER_HZ, the unit of /proc/<pid>/stat times (100 on every common build). */
const clockTicksPerSecond = 100;

/**
 * CPU time a process has used so far (user + system, seconds) from /proc on Linux; with
 * `children`, also that of the children it has waited for (ffmpeg runs, once they exited).
 * Undefined where /proc cannot tell.
 */
export function procCpuSeconds(pid: number | 'self', children = false): number | undefined {
  try {
    // Fields after the command name (which may hold spaces): utime, stime, cutime, cstime are the 12th to 15th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields.slice(11, children ? 15 : 13).reduce((sum, field) => sum + Number(field), 0);
    return ticks / clockTicksPerSecond;
  } catch {
    return undefined;
  }
}

export interface ServerProcess<T> {
  /** What the script printed as its first line (JSON). */
  ready: T;
  /**
   * CPU time the process has used so far (user + system, seconds), from /proc on Linux: a
   * server's cost per request, which other work on a shared machine skews far less than its rate.
   */
  cpuSeconds(): number | undefined;
  /** Writes a line to the script's stdin (a command, for scripts that take them). */
  send(line: string): void;
  /** Closes the script's stdin (it shuts down then) and waits for it to exit, if it has not. */
  stop(): Promise<void>;
}

/**
 * Runs a bench script under tsx in a child process, so that the load generator does not share
 * its core, and waits for the first line it prints.
 */
export async function startServerProcess<T>(
  script: URL,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<ServerProcess<T>> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script.pathname, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
  });
  const firstLine = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${script.pathname} exited (${code})`)));
  });
  return {
    ready: JSON.parse(firstLine) as T,
    cpuSeconds() {
      return child.pid === undefined ? undefined : procCpuSeconds(child.pid);
    },
    send(line) {
      child.stdin!.write(`${line}\n`);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.end();
      await exited;
    },
  };
}

/** Listens on a free loopback port; resolves to the server's base URL. */
export function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
    }),
  );
}
