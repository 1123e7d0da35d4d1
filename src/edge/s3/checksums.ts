/**
 * The checksums S3 clients send with an object (`x-amz-checksum-<algorithm>`, in a header or in
 * an aws-chunked trailer), base64 of the big-endian digest as S3 writes them. CRC32 is zlib's;
 * CRC32C and CRC64/NVME (the AWS SDK's default since 2025 for some operations) are table-driven.
 */
import { createHash } from 'node:crypto';
import { pipeline, Transform, type Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { S3Error } from './s3-xml.ts';

export const checksumAlgorithms = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const;
export type ChecksumAlgorithm = (typeof checksumAlgorithms)[number];

const crc32cTable = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

const crc64Polynomial = 0x9a6c9329ac4bc9b5n;
const crc64Table = Array.from({ length: 256 }, (_, n) => {
  let c = BigInt(n);
  for (let k = 0; k < 8; k++) c = c & 1n ? crc64Polynomial ^ (c >> 1n) : c >> 1n;
  return c;
});
const mask64 = 0xffffffffffffffffn;

/** A running checksum over the object's bytes. */
export interface RunningChecksum {
  update(bytes: Buffer): void;
  /** base64 of the digest. */
  digest(): string;
}

export function runningChecksum(algorithm: ChecksumAlgorithm): RunningChecksum {
  if (algorithm === 'sha1' || algorithm === 'sha256') {
    const hash = createHash(algorithm);
    return { update: (bytes) => hash.update(bytes), digest: () => hash.digest('base64') };
  }
  if (algorithm === 'crc32') {
    let value = 0;
    return { update: (bytes) => (value = crc32(bytes, value)), digest: () => uint32(value) };
  }
  if (algorithm === 'crc32c') {
    let value = 0xffffffff;
    return {
      update(bytes) {
        for (const byte of bytes) value = crc32cTable[(value ^ byte) & 0xff]! ^ (value >>> 8);
      },
      digest: () => uint32((value ^ 0xffffffff) >>> 0),
    };
  }
  let value = mask64;
  return {
    update(bytes) {
      for (const byte of bytes) value = crc64Table[Number((value ^ BigInt(byte)) & 0xffn)]! ^ (value >> 8n);
    },
    digest() {
      const out = Buffer.alloc(8);
      out.writeBigUInt64BE(value ^ mask64);
      return out.toString('base64');
    },
  };
}

function uint32(value: number): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out.toString('base64');
}

/** The algorithm a header or trailer name (`x-amz-checksum-crc32`) stands for. */
export function checksumAlgorithmOf(name: string): ChecksumAlgorithm | undefined {
  const algorithm = name.toLowerCase().replace(/^x-amz-checksum-/, '');
  return (checksumAlgorithms as readonly string[]).includes(algorithm) && name.toLowerCase() !== algorithm
    ? (algorithm as ChecksumAlgorithm)
    : undefined;
}

/** What a body must hash to: the client's `x-amz-checksum-*` headers and Content-MD5. */
export interface ExpectedDigest {
  name: string;
  digest: RunningChecksum;
  expected: string;
  failure: S3Error;
}

export function expectedChecksum(algorithm: ChecksumAlgorithm, expected: string): ExpectedDigest {
  return {
    name: `x-amz-checksum-${algorithm}`,
    digest: runningChecksum(algorithm),
    expected,
    failure: new S3Error(
      'BadDigest',
      `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
    ),
  };
}

/** Content-MD5, as S3 checks it: InvalidDigest at once when it is no MD5 at all. */
export function expectedContentMd5(expected: string): ExpectedDigest {
  if (!/^[A-Za-z0-9+/]{22}==$/.test(expected))
    throw new S3Error('InvalidDigest', 'The Content-MD5 you specified was invalid.');
  const hash = createHash('md5');
  return {
    name: 'content-md5',
    digest: { update: (bytes) => hash.update(bytes), digest: () => hash.digest('base64') },
    expected,
    failure: new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.'),
  };
}

/** The body passed through, failing at its end when a digest does not match (the store then keeps nothing). */
export function verifyingDigests(body: Readable, digests: ExpectedDigest[]): Readable {
  if (digests.length === 0) return body;
  const verifying = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      for (const { digest } of digests) digest.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      callback(digests.find(({ digest, expected }) => digest.digest() !== expected)?.failure ?? null);
    },
  });
  return pipeline(body, verifying, () => undefined);
}
