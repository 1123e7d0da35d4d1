import { describe, expect, it } from 'vitest';
import { deepEqual } from './evaluate.ts';
import type { AttributeValue } from './item-store.ts';

// A JavaScript object can carry an attribute set to undefined (an optional field left unset), which the
// Item type does not allow: the test builds such maps through this cast.
const loose = (map: Record<string, unknown>) => map as AttributeValue;

describe('deepEqual', () => {
  it('compares maps whatever their key order, an undefined attribute as an absent one', () => {
    expect(deepEqual({ a: 1, b: { c: 'x', d: [1, 2] } }, { b: { d: [1, 2], c: 'x' }, a: 1 })).toBe(true);
    expect(deepEqual(loose({ a: 1, gone: undefined }), { a: 1 })).toBe(true);
    expect(deepEqual({ a: 1 }, loose({ a: 1, gone: undefined }))).toBe(true);
  });

  it('tells apart maps with a value, an attribute or a list element of their own', () => {
    expect(deepEqual({ a: 1, b: 2 }, { a: 1, b: 3 })).toBe(false);
    expect(deepEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(deepEqual({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(deepEqual(loose({ a: 1, b: undefined }), { a: 1, c: 2 })).toBe(false);
    expect(deepEqual({ l: [1, { x: 1 }] }, { l: [1, { x: 2 }] })).toBe(false);
    expect(deepEqual({ l: [1, 2] }, { l: [2, 1] })).toBe(false);
    expect(deepEqual({ l: [1] }, { l: [1, 1] })).toBe(false);
  });

  it('never takes a list for a map, nor null for a value', () => {
    expect(deepEqual([], {})).toBe(false);
    expect(deepEqual({ 0: 'a' }, ['a'])).toBe(false);
    expect(deepEqual(null, {})).toBe(false);
    expect(deepEqual(null, null)).toBe(true);
    expect(deepEqual('1', 1)).toBe(false);
  });
});
