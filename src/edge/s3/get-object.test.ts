import { describe, expect, it } from 'vitest';
import { rangeOf } from './get-object.ts';

describe('rangeOf', () => {
  it('reads the forms of a byte range within the object', () => {
    expect(rangeOf('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(rangeOf('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(rangeOf('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(rangeOf('bytes=50-500', 100)).toEqual({ start: 50, end: 99 });
    expect(rangeOf('bytes=-500', 100)).toEqual({ start: 0, end: 99 });
  });

  it('ignores what S3 ignores and refuses ranges outside the object', () => {
    expect(rangeOf('bytes=0-1,5-6', 100)).toBeUndefined();
    expect(rangeOf('items=0-1', 100)).toBeUndefined();
    expect(rangeOf('bytes=9-2', 100)).toBeUndefined();
    expect(() => rangeOf('bytes=100-', 100)).toThrow(expect.objectContaining({ code: 'InvalidRange' }));
    expect(() => rangeOf('bytes=-0', 100)).toThrow(expect.objectContaining({ code: 'InvalidRange' }));
  });
});
