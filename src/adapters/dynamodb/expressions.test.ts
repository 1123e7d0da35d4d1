import { describe, expect, it } from 'vitest';
import {
  conditionExpression,
  ExpressionBuilder,
  keyConditionExpression,
  updateExpression,
} from './expressions.ts';

const ttl = { attribute: 'ttl', nowSeconds: 1000 };

describe('DynamoDB expressions', () => {
  it('passes every name and value as a placeholder', () => {
    const builder = new ExpressionBuilder();
    const expression = conditionExpression(
      builder,
      [
        { op: '=', attribute: 'owner; DROP', value: 'x' },
        { op: 'attributeNotExists', attribute: 'owner; DROP' },
      ],
      ttl,
    );
    expect(expression).toBe('#n0 = :v0 AND attribute_not_exists(#n0)');
    expect(builder.names).toEqual({ '#n0': 'owner; DROP' });
    expect(builder.values).toEqual({ ':v0': 'x' });
  });

  it('treats an expired item as absent', () => {
    const builder = new ExpressionBuilder();
    expect(conditionExpression(builder, [{ op: 'itemNotExists' }], ttl)).toBe(
      '(attribute_not_exists(#n0) OR #n1 <= :v0)',
    );
    expect(builder.values).toEqual({ ':v0': 1000 });
  });

  it('builds SET, REMOVE and ADD clauses', () => {
    const builder = new ExpressionBuilder();
    expect(
      updateExpression(builder, {
        key: { PK: 'a', SK: 'b' },
        set: { title: 'hi' },
        remove: ['old'],
        add: { likes: 1 },
      }),
    ).toBe('SET #n0 = :v0 REMOVE #n1 ADD #n2 :v1');
    expect(updateExpression(new ExpressionBuilder(), { key: { PK: 'a', SK: 'b' } })).toBeUndefined();
  });

  it('builds key conditions for every sort key operator', () => {
    const keys = { partitionKey: 'GSI1PK', sortKey: 'GSI1SK' };
    expect(keyConditionExpression(new ExpressionBuilder(), keys, 'p', undefined)).toBe('#n0 = :v0');
    expect(keyConditionExpression(new ExpressionBuilder(), keys, 'p', { op: 'beginsWith', value: 'a' })).toBe(
      '#n0 = :v0 AND begins_with(#n1, :v1)',
    );
    expect(
      keyConditionExpression(new ExpressionBuilder(), keys, 'p', { op: 'between', low: 'a', high: 'b' }),
    ).toBe('#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2');
    expect(keyConditionExpression(new ExpressionBuilder(), keys, 'p', { op: '<=', value: 'a' })).toBe(
      '#n0 = :v0 AND #n1 <= :v1',
    );
  });
});
