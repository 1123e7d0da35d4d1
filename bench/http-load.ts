/** HTTP load for the server benchmarks: autocannon runs, and servers in a child process of their own. */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export function load(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) =>
    autocannon({ connections: 50, duration: 5, ...options }, (error, result) =>
      error ? reject(error) : resolve(result),
    ),
  );
}

export interface ServerProcess<T> {
  /** What the script printed as its first line (JSON). */
  ready: T;
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
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.end();
      await exited;
    },
  };
}
