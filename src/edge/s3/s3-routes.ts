/**
 * The S3 API of the media bucket, path-style under `/s3` (the endpoint clients configure is
 * `<base URL>/s3`, so requests are `/s3/<bucket>/<key>`): each request is read, its SigV4
 * signature checked (aws-chunked bodies decoded and their trailing checksums checked), then
 * dispatched to its operation; every failure is answered in S3's XML error form.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import { isPlazaError } from '../../platform/errors.ts';
import type { Metrics } from '../../platform/metrics.ts';
import { awsChunkedDecoder } from './aws-chunked.ts';
import { checksumAlgorithms } from './checksums.ts';
import { copyObject } from './copy-object.ts';
import { deleteObject } from './delete-object.ts';
import { getObject, headObject } from './get-object.ts';
import { listObjectsV2 } from './list-objects-v2.ts';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listParts,
  uploadPart,
} from './multipart-upload.ts';
import { putObject } from './put-object.ts';
import type { S3Access } from './s3-auth.ts';
import { header, type S3Request, type S3Response, type S3Services } from './s3-operation.ts';
import { S3Error, sendS3Error } from './s3-xml.ts';

export const s3PathPrefix = '/s3';

export interface S3RouteOptions extends S3Services {
  access: S3Access;
  metrics: Pick<Metrics, 'requests' | 'errors' | 'latency'>;
  /** The one bucket served (the media bucket's name). */
  bucket: string;
  /**
   * Origins whose pages may call the API (S3's bucket CORS rule): none listed or `*` is any, as
   * every request is signed anyway.
   */
  allowedOrigins: string[];
  /** The largest body read into memory (one whose payload hash was signed, an operation's XML). */
  maxObjectBytes: number;
}

/** Query parameters that name S3 features this API does not serve. */
const unsupportedSubresources = [
  'acl',
  'tagging',
  'versions',
  'versionId',
  'policy',
  'cors',
  'lifecycle',
  'versioning',
  'location',
];

export async function registerS3Routes(server: FastifyInstance, options: S3RouteOptions): Promise<void> {
  await server.register(async (scope) => {
    // Bodies of any type are the object's bytes: read raw by the handler, never parsed.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    const route = (url: string, resourceOf: (path: string) => string, host?: RegExp) => {
      const constraints = host ? { constraints: { host } } : {};
      scope.route({
        method: 'OPTIONS',
        url,
        ...constraints,
        handler: (request, reply) => preflight(options, request, reply),
      });
      scope.route({
        method: ['GET', 'HEAD', 'PUT', 'DELETE', 'POST'],
        url,
        ...constraints,
        handler: (request: FastifyRequest, reply: FastifyReply) =>
          handle(options, resourceOf, request, reply),
        exposeHeadRoute: false,
      });
    };
    const pathStyle = (prefix: string) => (path: string) => path.slice(prefix.length) || '/';
    for (const url of [s3PathPrefix, `${s3PathPrefix}/`, `${s3PathPrefix}/*`])
      route(url, pathStyle(s3PathPrefix));
    // Also at the root, path-style, for clients given only a host.
    for (const url of [`/${options.bucket}`, `/${options.bucket}/*`]) route(url, pathStyle(''));
    // And virtual-hosted (`<bucket>.<host>/<key>`): Amplify Storage's customEndpoint takes a host
    // and puts a bucket whose name has no dot in front of it (`<bucket>.localhost:4000` reaches a
    // loopback server in browsers, which resolve every `*.localhost` name to it).
    const virtualHost = new RegExp(`^${options.bucket.replace(/[.]/g, '\\.')}\\.`);
    for (const url of ['/', '/*']) route(url, (path) => `/${options.bucket}${path}`, virtualHost);
  });
}

