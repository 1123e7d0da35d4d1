import { describe, expect, it } from 'vitest';
import { decodeAwsChunked, requireTrailers } from './aws-chunked.ts';
import { runningChecksum, type ChecksumAlgorithm } from './checksums.ts';

const checksum = (algorithm: ChecksumAlgorithm, text: string) => {
  const running = runningChecksum(algorithm);
  running.update(Buffer.from(text));
  return Buffer.from(running.digest(), 'base64').toString('hex');
};

const chunked = (parts: string[], trailer: string) =>
  Buffer.from(
    `${parts.map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`).join('')}0\r\n${trailer}\r\n\r\n`,
  );

describe('checksums', () => {
  it('match the published check values of "123456789"', () => {
    expect(checksum('crc32', '123456789')).toBe('cbf43926');
    expect(checksum('crc32c', '123456789')).toBe('e3069283');
    expect(checksum('crc64nvme', '123456789')).toBe('ae8b14860a799888');
  });
});

describe('aws-chunked bodies', () => {
  const crc = Buffer.from(checksum('crc32', 'hello, world'), 'hex').toString('base64');

  it('decodes the chunks and checks the trailing checksum', () => {
    const decoded = decodeAwsChunked(chunked(['hello, ', 'world'], `x-amz-checksum-crc32:${crc}`));
    expect(decoded.body.toString()).toBe('hello, world');
    expect(() => requireTrailers(decoded, 'x-amz-checksum-crc32')).not.toThrow();
  });

  it('refuses a trailing checksum of other bytes, a missing trailer and a cut body', () => {
    const other = decodeAwsChunked(chunked(['hello, ', 'word'], `x-amz-checksum-crc32:${crc}`));
    expect(() => requireTrailers(other, 'x-amz-checksum-crc32')).toThrow(
      expect.objectContaining({ code: 'BadDigest' }),
    );
    const bare = decodeAwsChunked(chunked(['hello'], ''));
    expect(() => requireTrailers(bare, 'x-amz-checksum-crc32')).toThrow(
      expect.objectContaining({ code: 'IncompleteBody' }),
    );
    const whole = chunked(['hello, ', 'world'], `x-amz-checksum-crc32:${crc}`);
    expect(() => decodeAwsChunked(whole.subarray(0, 12))).toThrow(
      expect.objectContaining({ code: 'IncompleteBody' }),
    );
    expect(() => decodeAwsChunked(Buffer.from('zz\r\nhello\r\n'))).toThrow(
      expect.objectContaining({ code: 'InvalidRequest' }),
    );
  });
});
