/** The item images a change record carries, decoded from DynamoDB's wire form. */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Item, Key, StreamRecord } from './item-store.ts';

export function newImage(record: StreamRecord): Item | undefined {
  const raw = record.dynamodb.NewImage;
  return raw ? (unmarshall(raw as never) as Item) : undefined;
}

export function oldImage(record: StreamRecord): Item | undefined {
  const raw = record.dynamodb.OldImage;
  return raw ? (unmarshall(raw as never) as Item) : undefined;
}

/** The record's table key, read from its wire form without decoding either image. */
export function recordKey(record: StreamRecord): Key {
  const { PK, SK } = record.dynamodb.Keys;
  return { PK: PK && 'S' in PK ? PK.S : '', SK: SK && 'S' in SK ? SK.S : '' };
}
