/**
 * DynamoDB's rules that every ItemStore engine applies the same way: item and
 * key sizes, request limits, capacity units and the cursor format. Both
 * engines validate with these functions before they touch storage, so a
 * request that fails on one fails on the other with the same error.
 */
import { PlazaError } from '../../platform/errors.ts';
import type {
  AttributeValue,
  BatchWriteRequest,
  Condition,
  Item,
  Key,
  QueryRequest,
  TransactAction,
  UpdateRequest,
} from './item-store.ts';
import type { IndexDefinition, TableDefinition } from './table.ts';
import { findIndex } from './table.ts';
import { KeySet } from './key-map.ts';

/**
 * An item's attribute `name`, or undefined. An index key or the TTL attribute is missing from most
 * items, and V8 reads a missing property by a computed name with a walk up the prototype chain,
 * about 0.2 µs each: a write read six to eight of them. Asking the item first costs a tenth.
 */
export function attributeOf(item: Item, name: string): AttributeValue | undefined {
  return Object.hasOwn(item, name) ? item[name] : undefined;
}

export const limits = {
  itemBytes: 400 * 1024,
  partitionKeyBytes: 2048,
  sortKeyBytes: 1024,
  batchGetKeys: 100,
  batchWriteRequests: 25,
  transactionActions: 100,
  transactionBytes: 4 * 1024 * 1024,
  queryPageBytes: 1024 * 1024,
  readUnitBytes: 4096,
  writeUnitBytes: 1024,
} as const;

const encoder = new TextEncoder();

export function utf8Length(text: string): number {
  // Fast path: pure ASCII strings are as long in UTF-8 as in UTF-16.
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  return ascii ? text.length : encoder.encode(text).length;
}

function numberSize(value: number): number {
  // DynamoDB stores numbers as variable-length decimals: about one byte per two
  // significant digits, plus one byte (and one more for a negative number).
  return Math.ceil(significantDigits(Math.abs(value)) / 2) + 1 + (value < 0 ? 1 : 0);
}

/** The digits of the shortest decimal that gives `value` back, less leading and trailing zeros. */
export function significantDigits(value: number): number {
  // Counts and times, nearly every number stored: integers, exact in a double below 2^53.
  if (Number.isSafeInteger(value)) {
    if (value === 0) return 1;
    let digits = value;
    while (digits % 10 === 0) digits /= 10;
    return String(digits).length;
  }
  return value.toExponential().replace(/e.*$/, '').replace('.', '').length;
}

function valueSize(value: AttributeValue): number {
  if (typeof value === 'string') return utf8Length(value);
  if (typeof value === 'number') return numberSize(value);
  if (typeof value === 'boolean' || value === null) return 1;
  let size = 3;
  if (Array.isArray(value)) {
    for (const element of value) size += valueSize(element) + 1;
    return size;
  }
  // for…in rather than Object.entries: every write sizes its item, and the entries were an array
  // of pairs made and dropped each time.
  for (const name in value) {
    const element = value[name];
    if (element !== undefined) size += utf8Length(name) + valueSize(element) + 1;
  }
  return size;
}

/** An item's size in bytes as DynamoDB counts it: attribute names plus values. */
export function itemSize(item: Item): number {
  let size = 0;
  for (const name in item) {
    const value = item[name];
    if (value !== undefined) size += utf8Length(name) + valueSize(value);
  }
  return size;
}

/** Read units for reading `bytes` (one unit per 4 KB, at least one; half for eventually consistent reads). */
export function readUnits(bytes: number, consistent: boolean): number {
  const units = Math.max(1, Math.ceil(bytes / limits.readUnitBytes));
  return consistent ? units : units / 2;
}

/** Write units for writing an item of `bytes` (one unit per 1 KB, at least one). */
export function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / limits.writeUnitBytes));
}

/**
 * Write units a global secondary index consumes when an item changes from
 * `before` to `after`: one write when the item enters, leaves or changes in
 * the index, two when its index key changes (a delete plus a put).
 */
