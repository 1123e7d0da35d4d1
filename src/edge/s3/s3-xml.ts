/** S3's REST dialect: XML bodies, its error codes and their statuses. */
import type { FastifyReply } from 'fastify';

export const s3Namespace = 'http://s3.amazonaws.com/doc/2006-03-01/';

const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Text for an element; control characters as character references, as S3 writes them. */
export function xmlEscape(value: string): string {
  let escaped = '';
  for (const character of value) {
    const code = character.charCodeAt(0);
    escaped +=
      entities[character] ?? (code < 0x20 && code !== 0x09 && code !== 0x0a ? `&#${code};` : character);
  }
  return escaped;
}

/** `<name>value</name>` for each defined field, in order. */
export function xmlFields(fields: [string, string | number | boolean | undefined][]): string {
  return fields
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `<${name}>${xmlEscape(String(value))}</${name}>`)
    .join('');
}

export function xmlDocument(root: string, inner: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${s3Namespace}">${inner}</${root}>`;
}

/** The S3 errors Plaza answers with, and their statuses (as S3 documents them). */
export const s3ErrorStatus = {
  AccessDenied: 403,
  InvalidAccessKeyId: 403,
  InvalidToken: 400,
  ExpiredToken: 400,
  SignatureDoesNotMatch: 403,
  RequestTimeTooSkewed: 403,
  AuthorizationHeaderMalformed: 400,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  InvalidRange: 416,
  PreconditionFailed: 412,
  InvalidArgument: 400,
  InvalidRequest: 400,
  InvalidDigest: 400,
  BadDigest: 400,
  IncompleteBody: 400,
  MissingContentLength: 411,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  NoSuchUpload: 404,
  InvalidPart: 400,
  InvalidPartOrder: 400,
  MalformedXML: 400,
  MethodNotAllowed: 405,
  NotImplemented: 501,
  InternalError: 500,
} as const;

export type S3ErrorCode = keyof typeof s3ErrorStatus;

/** A failure in S3's terms, thrown by the operations and rendered once by the routes. */
export class S3Error extends Error {
  constructor(
    readonly code: S3ErrorCode,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
  get status(): number {
    return s3ErrorStatus[this.code];
  }
}

export function sendS3Error(
  reply: FastifyReply,
  error: S3Error,
  resource: string,
  requestId: string,
  method: string,
): FastifyReply {
  reply.code(error.status).header('x-amz-request-id', requestId);
  // A HEAD answer has no body: the SDK names the error from the status alone.
  if (method === 'HEAD') return reply.send();
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${xmlFields([
    ['Code', error.code],
    ['Message', error.message],
    ...Object.entries(error.extra),
    ['Resource', resource],
    ['RequestId', requestId],
  ])}</Error>`;
  return reply.header('content-type', 'application/xml').send(body);
}
