/**
 * DynamoDB's semantics of conditions and updates, evaluated in JavaScript: the
 * SQLite engine decides writes with them, and the DynamoDB engine derives an
 * update's new image from the atomic old one (DynamoDB returns only one of the
 * two). The contract suite checks them against DynamoDB Local.
 */
import { PlazaError } from '../../platform/errors.ts';
import type { AttributeValue, Condition, Item, UpdateRequest } from './item-store.ts';
import { compareUtf8 } from './rules.ts';

export function deepEqual(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  // Every write compares the item it replaces: loops rather than arrays of keys made for each level.
  let defined = 0;
  for (const key in a) {
    if (a[key] === undefined) continue;
    if (!deepEqual(a[key], b[key])) return false;
    defined++;
  }
  for (const key in b) if (b[key] !== undefined) defined--;
  return defined === 0;
}

function compare(a: AttributeValue | undefined, b: AttributeValue): number | undefined {
  // DynamoDB orders only numbers against numbers and strings against strings.
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return compareUtf8(a, b);
  return undefined;
}

export function conditionHolds(current: Item | undefined, condition: Condition): boolean {
  switch (condition.op) {
    case 'itemExists':
      return current !== undefined;
    case 'itemNotExists':
      return current === undefined;
    case 'attributeExists':
      return current?.[condition.attribute] !== undefined;
    case 'attributeNotExists':
      return current?.[condition.attribute] === undefined;
    case '=':
      return deepEqual(current?.[condition.attribute], condition.value);
    case '<>': {
      // A missing attribute is "not equal" to any value, as in DynamoDB.
      return !deepEqual(current?.[condition.attribute], condition.value);
    }
    default: {
      const order = compare(current?.[condition.attribute], condition.value);
      if (order === undefined) return false;
      if (condition.op === '<') return order < 0;
      if (condition.op === '<=') return order <= 0;
      if (condition.op === '>') return order > 0;
      return order >= 0;
    }
  }
}

export function allHold(current: Item | undefined, conditions: Condition[] | undefined): boolean {
  if (conditions === undefined) return true;
  for (const condition of conditions) if (!conditionHolds(current, condition)) return false;
  return true;
}

/** The item after an update: DynamoDB creates the item when it does not exist yet. */
export function applyUpdate(current: Item | undefined, request: Omit<UpdateRequest, 'conditions'>): Item {
  const next: Item = current ? { ...current } : { PK: request.key.PK, SK: request.key.SK };
  for (const [name, value] of Object.entries(request.set ?? {})) {
    if (value === undefined) delete next[name];
    else next[name] = value;
  }
  for (const name of request.remove ?? []) delete next[name];
  for (const [name, amount] of Object.entries(request.add ?? {})) {
    const existing = next[name];
    if (existing === undefined) next[name] = amount;
    else if (typeof existing === 'number') next[name] = existing + amount;
    else {
      throw new PlazaError(
        'ValidationException',
        'An operand in the update expression has an incorrect data type',
      );
    }
  }
  return next;
}
