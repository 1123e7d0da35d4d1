import Fastify, { type FastifyInstance } from 'fastify';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWebAppRoute } from './web-app-route.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-web-'));
const script = 'console.log("plaza");'.repeat(50);
let server: FastifyInstance;

beforeAll(async () => {
  mkdirSync(join(dir, 'dist', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(dir, 'dist', 'assets', 'index-abc123.js'), script);
  writeFileSync(join(dir, 'dist', 'assets', 'index-abc123.js.gz'), gzipSync(script));
  writeFileSync(join(dir, 'dist', '.source-hash'), 'secret');
  writeFileSync(join(dir, 'outside.txt'), 'not served');
  server = Fastify();
  server.post('/', async () => ({ api: 'cognito' }));
  server.get('/graphql', async () => ({ api: 'graphql' }));
  await registerWebAppRoute(server, { dir: join(dir, 'dist') });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (url: string, headers: Record<string, string> = {}) =>
  server.inject({ method: 'GET', url, headers });

describe('the web app route', () => {
  it('serves index.html at / for revalidation on every load', async () => {
    const page = await get('/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.body).toContain('<title>app</title>');
  });

  it('serves hashed assets precompressed and cacheable for a year', async () => {
    const asset = await get('/assets/index-abc123.js', { 'accept-encoding': 'gzip, deflate' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-encoding']).toBe('gzip');
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.vary).toBe('accept-encoding');
    expect(asset.rawPayload.length).toBeLessThan(script.length / 5);
    const plain = await get('/assets/index-abc123.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(script);
  });

  it("answers a page address with the app, so the app's router shows it", async () => {
    const page = await get('/p/01JABC', { accept: 'text/html,application/xhtml+xml' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>app</title>');
  });

  it('keeps 404 for missing files, API paths, dotfiles and paths that climb out', async () => {
    expect((await get('/assets/missing.js', { accept: 'text/html' })).statusCode).toBe(404);
    expect((await get('/graphql/nothing', { accept: 'text/html' })).statusCode).toBe(404);
    expect((await get('/media/users/x/avatar.jpg', { accept: 'text/html' })).statusCode).toBe(404);
    expect((await get('/metrics', { accept: 'text/html' })).statusCode).toBe(404);
    expect((await get('/.source-hash')).statusCode).toBe(404);
    expect((await get('/%2e%2e/outside.txt')).statusCode).toBe(404);
    expect((await get('/p/01JABC', { accept: 'application/json' })).statusCode).toBe(404);
  });

  it('serves the operator console page at /admin, and nothing else under its API prefix', async () => {
    const page = await get('/admin', { accept: 'text/html' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>app</title>');
    expect((await get('/admin/reports', { accept: 'text/html' })).statusCode).toBe(404);
  });

  it("leaves the API's own routes alone", async () => {
    expect((await get('/graphql')).json()).toEqual({ api: 'graphql' });
    expect((await server.inject({ method: 'POST', url: '/' })).json()).toEqual({ api: 'cognito' });
  });

  it('says how to build the app when it is not built', async () => {
    const bare = Fastify();
    await registerWebAppRoute(bare, { dir: join(dir, 'absent') });
    const page = await bare.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('npm run build:web');
    await bare.close();
  });
});
