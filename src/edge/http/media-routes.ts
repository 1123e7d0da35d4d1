/**
 * GET /media/<key>: the media server, with CloudFront's semantics on one
 * machine: cache headers (a day by default, a year and `immutable` for a URL
 * that names one version), strong ETags and Last-Modified with 304s, single
 * byte ranges (206/416), signed URLs for private media (`isPrivateMedia`, as
 * CloudFront's behaviours: stories, originals, exports), CORS for
 * the configured origins, and an in-memory edge cache in front of the store.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isPrivateMedia } from '../../domain/media/media-urls.ts';
import { versionTag } from '../../domain/media/media-view.ts';
import type { ObjectInfo, ObjectStore } from '../../ports/object-store/object-store.ts';
import type { CdnInvalidator } from '../../ports/cdn.ts';
import type { UrlVerifier } from '../../ports/object-store/signed-urls.ts';
import { sendError } from './http-errors.ts';

export interface MediaServerSettings {
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
  corsOrigins: string[];
  viewerProtocolPolicy: 'allow-all' | 'redirect-to-https';
  edgeCacheBytes: number;
  /** Objects larger than this are streamed, never cached. */
  edgeCacheObjectBytes: number;
}

export interface MediaRouteOptions {
  objects: ObjectStore;
  verifier: UrlVerifier;
  now(): number;
  settings: MediaServerSettings;
  onCache?: (result: 'Hit' | 'Miss') => void;
  /** The edge cache, when the app invalidates it too (deletions); otherwise one of the route's own. */
  cache?: EdgeCache;
}

interface Cached {
  info: ObjectInfo;
  bytes: Buffer;
}

/** A byte-bounded LRU: a Map keeps insertion order, so re-inserting on a hit keeps the newest last. */
export class EdgeCache implements CdnInvalidator {
  readonly #entries = new Map<string, Cached>();
  #bytes = 0;
  constructor(readonly maxBytes: number) {}

  get(key: string): Cached | undefined {
    const entry = this.#entries.get(key);
    if (entry) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: Cached): void {
    this.purge(key);
    if (entry.bytes.length > this.maxBytes) return;
    this.#entries.set(key, entry);
    this.#bytes += entry.bytes.length;
    for (const [oldest, value] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= value.bytes.length;
    }
  }