export function indexWriteUnits(
  index: IndexDefinition,
  before: Item | undefined,
  after: Item | undefined,
  /** The items' sizes (`itemSize`), when the caller knows them already. */
  sizes?: { before: number; after: number },
): number {
  const beforeKey = indexKeyOf(index, before);
  const afterKey = indexKeyOf(index, after);
  if (beforeKey === undefined && afterKey === undefined) return 0;
  const units = writeUnits(
    Math.max(projectedSize(index, before, sizes?.before), projectedSize(index, after, sizes?.after)),
  );
  return beforeKey !== undefined && afterKey !== undefined && beforeKey !== afterKey ? 2 * units : units;
}

// Module functions rather than closures in indexWriteUnits: it runs for every write, and tsx names
// each closure it makes (keepNames), a property definition per call.
function indexKeyOf(index: IndexDefinition, item: Item | undefined): string | undefined {
  if (item === undefined) return undefined;
  const pk = attributeOf(item, index.partitionKey);
  const sk = attributeOf(item, index.sortKey);
  return typeof pk === 'string' && typeof sk === 'string' ? `${pk}\u0000${sk}` : undefined;
}

function projectedSize(index: IndexDefinition, item: Item | undefined, size: number | undefined): number {
  if (item === undefined) return 0;
  return index.projection === 'ALL' ? (size ?? itemSize(item)) : keysOnlySize(index, item);
}

function keysOnlySize(index: IndexDefinition, item: Item): number {
  let size = 0;
  for (const name of ['PK', 'SK', index.partitionKey, index.sortKey]) {
    const value = item[name];
    if (typeof value === 'string') size += utf8Length(name) + utf8Length(value);
  }
  return size;
}

/** What a global secondary index holds of an item: everything, or only the keys. */
export function project(index: IndexDefinition, item: Item): Item {
  if (index.projection === 'ALL') return item;
  const projected: Item = {};
  for (const name of ['PK', 'SK', index.partitionKey, index.sortKey]) {
    const value = item[name];
    if (value !== undefined) projected[name] = value;
  }
  return projected;
}

function invalid(message: string): PlazaError {
  return new PlazaError('ValidationException', message);
}

export function keyOf(item: Item): Key {
  return { PK: item.PK as string, SK: item.SK as string };
}

/** A stable string for a key, to find duplicates. */
export function keyId(key: Key): string {
  return `${key.PK}\u0000${key.SK}`;
}

export function validateKey(key: Key): void {
  if (typeof key !== 'object' || key === null)
    throw invalid('The provided key element does not match the schema');
  // Each read validates every key it is given: two calls rather than a loop over a fresh array.
  validateKeyPart(key.PK, 'PK', limits.partitionKeyBytes);
  validateKeyPart(key.SK, 'SK', limits.sortKeyBytes);
}

function validateKeyPart(value: unknown, name: 'PK' | 'SK', max: number): void {
  if (typeof value !== 'string') throw invalid('The provided key element does not match the schema');
  if (value.length === 0) {
    throw invalid(
      `One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: ${name}`,
    );
  }
  // A UTF-16 unit is at most 3 bytes of UTF-8: short keys need no count.
  const bytes = value.length * 3 <= max ? 0 : utf8Length(value);
  if (bytes > max) {
    throw invalid(
      `One or more parameter values were invalid: Size of ${name === 'PK' ? 'hashkey' : 'rangekey'} has exceeded the maximum size limit of ${max} bytes`,
    );
  }
}

function validateValue(value: unknown, path: string): void {
  if (value === undefined || value === null) return;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw invalid(`The number at ${path} is not finite`);
      return;
  }
  if (Array.isArray(value)) {
    // An element's path is only made for an element that needs looking into.
    for (let i = 0; i < value.length; i++) {
      const element: unknown = value[i];
      if (typeof element !== 'string') validateValue(element, `${path}[${i}]`);
    }
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const name in value) {
      const element: unknown = (value as Record<string, unknown>)[name];
      if (typeof element !== 'string') validateValue(element, `${path}.${name}`);
    }
    return;
  }
  throw invalid(`Unsupported type for attribute ${path}`);
}

