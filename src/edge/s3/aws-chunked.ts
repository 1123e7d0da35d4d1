/**
 * The `aws-chunked` content encoding the AWS SDK v3 uses for streamed uploads
 * (`x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER`): hex-sized chunks, a zero-sized
 * last one, then trailing headers carrying the object's checksum (`x-amz-checksum-crc32:<base64>`).
 * Decoded as the body streams in; the announced trailers must arrive and match the decoded bytes,
 * or the stream fails at its end (and the store keeps nothing).
 */
import { Transform, type TransformCallback } from 'node:stream';
import {
  checksumAlgorithmOf,
  runningChecksum,
  type ChecksumAlgorithm,
  type RunningChecksum,
} from './checksums.ts';
import { S3Error } from './s3-xml.ts';

/** The longest chunk-size or trailer line read (a size, or a header with a base64 digest). */
const maxLineBytes = 4096;

type State =
  | { kind: 'size' }
  | { kind: 'data'; left: number }
  | { kind: 'data-end' }
  | { kind: 'trailers' }
  | { kind: 'done' };

/** A stream decoding an aws-chunked body, checking the trailers named in `x-amz-trailer`. */
export function awsChunkedDecoder(announcedTrailers: string | undefined): Transform {
  const expected = new Map<string, { algorithm: ChecksumAlgorithm; checksum: RunningChecksum }>();
  for (const name of (announcedTrailers ?? '')
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter(Boolean)) {
    const algorithm = checksumAlgorithmOf(name);
    if (!algorithm) throw new S3Error('InvalidRequest', `Unsupported trailer: ${name}`);
    expected.set(name, { algorithm, checksum: runningChecksum(algorithm) });
  }
  const trailers = new Map<string, string>();
  let state: State = { kind: 'size' };
  let line = Buffer.alloc(0);

  /** The next CRLF-ended line from `chunk` at `at`, or undefined while it is incomplete. */
  const readLine = (chunk: Buffer, at: number): { text: string; next: number } | undefined => {
    const end = chunk.indexOf('\n', at);
    line = Buffer.concat([line, chunk.subarray(at, end < 0 ? chunk.length : end + 1)]);
    if (line.length > maxLineBytes) throw malformed('An aws-chunked line is too long.');
    if (end < 0) return undefined;
    if (line.length < 2 || line[line.length - 2] !== 0x0d)
      throw malformed('An aws-chunked line does not end in CRLF.');
    const text = line.subarray(0, line.length - 2).toString('latin1');
    line = Buffer.alloc(0);
    return { text, next: end + 1 };
  };

  const step = (stream: Transform, chunk: Buffer, at: number): number => {
    switch (state.kind) {
      case 'size': {
        const read = readLine(chunk, at);
        if (!read) return chunk.length;
        // Signed chunks carry `;chunk-signature=`; only unsigned streaming reaches here.
        if (!/^[0-9a-fA-F]{1,16}$/.test(read.text))
          throw malformed('An aws-chunked chunk header could not be read.');
        const size = Number.parseInt(read.text, 16);
        state = size === 0 ? { kind: 'trailers' } : { kind: 'data', left: size };
        return read.next;
      }
      case 'data': {
        const data = chunk.subarray(at, at + state.left);
        for (const { checksum } of expected.values()) checksum.update(data);
        stream.push(data);
        state =
          state.left === data.length
            ? { kind: 'data-end' }
            : { kind: 'data', left: state.left - data.length };
        return at + data.length;
      }
      case 'data-end': {
        const read = readLine(chunk, at);
        if (!read) return chunk.length;
        if (read.text !== '') throw malformed('An aws-chunked chunk is longer than its size.');
        state = { kind: 'size' };
        return read.next;
      }
      case 'trailers': {
        const read = readLine(chunk, at);
        if (!read) return chunk.length;
        if (read.text === '') state = { kind: 'done' };
        else {
          const colon = read.text.indexOf(':');
          if (colon < 1) throw malformed('An aws-chunked trailer could not be read.');
          trailers.set(read.text.slice(0, colon).trim().toLowerCase(), read.text.slice(colon + 1).trim());
        }
        return read.next;
      }
      case 'done':
        throw malformed('The body goes on after its aws-chunked trailers.');
    }
  };

  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      try {
        let at = 0;
        while (at < chunk.length) at = step(this, chunk, at);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback: TransformCallback) {
      // The SDK ends with an empty line after the trailers; a body ending right after them is fine too.
      if (state.kind !== 'done' && !(state.kind === 'trailers' && line.length === 0))
        return callback(
          new S3Error('IncompleteBody', 'The request body ended before its last aws-chunked chunk.'),
        );
      for (const [name, { algorithm, checksum }] of expected) {
        const value = trailers.get(name);
        if (value === undefined)
          return callback(new S3Error('IncompleteBody', `The trailer ${name} was announced but not sent.`));
        if (value !== checksum.digest())
          return callback(
            new S3Error(
              'BadDigest',
              `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
            ),
          );
      }
      callback();
    },
  });
}

function malformed(message: string): S3Error {
  return new S3Error('InvalidRequest', message);
}
