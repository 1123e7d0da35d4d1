/**
 * What a process loads to start. On one machine: none of the libraries that only the AWS engines
 * or an optional feature use (each is loaded where configuration or a request first needs it;
 * together they were 40% of loading the app, 2.3–2.6 s → 1.45–1.5 s). And `plaza --help` loads
 * no command at all (2.0–2.2 s → 0.4 s).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const recorder = fileURLToPath(new URL('../support/module-recorder.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'plaza-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The URLs of the modules a node process loaded, one a line, and what it printed. */
async function loadedBy(name: string, args: string[]): Promise<{ urls: string; stdout: string }> {
  const file = join(dir, `${name}.txt`);
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', recorder, ...args], {
    cwd: root,
    env: { ...process.env, PLAZA_TEST_LOADED_MODULES: file },
  });
  return { urls: readFileSync(file, 'utf8'), stdout };
}

describe('starting Plaza', () => {
  it('loads no AWS SDK client, passkey, SAML, Redis or SMTP library with the app and its commands', async () => {
    const modules = [
      'src/app/app.ts',
      ...readdirSync(join(root, 'src/bin/commands')).map((file) => `src/bin/commands/${file}`),
    ];
    const script = modules.map((module) => `await import('./${module}');`).join(' ');
    const { urls } = await loadedBy('app', ['--import', 'tsx', '--input-type=module', '-e', script]);
    // The recorder sees the app's own modules, and the libraries the API path needs.
    expect(urls).toContain('/src/bin/commands/start.ts');
    expect(urls).toContain('/node_modules/graphql-jit/');
    for (const library of ['@aws-sdk/client-', '@simplewebauthn/', '@node-saml/', 'ioredis/', 'nodemailer/'])
      expect(urls).not.toContain(`/node_modules/${library}`);
  });

  it('prints the command line help without loading a command', async () => {
    const { urls, stdout } = await loadedBy('help', [join(root, 'bin/plaza.js'), '--help']);
    expect(stdout).toContain('Usage: plaza');
    expect(urls).toContain('/src/bin/plaza.ts');
    expect(urls).not.toContain('/src/bin/commands/');
    expect(urls).not.toContain('/src/app/');
  });
});
