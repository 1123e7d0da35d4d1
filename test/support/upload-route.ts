/**
 * Plaza's own upload route (PUT /upload/<key>) on a server of its own, storing into a file-system
 * object store: the receiving side of the HMAC-signed URLs, as the app wires it, without the app.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { FsObjectStore } from '../../src/adapters/fs/fs-object-store.ts';
import { HmacUrlSigner } from '../../src/adapters/hmac/hmac-url-signer.ts';
import { registerUploadRoutes } from '../../src/edge/http/upload-routes.ts';

export async function startUploadRoute(): Promise<{
  signer: HmacUrlSigner;
  objects: FsObjectStore;
  close(): Promise<void>;
}> {
  const root = mkdtempSync(join(tmpdir(), 'plaza-upload-route-'));
  const objects = new FsObjectStore({ root, durable: false });
  let baseUrl = '';
  const signer = new HmacUrlSigner({ secret: Buffer.alloc(32, 9), keyId: 'test', baseUrl: () => baseUrl });
  const server = Fastify();
  await registerUploadRoutes(server, {
    verifier: signer,
    now: () => Date.now(),
    async receive(target, body) {
      const info = await objects.put(target.key, body, {
        contentType: target.contentType,
        contentLength: target.contentLength,
      });
      return {
        key: target.key,
        ownerId: target.key.split('/')[1] ?? '',
        purpose: 'POST',
        contentType: target.contentType,
        contentLength: target.contentLength,
        status: 'PENDING',
        uploaded: true,
        etag: info.etag,
        variants: [],
        createdAt: new Date().toISOString(),
      };
    },
  });
  baseUrl = await server.listen({ port: 0, host: '127.0.0.1' });
  return {
    signer,
    objects,
    async close() {
      await server.close();
      await objects.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
