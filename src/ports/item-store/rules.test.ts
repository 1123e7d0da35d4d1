import { describe, expect, it } from 'vitest';
import { isPlazaError } from '../../platform/errors.ts';
import type { Item } from './item-store.ts';
import { attributeOf, itemSize, significantDigits, validateItem } from './rules.ts';
import { mainTable } from './table.ts';

const table = mainTable('main');

/** The message a call fails with (a ValidationException), or undefined when it passes. */
function refusal(call: () => unknown): string | undefined {
  try {
    call();
    return undefined;
  } catch (error) {
    if (!isPlazaError(error, 'ValidationException')) throw error;
    return error.message;
  }
}

describe('significantDigits', () => {
  // What DynamoDB's variable-length decimal counts, as the shortest round-trip form gives it.
  const byExponent = (value: number) => value.toExponential().replace(/e.*$/, '').replace('.', '').length;

  it('counts the digits of the shortest decimal less leading and trailing zeros', () => {
    expect([0, 7, 10, 1200, 1234, 100.5, 0.00123, 2 ** 53 + 2, 1e21, 1.5e-7].map(significantDigits)).toEqual([
      1, 1, 1, 2, 4, 4, 3, 16, 1, 2,
    ]);
  });

  it('agrees with the exponent form for integers and fractions of every size', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 5000; i++) {
      const integer = Math.floor(random() * 10 ** Math.floor(random() * 16)) * 10 ** Math.floor(random() * 4);
      const fraction = random() * 10 ** Math.floor(random() * 20 - 10);
      for (const value of [integer, fraction]) expect(significantDigits(value)).toBe(byExponent(value));
    }
  });
});

describe('itemSize', () => {
  it('counts names and values as DynamoDB does', () => {
    // Names 2+2+1+1+1+1+1+1; values: 6, 1, numbers 12 → 2 and -1.5 → 3, true 1, null 1,
    // list 3 + (1+1) + (1+1), map 3 + (1 + 1 + 1).
    const item: Item = {
      PK: 'USER#1',
      SK: 'X',
      n: 12,
      m: -1.5,
      b: true,
      z: null,
      l: ['a', 'b'],
      o: { k: 'v' },
    };
    expect(itemSize(item)).toBe(10 + 6 + 1 + 2 + 3 + 1 + 1 + 7 + 6);
    expect(itemSize({ PK: 'é', SK: '✓' })).toBe(4 + 2 + 3);
    expect(itemSize({ PK: 'a', SK: 'b', gone: undefined } as unknown as Item)).toBe(6);
  });
});

describe('attributeOf', () => {
  it("reads an item's own attributes only, never what its prototype has", () => {
    const item: Item = { PK: 'USER#1', SK: 'PROFILE', ttl: 12, empty: null };
    expect(attributeOf(item, 'ttl')).toBe(12);
    expect(attributeOf(item, 'empty')).toBeNull();
    expect(attributeOf(item, 'GSI1PK')).toBeUndefined();
    expect(attributeOf(item, 'constructor')).toBeUndefined();
    expect(attributeOf(item, 'toString')).toBeUndefined();
    expect(attributeOf(JSON.parse('{"__proto__": "x"}') as Item, '__proto__')).toBe('x');
  });
});

describe('validateItem', () => {
  const base = { PK: 'USER#1', SK: 'PROFILE' };

  it('takes an item of the types DynamoDB stores and gives its size', () => {
    const item: Item = {
      ...base,
      list: ['a', 1, { deep: [true, null] }],
      map: { nested: { n: 2 } },
      GSI1PK: 'P',
      GSI1SK: 'S',
      unicode: 'café ✓',
    };
    expect(validateItem(table, item)).toBe(itemSize(item));
  });

  it('names the attribute a value it cannot store is at', () => {
    expect(refusal(() => validateItem(table, { ...base, n: Number.NaN }))).toBe(
      'The number at n is not finite',
    );
    expect(refusal(() => validateItem(table, { ...base, l: ['a', ['b', Infinity]] } as never))).toBe(
      'The number at l[1][1] is not finite',
    );
    expect(refusal(() => validateItem(table, { ...base, m: { when: new Date(0) } } as never))).toBe(
      'Unsupported type for attribute m.when',
    );
    expect(refusal(() => validateItem(table, { ...base, f: (() => 1) as never }))).toBe(
      'Unsupported type for attribute f',
    );
    expect(refusal(() => validateItem(table, { ...base, '': 'x' }))).toBe('Empty attribute name');
  });

  it("refuses index keys that are not non-empty strings, in DynamoDB's words", () => {
    expect(refusal(() => validateItem(table, { ...base, GSI2SK: 5 }))).toBe(
      'One or more parameter values were invalid: Type mismatch for Index Key GSI2SK Expected: S Actual: N IndexName: GSI2',
    );
    expect(refusal(() => validateItem(table, { ...base, GSI1PK: '' }))).toMatch(
      /cannot contain an empty string value\. IndexName: GSI1, IndexKey: GSI1PK$/,
    );
  });

  it('refuses an item over 400 KB', () => {
    expect(refusal(() => validateItem(table, { ...base, big: 'x'.repeat(400 * 1024) }))).toBe(
      'Item size has exceeded the maximum allowed size',
    );
  });
});