async function handle(
  options: S3RouteOptions,
  resourceOf: (path: string) => string,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const rawUrl = request.raw.url ?? '/';
  const queryStart = rawUrl.indexOf('?');
  const path = queryStart < 0 ? rawUrl : rawUrl.slice(0, queryStart);
  const queryString = queryStart < 0 ? '' : rawUrl.slice(queryStart + 1);
  /** `/<bucket>/<key>`, whichever style the request was addressed in. */
  const resource = resourceOf(path);
  allowOrigin(options, request, reply);
  const query = new URLSearchParams(queryString);
  const started = performance.now();
  let metricName = `s3:${request.method}`;
  try {
    const { bucket, key } = bucketAndKey(resource);
    const operation = operationOf(request.method, key, query, request.headers);
    metricName = `s3:${operation}`;
    options.metrics.requests.inc({ operation: metricName });
    const streamed = isStreamedObject(request);
    const body = streamed ? undefined : await readBody(request.raw, options.maxObjectBytes);
    const caller = await options.access.caller({
      method: request.method,
      path,
      query: queryString,
      headers: request.headers,
      body,
    });
    if (!bucket)
      throw new S3Error('InvalidRequest', 'ListBuckets is not supported: name the bucket in the path.');
    if (bucket !== options.bucket)
      throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
    const s3Request: S3Request = {
      caller,
      bucket,
      key,
      query,
      headers: request.headers,
      body: body ?? decodedStream(request),
    };
    const response = await dispatch(options, s3Request, operation);
    options.metrics.latency.observe({ operation: metricName }, (performance.now() - started) / 1000);
    reply.code(response.status).headers({ ...response.headers, 'x-amz-request-id': request.id });
    return reply.send(request.method === 'HEAD' ? undefined : response.body);
  } catch (error) {
    const failure = asS3Error(error, request);
    options.metrics.errors.inc({ operation: metricName, type: failure.code });
    if (!request.raw.readableEnded) reply.header('connection', 'close');
    return sendS3Error(reply, failure, resource, request.id, request.method);
  }
}

/** S3 exposes these to a page's script on a cross-origin answer (Amplify reads ETag for multipart). */
const exposedHeaders = [
  'etag',
  'x-amz-request-id',
  'x-amz-version-id',
  'content-range',
  'accept-ranges',
  'last-modified',
  ...checksumAlgorithms.map((algorithm) => `x-amz-checksum-${algorithm}`),
].join(', ');

function originAllowed(options: S3RouteOptions, origin: string): boolean {
  return (
    options.allowedOrigins.length === 0 ||
    options.allowedOrigins.includes('*') ||
    options.allowedOrigins.includes(origin)
  );
}

function allowOrigin(options: S3RouteOptions, request: FastifyRequest, reply: FastifyReply): void {
  const origin = request.headers.origin;
  if (!origin || !originAllowed(options, origin)) return;
  reply
    .header('access-control-allow-origin', origin)
    .header('access-control-expose-headers', exposedHeaders)
    .header('vary', 'Origin');
}

/** A browser's preflight, answered as S3 does for a bucket whose CORS rule allows the origin. */
function preflight(options: S3RouteOptions, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const origin = request.headers.origin;
  const method = header(request.headers, 'access-control-request-method');
  if (
    !origin ||
    !method ||
    !originAllowed(options, origin) ||
    !['GET', 'HEAD', 'PUT', 'POST', 'DELETE'].includes(method)
  )
    return sendS3Error(
      reply,
      new S3Error('AccessDenied', 'CORSResponse: This CORS request is not allowed.'),
      request.url,
      request.id,
      'OPTIONS',
    );
  allowOrigin(options, request, reply);
  return reply
    .code(200)
    .header('access-control-allow-methods', 'GET, HEAD, PUT, POST, DELETE')
    .header('access-control-allow-headers', header(request.headers, 'access-control-request-headers') ?? '')
    .header('access-control-max-age', '3000')
    .send();
}

type Operation = (services: S3Services, request: S3Request) => Promise<S3Response>;

const uploadIdOf = (request: S3Request) => request.query.get('uploadId') ?? '';

/** The operations served, by S3's names (the metrics' and logs' names too). */
const operations: Record<string, Operation> = {
  ListObjectsV2: listObjectsV2,
  HeadBucket: headBucket,
  CreateMultipartUpload: createMultipartUpload,
  UploadPart: (services, request) => uploadPart(services, request, uploadIdOf(request)),
  ListParts: (services, request) => listParts(services, request, uploadIdOf(request)),
  CompleteMultipartUpload: (services, request) =>
    completeMultipartUpload(services, request, uploadIdOf(request)),
  AbortMultipartUpload: (services, request) => abortMultipartUpload(services, request, uploadIdOf(request)),
  PutObject: putObject,
  CopyObject: (services, request) =>
    copyObject(services, request, header(request.headers, 'x-amz-copy-source') ?? ''),
  GetObject: getObject,
  HeadObject: headObject,
  DeleteObject: deleteObject,
};