  /** CloudFront's invalidation on one machine: keys, or prefixes ending in `*`. */
  async invalidate(keys: string[]): Promise<void> {
    for (const key of keys) {
      if (!key.endsWith('*')) this.purge(key);
      else
        for (const cached of [...this.#entries.keys()])
          if (cached.startsWith(key.slice(0, -1))) this.purge(cached);
    }
  }

  purge(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes.length;
  }

  get size(): number {
    return this.#bytes;
  }
}

type Range = { start: number; end: number } | 'unsatisfiable' | undefined;

/** One `bytes=` range; several ranges are answered with the whole object, as HTTP allows. */
export function parseRange(header: string | undefined, size: number): Range {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

function notModified(request: FastifyRequest, info: ObjectInfo): boolean {
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch
      .split(',')
      .map((tag) => tag.trim().replace(/^W\//, ''))
      .some((tag) => tag === '*' || tag === info.etag);
  }
  const since = Date.parse(request.headers['if-modified-since'] ?? '');
  return !Number.isNaN(since) && Math.floor(info.lastModified.getTime() / 1000) * 1000 <= since;
}

export function registerMediaRoutes(server: FastifyInstance, options: MediaRouteOptions): void {
  const { objects, settings } = options;
  const cache = options.cache ?? new EdgeCache(settings.edgeCacheBytes);
  // Invalidation: a changed or removed object leaves the edge cache at once.
  objects.subscribe((event) => cache.purge(event.key));

  server.options('/media/*', async (request, reply) => {
    cors(request, reply);
    return reply
      .header('Access-Control-Allow-Methods', 'GET, HEAD')
      .header('Access-Control-Allow-Headers', 'Range, If-None-Match, If-Modified-Since')
      .header('Access-Control-Max-Age', '86400')
      .code(204)
      .send();
  });

  server.get('/media/*', async (request, reply) => {
    try {
      if (
        settings.viewerProtocolPolicy === 'redirect-to-https' &&
        request.headers['x-forwarded-proto'] === 'http'
      ) {
        return reply.redirect(`https://${request.headers.host ?? 'localhost'}${request.url}`, 301);
      }
      const key = decodeURIComponent((request.params as { '*': string })['*']);
      const query = request.query as Record<string, string | undefined>;
      const isPrivate = isPrivateMedia(key);
      if (isPrivate && !options.verifier.verifyGet(key, query, options.now())) {
        return reply
          .code(403)
          .send({ errorType: 'Forbidden', message: 'This media needs a valid signed URL' });
      }
      cors(request, reply);
      let cached = cache.get(key);
      options.onCache?.(cached ? 'Hit' : 'Miss');
      const info = cached?.info ?? (await objects.head(key));
      if (!info) return reply.code(404).send({ errorType: 'NotFound', message: 'No such media' });

      reply
        .header('X-Cache', cached ? 'Hit' : 'Miss')
        .header('Content-Type', info.contentType)
        .header('X-Content-Type-Options', 'nosniff')
        .header('ETag', info.etag)
        .header('Last-Modified', info.lastModified.toUTCString())
        .header('Accept-Ranges', 'bytes')
        .header('Cache-Control', cacheControl(info, query, isPrivate, options.now(), settings));
      if (notModified(request, info)) return reply.code(304).send();

      const range = parseRange(request.headers.range, info.size);
      if (range === 'unsatisfiable') {
        return reply.code(416).header('Content-Range', `bytes */${info.size}`).send();
      }
      if (!cached && info.size <= settings.edgeCacheObjectBytes && request.method === 'GET') {
        const object = await objects.get(key);
        if (!object) return reply.code(404).send({ errorType: 'NotFound', message: 'No such media' });
        const chunks: Buffer[] = [];
        for await (const chunk of object.body) chunks.push(chunk as Buffer);
        cached = { info: object.info, bytes: Buffer.concat(chunks) };
        cache.set(key, cached);
      }
      if (range) {
        reply
          .code(206)
          .header('Content-Range', `bytes ${range.start}-${range.end}/${info.size}`)
          .header('Content-Length', range.end - range.start + 1);
        if (request.method === 'HEAD') return reply.send();
        if (cached) return reply.send(cached.bytes.subarray(range.start, range.end + 1));
        const object = await objects.get(key, range);
        return reply.send(object?.body);
      }
      reply.header('Content-Length', info.size);
      if (request.method === 'HEAD') return reply.send();
      if (cached) return reply.send(cached.bytes);
      const object = await objects.get(key);
      return reply.send(object?.body);
    } catch (error) {
      return sendError(reply, error, request.log);
    }
  });

  function cors(request: FastifyRequest, reply: FastifyReply): void {
    const origin = request.headers.origin;
    reply.header('Vary', 'Origin');
    if (!origin) return;
    if (settings.corsOrigins.includes('*')) reply.header('Access-Control-Allow-Origin', '*');
    else if (settings.corsOrigins.includes(origin)) reply.header('Access-Control-Allow-Origin', origin);
  }
}

function cacheControl(
  info: ObjectInfo,
  query: Record<string, string | undefined>,
  isPrivate: boolean,
  now: number,
  settings: MediaServerSettings,
): string {
  if (isPrivate) {
    // A signed URL may be kept by the browser until it expires, never by shared caches.
    const left = Math.max(0, Math.floor(Number(query.Expires) - now / 1000));
    return `private, max-age=${Math.min(left, settings.maxTtlSeconds)}`;
  }
  if (query.v && query.v === versionTag(info.etag)) {
    return `public, max-age=${settings.maxTtlSeconds}, immutable`;
  }
  return `public, max-age=${settings.defaultTtlSeconds}`;
}
