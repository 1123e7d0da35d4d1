/**
 * Multipart upload: CreateMultipartUpload, UploadPart, ListParts, CompleteMultipartUpload and
 * AbortMultipartUpload. An upload's record and its parts are objects of the store under
 * `!uploads/<uploadId>/`, a prefix no S3 key escapes to (s3-keys.ts), so listings never show them;
 * completing joins the parts, in order, into the one object.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ObjectInfo } from '../../ports/object-store/object-store.ts';
import {
  header,
  metadataOf,
  objectArn,
  checkedBody,
  requiredLength,
  storedKey,
  uploadStep,
  type S3Request,
  type S3Response,
  type S3Services,
} from './s3-operation.ts';
import { S3Error, xmlDocument, xmlFields } from './s3-xml.ts';

/** S3's smallest part, but for the last. */
const minimumPartBytes = 5 * 1024 * 1024;
const maximumPartNumber = 10_000;

interface UploadRecord {
  key: string;
  contentType: string;
  metadata: Record<string, string>;
  initiator: string;
}

const uploadPrefix = (uploadId: string) => `!uploads/${uploadId}/`;
const recordKey = (uploadId: string) => `${uploadPrefix(uploadId)}upload.json`;
const partKey = (uploadId: string, part: number) =>
  `${uploadPrefix(uploadId)}part-${String(part).padStart(5, '0')}`;

export async function createMultipartUpload(services: S3Services, request: S3Request): Promise<S3Response> {
  const { caller, bucket, key, headers } = request;
  services.access.require(caller, 's3:PutObject', objectArn(bucket, key));
  storedKey(key);
  // Refused before the parts are sent, not after: the same check runs again on completion.
  await uploadStep(services, (uploads) => uploads.admit(caller, key));
  const uploadId = randomBytes(24).toString('base64url').replace(/[-_]/g, 'x');
  const record: UploadRecord = {
    key,
    contentType: header(headers, 'content-type') ?? 'binary/octet-stream',
    metadata: metadataOf(headers),
    initiator: caller.identityId,
  };
  await services.objects.put(recordKey(uploadId), Buffer.from(JSON.stringify(record)), {
    contentType: 'application/json',
  });
  return xmlAnswer(
    'InitiateMultipartUploadResult',
    xmlFields([
      ['Bucket', bucket],
      ['Key', key],
      ['UploadId', uploadId],
    ]),
  );
}

export async function uploadPart(
  services: S3Services,
  request: S3Request,
  uploadId: string,
): Promise<S3Response> {
  const { caller, bucket, key, query } = request;
  services.access.require(caller, 's3:PutObject', objectArn(bucket, key));
  const part = partNumberOf(query.get('partNumber'));
  await uploadFor(services, uploadId, key);
  const { body, checksums } = checkedBody(request);
  const info = await services.objects.put(partKey(uploadId, part), body, {
    contentType: 'application/octet-stream',
    contentLength: requiredLength(request),
  });
  return { status: 200, headers: { etag: info.etag, ...checksums } };
}

export async function listParts(
  services: S3Services,
  request: S3Request,
  uploadId: string,
): Promise<S3Response> {
  const { caller, bucket, key } = request;
  services.access.require(caller, 's3:ListMultipartUploadParts', objectArn(bucket, key));
  await uploadFor(services, uploadId, key);
  const parts = await partsOf(services, uploadId);
  return xmlAnswer(
    'ListPartsResult',
    xmlFields([
      ['Bucket', bucket],
      ['Key', key],
      ['UploadId', uploadId],
      ['MaxParts', 1000],
      ['IsTruncated', false],
    ]) +
      parts
        .map(
          ({ number, info }) =>
            `<Part>${xmlFields([
              ['PartNumber', number],
              ['LastModified', info.lastModified.toISOString()],
              ['ETag', info.etag],
              ['Size', info.size],
            ])}</Part>`,
        )
        .join(''),
  );
}