/** Validates a whole item for a put: keys, index keys, value types and the 400 KB limit. Returns its size. */
export function validateItem(table: TableDefinition, item: Item): number {
  if (typeof item !== 'object' || item === null || Array.isArray(item))
    throw invalid('An item must be an object');
  validateKeyPart(item.PK, 'PK', limits.partitionKeyBytes);
  validateKeyPart(item.SK, 'SK', limits.sortKeyBytes);
  // One pass checks each attribute and adds up the size (itemSize's sum): every put runs this.
  let size = 0;
  for (const name in item) {
    if (name.length === 0) throw invalid('Empty attribute name');
    const value = item[name];
    if (typeof value === 'string') size += utf8Length(name) + utf8Length(value);
    else if (value !== undefined) {
      validateValue(value, name);
      size += utf8Length(name) + valueSize(value);
    }
  }
  validateIndexKeys(table, item);
  if (size > limits.itemBytes) throw invalid('Item size has exceeded the maximum allowed size');
  return size;
}

/** Index key attributes, when present, must be non-empty strings (an item without them is simply not indexed). */
export function validateIndexKeys(table: TableDefinition, item: Item): void {
  for (const index of table.indexes) {
    validateIndexKey(index, index.partitionKey, attributeOf(item, index.partitionKey));
    validateIndexKey(index, index.sortKey, attributeOf(item, index.sortKey));
  }
}

function validateIndexKey(index: IndexDefinition, name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'string') {
    throw invalid(
      `One or more parameter values were invalid: Type mismatch for Index Key ${name} Expected: S Actual: ${typeof value === 'number' ? 'N' : 'other'} IndexName: ${index.name}`,
    );
  }
  if (value.length === 0) {
    throw invalid(
      `One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: ${index.name}, IndexKey: ${name}`,
    );
  }
}

export function validateConditions(conditions: Condition[] | undefined): void {
  for (const condition of conditions ?? []) {
    if ('attribute' in condition) {
      if (typeof condition.attribute !== 'string' || condition.attribute.length === 0) {
        throw invalid('A condition names an empty attribute');
      }
      if ('value' in condition) validateValue(condition.value, condition.attribute);
    }
  }
}

export function validateUpdate(request: Omit<UpdateRequest, 'conditions'>): void {
  validateKey(request.key);
  const seen = new Set<string>();
  const touch = (name: string) => {
    if (name === 'PK' || name === 'SK') {
      throw invalid(
        `One or more parameter values were invalid: Cannot update attribute ${name}. This attribute is part of the key`,
      );
    }
    if (name.length === 0) throw invalid('Empty attribute name');
    if (seen.has(name))
      throw invalid(`Invalid UpdateExpression: Two document paths overlap with each other; path: [${name}]`);
    seen.add(name);
  };
  for (const [name, value] of Object.entries(request.set ?? {})) {
    touch(name);
    validateValue(value, name);
  }
  for (const name of request.remove ?? []) touch(name);
  for (const [name, amount] of Object.entries(request.add ?? {})) {
    touch(name);
    if (typeof amount !== 'number' || !Number.isFinite(amount))
      throw invalid(`ADD needs a finite number for ${name}`);
  }
}

