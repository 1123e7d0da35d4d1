import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';

export interface WebAppOptions {
  /** The built web app (web/dist): index.html, assets/ with content-hashed names, and their .br/.gz twins. */
  dir: string;
  /** Paths the app never answers, so an API's unknown route stays a 404 and never turns into the app's page. */
  reservedPrefixes?: string[];
  /** Pages of the app at a reserved path (the operator console at /admin, whose API is under /admin/). */
  reservedPages?: string[];
}

const defaultReservedPrefixes = [
  '/graphql',
  '/oauth2',
  '/login',
  '/logout',
  '/media',
  '/upload',
  '/metrics',
  '/admin',
  '/healthz',
  '/readyz',
  '/dev',
  '/.well-known',
];

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Plaza</title></head>
<body><main><h1>Plaza is running</h1>
<p>The web app is not built. Run <code>npm run build:web</code> (or <code>npm start</code>, which builds it), then reload.</p>
</main></body></html>`;

/**
 * The social web app at `/`: files from the build, precompressed twins when the
 * browser takes them, and index.html for any other page address so the app's own
 * router shows it (a single-page app). Registered after the API routes: those are
 * more specific and keep their paths.
 */
export async function registerWebAppRoute(server: FastifyInstance, options: WebAppOptions): Promise<void> {
  const root = normalize(options.dir);
  const reserved = options.reservedPrefixes ?? defaultReservedPrefixes;
  // In its own scope, so reply.sendFile here never clashes with another route's static files.
  await server.register(async (scope) => {
    await scope.register(fastifyStatic, { root, serve: false, preCompressed: true, dotfiles: 'deny' });
    scope.get('/*', serve);
  });

  const fileFor = (pathname: string): string | undefined => {
    const candidate = normalize(join(root, pathname));
    // Decoded paths may climb (`..`); nothing outside the build is served.
    if (!candidate.startsWith(root + sep)) return undefined;
    if (candidate.split(sep).some((part) => part.startsWith('.'))) return undefined;
    try {
      return statSync(candidate).isFile() ? candidate.slice(root.length + 1) : undefined;
    } catch {
      return undefined;
    }
  };

  const sendIndex = (reply: FastifyReply) => {
    if (!existsSync(join(root, 'index.html'))) {
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(notBuiltPage);
    }
    // The page names the current hashed assets, so it is revalidated on every load.
    return reply
      .header('vary', 'accept-encoding')
      .header('cache-control', 'no-cache')
      .sendFile('index.html', { cacheControl: false });
  };

  async function serve(request: FastifyRequest, reply: FastifyReply) {
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(request.url, 'http://app').pathname);
    } catch {
      return reply.callNotFound();
    }
    if ((options.reservedPages ?? ['/admin']).includes(pathname)) return sendIndex(reply);
    if (reserved.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`))) {
      return reply.callNotFound();
    }
    if (pathname === '/' || pathname === '/index.html') return sendIndex(reply);
    const file = fileFor(pathname);
    if (file) {
      reply.header('vary', 'accept-encoding');
      // Vite names built assets after their content: a name never changes meaning.
      return file.startsWith(`assets${sep}`)
        ? reply.sendFile(file, { maxAge: '365d', immutable: true })
        : reply.sendFile(file, { maxAge: 0 });
    }
    // A page address (no extension) that a browser navigates to gets the app; a missing file is a 404.
    const accept = request.headers.accept ?? '';
    if (!/\.[a-z0-9]+$/i.test(pathname) && accept.includes('text/html')) return sendIndex(reply);
    return reply.callNotFound();
  }
}