export async function completeMultipartUpload(
  services: S3Services,
  request: S3Request,
  uploadId: string,
): Promise<S3Response> {
  const { caller, bucket, key, body } = request;
  services.access.require(caller, 's3:PutObject', objectArn(bucket, key));
  const record = await uploadFor(services, uploadId, key);
  const chosen = chosenParts(Buffer.isBuffer(body) ? body.toString('utf8') : '');
  const stored = new Map((await partsOf(services, uploadId)).map((part) => [part.number, part.info]));
  const infos = chosen.map(({ number, etag }, index) => {
    const info = stored.get(number);
    if (!info || info.etag !== etag)
      throw new S3Error('InvalidPart', 'One or more of the specified parts could not be found.', {
        PartNumber: String(number),
      });
    if (index < chosen.length - 1 && info.size < minimumPartBytes)
      throw new S3Error(
        'EntityTooSmall',
        'Your proposed upload is smaller than the minimum allowed object size.',
      );
    return info;
  });
  const joined = Readable.from(partBytes(services, infos));
  await uploadStep(services, (uploads) => uploads.admit(caller, key));
  const info = await services.objects.put(storedKey(key), joined, {
    contentType: record.contentType,
    metadata: record.metadata,
    contentLength: infos.reduce((total, part) => total + part.size, 0),
  });
  await removeUpload(services, uploadId);
  await uploadStep(services, (uploads) => uploads.stored(caller, key, storedKey(key)));
  return xmlAnswer(
    'CompleteMultipartUploadResult',
    xmlFields([
      ['Bucket', bucket],
      ['Key', key],
      ['ETag', info.etag],
    ]),
  );
}

export async function abortMultipartUpload(
  services: S3Services,
  request: S3Request,
  uploadId: string,
): Promise<S3Response> {
  const { caller, bucket, key } = request;
  services.access.require(caller, 's3:AbortMultipartUpload', objectArn(bucket, key));
  await uploadFor(services, uploadId, key);
  await removeUpload(services, uploadId);
  return { status: 204, headers: {} };
}

/** The upload's record, or NoSuchUpload when there is none for this key. */
async function uploadFor(services: S3Services, uploadId: string, key: string): Promise<UploadRecord> {
  const found = /^[A-Za-z0-9]{32}$/.test(uploadId)
    ? await services.objects.get(recordKey(uploadId))
    : undefined;
  const chunks: Buffer[] = [];
  if (found) for await (const chunk of found.body) chunks.push(chunk as Buffer);
  const record = found ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as UploadRecord) : undefined;
  if (!record || record.key !== key)
    throw new S3Error(
      'NoSuchUpload',
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
      { UploadId: uploadId },
    );
  return record;
}

async function partsOf(
  services: S3Services,
  uploadId: string,
): Promise<{ number: number; info: ObjectInfo }[]> {
  const parts: { number: number; info: ObjectInfo }[] = [];
  let cursor: string | undefined;
  do {
    const page = await services.objects.list(`${uploadPrefix(uploadId)}part-`, cursor ? { cursor } : {});
    for (const info of page.items) parts.push({ number: Number(info.key.slice(-5)), info });
    cursor = page.cursor;
  } while (cursor);
  return parts;
}

async function* partBytes(services: S3Services, parts: ObjectInfo[]): AsyncGenerator<Buffer> {
  for (const part of parts) {
    const found = await services.objects.get(part.key);
    if (!found) throw new S3Error('InvalidPart', 'A part went away while the upload was completed.');
    for await (const chunk of found.body) yield chunk as Buffer;
  }
}

async function removeUpload(services: S3Services, uploadId: string): Promise<void> {
  for (const { info } of await partsOf(services, uploadId)) await services.objects.delete(info.key);
  await services.objects.delete(recordKey(uploadId));
}

function partNumberOf(value: string | null): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > maximumPartNumber)
    throw new S3Error(
      'InvalidArgument',
      `Part number must be an integer between 1 and ${maximumPartNumber}, inclusive`,
    );
  return number;
}

/** The parts a CompleteMultipartUpload body names, in ascending order as S3 requires. */
function chosenParts(xml: string): { number: number; etag: string }[] {
  const parts = [...xml.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map(([, part = '']) => ({
    number: Number(/<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(part)?.[1]),
    etag: (/<ETag>([^<]*)<\/ETag>/.exec(part)?.[1] ?? '').replace(/&quot;/g, '"').trim(),
  }));
  if (parts.length === 0 || parts.some((part) => !Number.isInteger(part.number) || !part.etag))
    throw new S3Error(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema.',
    );
  if (parts.some((part, i) => i > 0 && part.number <= parts[i - 1]!.number))
    throw new S3Error('InvalidPartOrder', 'The list of parts was not in ascending order.');
  return parts;
}

function xmlAnswer(root: string, inner: string): S3Response {
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: xmlDocument(root, inner) };
}
