/**
 * Structured conditions, updates and sort-key conditions turned into
 * DynamoDB expression strings, with every name and value passed as a
 * placeholder (#n0, :v0) so no attribute name or value is ever spliced in.
 */
import type { AttributeValue as WireValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type {
  AttributeValue,
  Condition,
  SortKeyCondition,
  UpdateRequest,
} from '../../ports/item-store/item-store.ts';

export class ExpressionBuilder {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, AttributeValue> = {};
  private readonly nameIds = new Map<string, string>();
  private valueCount = 0;

  name(attribute: string): string {
    let id = this.nameIds.get(attribute);
    if (!id) {
      id = `#n${this.nameIds.size}`;
      this.nameIds.set(attribute, id);
      this.names[id] = attribute;
    }
    return id;
  }

  value(value: AttributeValue): string {
    const id = `:v${this.valueCount++}`;
    this.values[id] = value;
    return id;
  }

  /** The placeholders, in the shape a DynamoDB command takes (absent when unused). */
  attributes(): {
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, WireValue>;
  } {
    return {
      ...(this.nameIds.size > 0 ? { ExpressionAttributeNames: this.names } : {}),
      ...(this.valueCount > 0
        ? { ExpressionAttributeValues: marshall(this.values, { removeUndefinedValues: true }) }
        : {}),
    };
  }
}

/**
 * A condition list as one ConditionExpression. `ttl` names the TTL attribute and
 * `nowSeconds` the present: an expired item counts as absent, as Plaza's contract says.
 */
export function conditionExpression(
  builder: ExpressionBuilder,
  conditions: Condition[] | undefined,
  ttl: { attribute: string; nowSeconds: number },
): string | undefined {
  if (!conditions || conditions.length === 0) return undefined;
  const expired = () => `${builder.name(ttl.attribute)} <= ${builder.value(ttl.nowSeconds)}`;
  const parts = conditions.map((condition) => {
    switch (condition.op) {
      case 'itemExists':
        return `(attribute_exists(${builder.name('PK')}) AND (attribute_not_exists(${builder.name(ttl.attribute)}) OR NOT ${expired()}))`;
      case 'itemNotExists':
        return `(attribute_not_exists(${builder.name('PK')}) OR ${expired()})`;
      case 'attributeExists':
        return `attribute_exists(${builder.name(condition.attribute)})`;
      case 'attributeNotExists':
        return `attribute_not_exists(${builder.name(condition.attribute)})`;
      default:
        return `${builder.name(condition.attribute)} ${condition.op} ${builder.value(condition.value)}`;
    }
  });
  return parts.join(' AND ');
}

export function updateExpression(
  builder: ExpressionBuilder,
  request: Omit<UpdateRequest, 'conditions'>,
): string | undefined {
  const sets = Object.entries(request.set ?? {})
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${builder.name(name)} = ${builder.value(value)}`);
  const removes = [
    ...(request.remove ?? []),
    ...Object.entries(request.set ?? {})
      .filter(([, value]) => value === undefined)
      .map(([name]) => name),
  ].map((name) => builder.name(name));
  const adds = Object.entries(request.add ?? {}).map(
    ([name, amount]) => `${builder.name(name)} ${builder.value(amount)}`,
  );
  const clauses = [
    sets.length ? `SET ${sets.join(', ')}` : '',
    removes.length ? `REMOVE ${removes.join(', ')}` : '',
    adds.length ? `ADD ${adds.join(', ')}` : '',
  ].filter(Boolean);
  return clauses.length ? clauses.join(' ') : undefined;
}

export function keyConditionExpression(
  builder: ExpressionBuilder,
  keys: { partitionKey: string; sortKey: string },
  partition: string,
  sortKey: SortKeyCondition | undefined,
): string {
  const pk = `${builder.name(keys.partitionKey)} = ${builder.value(partition)}`;
  if (!sortKey) return pk;
  const sk = builder.name(keys.sortKey);
  switch (sortKey.op) {
    case 'beginsWith':
      return `${pk} AND begins_with(${sk}, ${builder.value(sortKey.value)})`;
    case 'between':
      return `${pk} AND ${sk} BETWEEN ${builder.value(sortKey.low)} AND ${builder.value(sortKey.high)}`;
    default:
      return `${pk} AND ${sk} ${sortKey.op} ${builder.value(sortKey.value)}`;
  }
}
