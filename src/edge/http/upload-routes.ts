/**
 * PUT /upload/<key>?<signature>: the local server's presigned PUT. Like S3,
 * it stores exactly the signed object (key, type, length, before expiry) or
 * nothing, and answers with the object's ETag.
 */
import type { FastifyInstance } from 'fastify';
import type { Media } from '../../domain/media/model.ts';
import { PlazaError } from '../../platform/errors.ts';
import { sendError } from './http-errors.ts';
import type { UploadTarget, UrlVerifier } from '../../ports/object-store/signed-urls.ts';
import type { Readable } from 'node:stream';

export interface UploadRouteOptions {
  verifier: UrlVerifier;
  now(): number;
  /** Stores the bytes; `reqId` is the upload request's id, for the pipeline job it queues. */
  receive(target: UploadTarget, body: Readable, reqId: string): Promise<Media>;
}

export async function registerUploadRoutes(
  server: FastifyInstance,
  options: UploadRouteOptions,
): Promise<void> {
  await server.register(async (scope) => {
    // Any type is accepted here and the body is left unread: the route streams it to the store.
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    scope.put('/upload/*', async (request, reply) => {
      try {
        const key = decodeURIComponent((request.params as { '*': string })['*']);
        const target = options.verifier.verifyUpload(
          key,
          request.query as Record<string, string | undefined>,
          options.now(),
        );
        if ((request.headers['content-type'] ?? '').toLowerCase() !== target.contentType) {
          throw new PlazaError('Forbidden', `Content-Type must be ${target.contentType}, as signed`);
        }
        const declared = request.headers['content-length'];
        if (declared !== undefined && Number(declared) !== target.contentLength) {
          throw new PlazaError(
            Number(declared) > target.contentLength ? 'PayloadTooLarge' : 'BadInput',
            `Content-Length must be ${target.contentLength}, as signed`,
          );
        }
        const media = await options.receive(target, request.raw, request.id);
        return reply.header('ETag', media.etag ?? '').send({ key: media.key, status: media.status });
      } catch (error) {
        // A refused upload is not read to its end; close the connection rather than drain it.
        if (!request.raw.readableEnded) reply.header('Connection', 'close');
        return sendError(reply, error, request.log);
      }
    });
  });
}