export function validateQuery(table: TableDefinition, request: QueryRequest): IndexDefinition | undefined {
  const index = request.index === undefined ? undefined : findIndex(table, request.index);
  if (request.index !== undefined && index === undefined) {
    throw new PlazaError(
      'ValidationException',
      `The table does not have the specified index: ${request.index}`,
    );
  }
  if (index && request.consistent) {
    throw invalid('Consistent reads are not supported on global secondary indexes');
  }
  if (typeof request.partition !== 'string' || request.partition.length === 0) {
    throw invalid('Query condition missed key schema element');
  }
  if (request.limit !== undefined && (!Number.isInteger(request.limit) || request.limit < 1)) {
    throw invalid(
      "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  }
  const sortKey = request.sortKey;
  if (sortKey) {
    const values = sortKey.op === 'between' ? [sortKey.low, sortKey.high] : [sortKey.value];
    if (values.some((value) => typeof value !== 'string'))
      throw invalid('Sort key conditions compare strings');
    if (sortKey.op === 'between' && compareUtf8(sortKey.low, sortKey.high) > 0) {
      throw invalid(
        'Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound',
      );
    }
  }
  return index;
}

/** A check that each key comes once in a request, in DynamoDB's words for that request. */
function onceEach(message: string): (key: Key) => void {
  const seen = new KeySet();
  return (key) => {
    if (!seen.add(key)) throw invalid(message);
  };
}

export function validateBatchGet(keys: Key[]): void {
  if (!Array.isArray(keys) || keys.length === 0) throw invalid('The list of keys to get must not be empty');
  if (keys.length > limits.batchGetKeys) {
    throw invalid('Too many items requested for the BatchGetItem call');
  }
  const once = onceEach('Provided list of item keys contains duplicates');
  for (const key of keys) {
    validateKey(key);
    once(key);
  }
}

/** Validates a BatchWriteItem request; returns each put's item size (0 for a delete). */
export function validateBatchWrite(table: TableDefinition, requests: BatchWriteRequest[]): number[] {
  if (!Array.isArray(requests) || requests.length === 0)
    throw invalid('The list of write requests must not be empty');
  if (requests.length > limits.batchWriteRequests) {
    throw invalid(
      "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25]",
    );
  }
  const once = onceEach('Provided list of item keys contains duplicates');
  return requests.map((request) => {
    const key = 'put' in request ? keyOf(request.put) : request.delete;
    let size = 0;
    if ('put' in request) size = validateItem(table, request.put);
    else validateKey(request.delete);
    once(key);
    return size;
  });
}

/** The key each transaction action touches. */
export function actionKey(action: TransactAction): Key {
  if ('put' in action) return keyOf(action.put);
  if ('delete' in action) return action.delete;
  if ('update' in action) return action.update.key;
  return action.check;
}

export function validateTransaction(table: TableDefinition, actions: TransactAction[]): void {
  if (!Array.isArray(actions) || actions.length === 0)
    throw invalid('A transaction needs at least one action');
  if (actions.length > limits.transactionActions) {
    throw invalid(
      "1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100",
    );
  }
  const once = onceEach('Transaction request cannot include multiple operations on one item');
  let bytes = 0;
  for (const action of actions) {
    if ('put' in action) bytes += validateItem(table, action.put);
    else if ('update' in action) {
      validateUpdate(action.update);
      bytes += itemSize({ ...action.update.key, ...(action.update.set ?? {}) });
    } else validateKey(actionKey(action));
    if ('check' in action && (!Array.isArray(action.conditions) || action.conditions.length === 0)) {
      throw invalid('A condition check needs at least one condition');
    }
    validateConditions(action.conditions);
    once(actionKey(action));
  }
  if (bytes > limits.transactionBytes)
    throw invalid('Transaction request exceeds the maximum allowed size of 4 MB');
}

/** Compares two strings by their UTF-8 bytes, as DynamoDB orders sort keys. */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** Cursors are the last key read, as base64url JSON; opaque to callers. */
export function encodeCursor(lastKey: Record<string, string>): string {
  return Buffer.from(JSON.stringify(lastKey), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, expected: readonly string[]): Record<string, string> {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('The provided starting key is invalid');
  }
  if (typeof decoded !== 'object' || decoded === null) throw invalid('The provided starting key is invalid');
  const record = decoded as Record<string, unknown>;
  const result: Record<string, string> = {};
  for (const name of expected) {
    const value = record[name];
    if (typeof value !== 'string') throw invalid('The provided starting key is invalid');
    result[name] = value;
  }
  return result;
}
