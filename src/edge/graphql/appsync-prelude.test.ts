import { Kind } from 'graphql';
import { describe, expect, it } from 'vitest';
import { appSyncScalars } from './appsync-prelude.ts';

const { AWSDateTime, AWSEmail } = appSyncScalars;

describe("AppSync's scalars", () => {
  it('check what an answer gives, every time, however many valid values came before', () => {
    const at = '2026-12-07T10:00:00.000Z';
    expect(AWSDateTime.serialize(at)).toBe(at);
    expect(AWSDateTime.serialize(at)).toBe(at);
    for (let i = 0; i < 12_000; i++) {
      const later = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
      expect(AWSDateTime.serialize(later)).toBe(later);
    }
    expect(() => AWSDateTime.serialize('2026-13-07T10:00:00Z')).toThrow('Invalid AWSDateTime');
    expect(() => AWSDateTime.serialize('yesterday')).toThrow('Invalid AWSDateTime');
    expect(() => AWSDateTime.serialize(1_765_101_600_000)).toThrow('Invalid AWSDateTime');
    expect(() => AWSEmail.serialize('not an address')).toThrow('Invalid AWSEmail');
    expect(AWSDateTime.serialize(at)).toBe(at);
  });

  it('check what a request sends, in variables and in the document', () => {
    expect(AWSDateTime.parseValue('2026-12-07T10:00:00+01:00')).toBe('2026-12-07T10:00:00+01:00');
    expect(() => AWSDateTime.parseValue('2026-12-07')).toThrow('Invalid AWSDateTime');
    expect(() => AWSDateTime.parseLiteral({ kind: Kind.INT, value: '1' })).toThrow('must be a string');
    expect(AWSEmail.parseLiteral({ kind: Kind.STRING, value: 'ada@example.com' })).toBe('ada@example.com');
  });
});
