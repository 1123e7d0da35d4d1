/**
 * The `aws-chunked` content encoding the AWS SDK v3 uses for streamed uploads
 * (`x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER`): hex-sized chunks, a zero-sized
 * last one, then trailing headers carrying the object's checksum (`x-amz-checksum-crc32:<base64>`).
 * Decoded here from the buffered body; the trailer's checksum must match the decoded bytes.
 */
import { checksumAlgorithmOf, requireChecksum } from './checksums.ts';
import { S3Error } from './s3-xml.ts';

const crlf = Buffer.from('\r\n');

export interface DecodedChunks {
  body: Buffer;
  trailers: Record<string, string>;
}

export function decodeAwsChunked(encoded: Buffer): DecodedChunks {
  const parts: Buffer[] = [];
  let position = 0;
  for (;;) {
    const lineEnd = encoded.indexOf(crlf, position);
    if (lineEnd < 0) throw incomplete();
    // Signed chunks carry `;chunk-signature=`; only unsigned streaming reaches here.
    const size = /^([0-9a-fA-F]{1,16})$/.exec(encoded.subarray(position, lineEnd).toString('latin1'));
    if (!size) throw new S3Error('InvalidRequest', 'An aws-chunked chunk header could not be read.');
    const length = Number.parseInt(size[1]!, 16);
    position = lineEnd + 2;
    if (length === 0) break;
    if (position + length + 2 > encoded.length) throw incomplete();
    parts.push(encoded.subarray(position, position + length));
    position += length;
    if (!encoded.subarray(position, position + 2).equals(crlf)) throw incomplete();
    position += 2;
  }
  const trailers: Record<string, string> = {};
  for (;;) {
    const lineEnd = encoded.indexOf(crlf, position);
    if (lineEnd < 0) {
      // The SDK ends the trailer section with one CRLF more; a body ending right after is fine too.
      if (position >= encoded.length) break;
      throw incomplete();
    }
    const line = encoded.subarray(position, lineEnd).toString('latin1');
    position = lineEnd + 2;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon < 1) throw new S3Error('InvalidRequest', 'An aws-chunked trailer could not be read.');
    trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { body: Buffer.concat(parts), trailers };
}

/** Checks the trailers the request announced (`x-amz-trailer`) against the decoded body. */
export function requireTrailers(decoded: DecodedChunks, announced: string | undefined): void {
  for (const name of (announced ?? '')
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter(Boolean)) {
    const algorithm = checksumAlgorithmOf(name);
    if (!algorithm) throw new S3Error('InvalidRequest', `Unsupported trailer: ${name}`);
    const value = decoded.trailers[name];
    if (value === undefined)
      throw new S3Error('IncompleteBody', `The trailer ${name} was announced but not sent.`);
    requireChecksum(algorithm, value, decoded.body);
  }
}

function incomplete(): S3Error {
  return new S3Error('IncompleteBody', 'The request body ended before its last aws-chunked chunk.');
}