/** Which operation a request is, from its method, path and query, as S3 tells them apart. */
function operationOf(
  method: string,
  key: string,
  query: URLSearchParams,
  headers: IncomingHttpHeaders,
): string {
  if (key === '')
    return method === 'HEAD'
      ? 'HeadBucket'
      : method === 'GET' && query.get('list-type') === '2'
        ? 'ListObjectsV2'
        : `${method} bucket`;
  if (method === 'POST' && query.has('uploads')) return 'CreateMultipartUpload';
  const byMethod: Record<string, string> = query.has('uploadId')
    ? { PUT: 'UploadPart', GET: 'ListParts', POST: 'CompleteMultipartUpload', DELETE: 'AbortMultipartUpload' }
    : {
        PUT: headers['x-amz-copy-source'] === undefined ? 'PutObject' : 'CopyObject',
        GET: 'GetObject',
        HEAD: 'HeadObject',
        DELETE: 'DeleteObject',
      };
  return byMethod[method] ?? `${method} object`;
}

function dispatch(services: S3Services, request: S3Request, name: string): Promise<S3Response> {
  const unsupported = unsupportedSubresources.find((subresource) => request.query.has(subresource));
  if (unsupported)
    throw new S3Error('InvalidRequest', `The ${unsupported} subresource is not supported by this endpoint.`);
  const operation = operations[name];
  if (operation) return operation(services, request);
  if (request.key === '')
    throw new S3Error(
      'InvalidRequest',
      'Only ListObjectsV2 (list-type=2) and HeadBucket are served on the bucket.',
    );
  throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.');
}

async function headBucket(services: S3Services, request: S3Request): Promise<S3Response> {
  services.access.require(request.caller, 's3:ListBucket', `arn:aws:s3:::${request.bucket}`);
  return { status: 200, headers: {} };
}

function bucketAndKey(resource: string): { bucket: string; key: string } {
  const [, bucket = '', ...rest] = resource.split('/');
  try {
    return { bucket: decodeURIComponent(bucket), key: decodeURIComponent(rest.join('/')) };
  } catch {
    throw new S3Error('InvalidArgument', 'The request path is not valid percent-encoding.');
  }
}

async function readBody(raw: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(raw.headers['content-length'] ?? 0);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of raw) {
    length += (chunk as Buffer).length;
    if (length > limit) throw tooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Whether the body is an object's bytes that the signature does not cover (UNSIGNED-PAYLOAD, the
 * SDK's aws-chunked streaming, a presigned PUT): those stream to the store, whatever their size.
 * A body whose hash was signed is read whole first, to check it before anything is stored.
 */
function isStreamedObject(request: FastifyRequest): boolean {
  if (request.method !== 'PUT' || request.headers['x-amz-copy-source'] !== undefined) return false;
  const sha = header(request.headers, 'x-amz-content-sha256');
  if (sha?.startsWith('STREAMING-') && sha !== 'STREAMING-UNSIGNED-PAYLOAD-TRAILER')
    throw new S3Error(
      'InvalidRequest',
      `${sha} is not supported: send STREAMING-UNSIGNED-PAYLOAD-TRAILER or a signed or unsigned payload.`,
    );
  return sha === undefined || !/^[0-9a-f]{64}$/.test(sha);
}

/** The object's bytes as they arrive, aws-chunked undone (its trailing checksums checked at the end). */
function decodedStream(request: FastifyRequest): Readable {
  const sha = header(request.headers, 'x-amz-content-sha256');
  const encodings = (header(request.headers, 'content-encoding') ?? '').split(',').map((e) => e.trim());
  if (sha !== 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' && !encodings.includes('aws-chunked')) return request.raw;
  const decoder = awsChunkedDecoder(header(request.headers, 'x-amz-trailer'));
  return pipeline(request.raw, decoder, () => undefined);
}

function tooLarge(limit: number): S3Error {
  return new S3Error(
    'EntityTooLarge',
    `Your proposed upload exceeds the maximum allowed size (${limit} bytes).`,
    {
      MaxSizeAllowed: String(limit),
    },
  );
}

/** Store failures in S3's names; anything unknown is logged and an InternalError. */
function asS3Error(error: unknown, request: FastifyRequest): S3Error {
  if (error instanceof S3Error) return error;
  if (isPlazaError(error)) {
    if (error.code === 'BadInput') return new S3Error('InvalidArgument', error.message);
    if (error.code === 'PayloadTooLarge') return new S3Error('EntityTooLarge', error.message);
    if (error.code === 'NotFound') return new S3Error('NoSuchKey', error.message);
  }
  request.log.error({ err: error }, 's3 request failed');
  return new S3Error('InternalError', 'We encountered an internal error. Please try again.');
}
