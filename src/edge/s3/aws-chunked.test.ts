import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { awsChunkedDecoder } from './aws-chunked.ts';
import { runningChecksum, type ChecksumAlgorithm } from './checksums.ts';

const checksum = (algorithm: ChecksumAlgorithm, value: string) => {
  const running = runningChecksum(algorithm);
  running.update(Buffer.from(value));
  return Buffer.from(running.digest(), 'base64').toString('hex');
};

const chunked = (parts: string[], trailer: string) =>
  Buffer.from(
    `${parts.map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`).join('')}0\r\n${trailer}\r\n\r\n`,
  );

/** The decoded text, the body arriving in pieces of `split` bytes (so lines break across pieces). */
async function decode(body: Buffer, announced = 'x-amz-checksum-crc32', split = 3): Promise<string> {
  const pieces = [];
  for (let at = 0; at < body.length; at += split) pieces.push(body.subarray(at, at + split));
  const decoder = awsChunkedDecoder(announced);
  const [result] = await Promise.all([text(decoder), pipeline(Readable.from(pieces), decoder)]);
  return result;
}

describe('checksums', () => {
  it('match the published check values of "123456789"', () => {
    expect(checksum('crc32', '123456789')).toBe('cbf43926');
    expect(checksum('crc32c', '123456789')).toBe('e3069283');
    expect(checksum('crc64nvme', '123456789')).toBe('ae8b14860a799888');
  });
});

describe('aws-chunked bodies', () => {
  const crc = Buffer.from(checksum('crc32', 'hello, world'), 'hex').toString('base64');

  it('decodes the chunks as they arrive and checks the trailing checksum', async () => {
    const body = chunked(['hello, ', 'world'], `x-amz-checksum-crc32:${crc}`);
    expect(await decode(body)).toBe('hello, world');
    expect(await decode(body, 'x-amz-checksum-crc32', 1)).toBe('hello, world');
    expect(await decode(body, 'x-amz-checksum-crc32', body.length)).toBe('hello, world');
  });

  it('fails on a trailing checksum of other bytes, a missing trailer and a cut or garbled body', async () => {
    const code = (promise: Promise<unknown>) =>
      promise.then(
        () => 'no error',
        (error: { code: string }) => error.code,
      );
    expect(await code(decode(chunked(['hello, ', 'word'], `x-amz-checksum-crc32:${crc}`)))).toBe('BadDigest');
    expect(await code(decode(Buffer.from('5\r\nhello\r\n0\r\n\r\n')))).toBe('IncompleteBody');
    const whole = chunked(['hello, ', 'world'], `x-amz-checksum-crc32:${crc}`);
    expect(await code(decode(whole.subarray(0, 12)))).toBe('IncompleteBody');
    expect(await code(decode(Buffer.from('zz\r\nhello\r\n')))).toBe('InvalidRequest');
    expect(await code(decode(Buffer.from('3\r\nhello\r\n')))).toBe('InvalidRequest');
    expect(() => awsChunkedDecoder('x-amz-meta-other')).toThrow(
      expect.objectContaining({ code: 'InvalidRequest' }),
    );
  });
});
