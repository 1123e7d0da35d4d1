/** The item images a change record carries, decoded from DynamoDB's wire form. */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { deepFreeze } from '../../platform/deep-freeze.ts';
import type { Item, Key, StreamRecord, WireAttributeValue } from './item-store.ts';

type Images = StreamRecord['dynamodb'];
type WireImage = Record<string, WireAttributeValue>;

/**
 * The JSON text behind the images of records an engine read as JSON (SQLite's change log). Most
 * consumers only want the items, and parsing the text once per reader is cheaper than the wire
 * form's round trip (JSON to native to wire, then wire to native for each reader).
 */
const jsonImages = new WeakMap<Images, { NewImage: string | undefined; OldImage: string | undefined }>();

/**
 * Gives a record its images from their JSON text, in the wire form only when someone reads that
 * (an AWS-shaped consumer, a test): `NewImage`/`OldImage` are enumerable properties as on any
 * record, converted on first read and kept. `newImage`/`oldImage` parse the text instead.
 */
export function setJsonImages(
  images: Images,
  newJson: string | undefined,
  oldJson: string | undefined,
): void {
  jsonImages.set(images, { NewImage: newJson, OldImage: oldJson });
  for (const [name, json] of [
    ['NewImage', newJson],
    ['OldImage', oldJson],
  ] as const) {
    if (json === undefined) continue;
    Object.defineProperty(images, name, {
      enumerable: true,
      configurable: true,
      get() {
        const value = toWireImage(JSON.parse(json) as Item);
        Object.defineProperty(images, name, { value, enumerable: true, configurable: true, writable: true });
        return value;
      },
    });
  }
}

/**
 * The items decoded from a record's images, kept for its next reader: every consumer of a stream
 * reads every record, and a post's was decoded by each that reads it (the feed's fan-out, live
 * events, analytics). Frozen to their leaves, since consumers share them; a record that one
 * consumer decodes pays about 0.4 µs an image for the freezing.
 */
const decodedImages = new WeakMap<Images, { NewImage?: Item | null; OldImage?: Item | null }>();

function image(record: StreamRecord, name: 'NewImage' | 'OldImage'): Item | undefined {
  let decoded = decodedImages.get(record.dynamodb);
  if (decoded === undefined) decodedImages.set(record.dynamodb, (decoded = {}));
  const known = decoded[name];
  if (known !== undefined) return known ?? undefined;
  const item = decodeImage(record, name);
  decoded[name] = item === undefined ? null : deepFreeze(item);
  return item;
}

function decodeImage(record: StreamRecord, name: 'NewImage' | 'OldImage'): Item | undefined {
  const json = jsonImages.get(record.dynamodb);
  if (json) {
    const text = json[name];
    return text === undefined ? undefined : (JSON.parse(text) as Item);
  }
  const raw = record.dynamodb[name];
  return raw ? (unmarshall(raw as never) as Item) : undefined;
}

export function newImage(record: StreamRecord): Item | undefined {
  return image(record, 'NewImage');
}

export function oldImage(record: StreamRecord): Item | undefined {
  return image(record, 'OldImage');
}

/**
 * Whether the new image has attribute `name` with a value other than the old image's (compared as
 * JSON). Without decoding either image when the text shows the new one has no such attribute: an
 * attribute's name appears as `"name":` in an object's JSON, never so inside a string value.
 */
export function attributeChanged(record: StreamRecord, name: string): boolean {
  const json = jsonImages.get(record.dynamodb);
  if (json) {
    if (json.NewImage === undefined || !json.NewImage.includes(`${JSON.stringify(name)}:`)) return false;
    const after = (JSON.parse(json.NewImage) as Item)[name];
    const before = json.OldImage === undefined ? undefined : (JSON.parse(json.OldImage) as Item)[name];
    return after !== undefined && JSON.stringify(after) !== JSON.stringify(before);
  }
  const { NewImage, OldImage } = record.dynamodb;
  const after = NewImage?.[name];
  return after !== undefined && JSON.stringify(after) !== JSON.stringify(OldImage?.[name]);
}

/** The record's table key, read from its wire form without decoding either image. */
export function recordKey(record: StreamRecord): Key {
  const { PK, SK } = record.dynamodb.Keys;
  return { PK: PK && 'S' in PK ? PK.S : '', SK: SK && 'S' in SK ? SK.S : '' };
}

/**
 * An item as parsed from JSON, in DynamoDB's wire form: what util-dynamodb's `marshall` gives for
 * such a value (lists as L, maps as M, no sets), at a fraction of its cost.
 */
export function toWireImage(item: Item): WireImage {
  const image: WireImage = {};
  for (const name in item) {
    const value = item[name];
    if (value !== undefined) image[name] = toWire(value);
  }
  return image;
}

function toWire(value: unknown): WireAttributeValue {
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'number':
      return { N: String(value) };
    case 'boolean':
      return { BOOL: value };
    default:
      if (value === null) return { NULL: true };
      if (Array.isArray(value)) return { L: value.map(toWire) };
      return { M: toWireImage(value as Item) };
  }
}
