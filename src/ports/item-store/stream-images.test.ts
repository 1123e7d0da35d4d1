import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Item, StreamRecord, WireAttributeValue } from './item-store.ts';
import { attributeChanged, newImage, oldImage, setJsonImages, toWireImage } from './stream-images.ts';

const item: Item = {
  PK: 'USER#1',
  SK: 'NOTIF#FOLLOW#2',
  empty: '',
  count: 12,
  negative: -1.5,
  flag: false,
  nothing: null,
  actorIds: ['2', '3'],
  nested: { list: [1, 'a', { deep: true }], map: {} },
  unicode: 'café ✓',
};

/** util-dynamodb's own marshalling of a plain item: the reference the wire form is checked against. */
const wire = (value: Item) => marshall(value) as Record<string, WireAttributeValue>;

function record(images: Partial<Pick<StreamRecord['dynamodb'], 'NewImage' | 'OldImage'>> = {}): StreamRecord {
  return {
    eventID: '1',
    eventName: 'MODIFY',
    eventSource: 'aws:dynamodb',
    eventVersion: '1.1',
    awsRegion: 'us-west-1',
    dynamodb: {
      Keys: { PK: { S: 'USER#1' }, SK: { S: 'NOTIF#FOLLOW#2' } },
      ...images,
      SequenceNumber: '1',
      SizeBytes: 1,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      ApproximateCreationDateTime: 1,
    },
  };
}

/** A record whose images come from JSON text, as SQLite's change log gives them. */
function jsonRecord(after: Item | undefined, before: Item | undefined): StreamRecord {
  const made = record();
  setJsonImages(made.dynamodb, after && JSON.stringify(after), before && JSON.stringify(before));
  return made;
}

describe('toWireImage', () => {
  it("gives what util-dynamodb's marshall gives for an item parsed from JSON", () => {
    expect(toWireImage(item)).toEqual(marshall(item, { removeUndefinedValues: true }));
  });
});

describe('images from JSON text', () => {
  it('shows the wire form as enumerable images, made once and kept', () => {
    const made = jsonRecord(item, { ...item, count: 11 });
    expect(Object.keys(made.dynamodb)).toContain('NewImage');
    expect(made.dynamodb.NewImage).toEqual(marshall(item));
    expect(made.dynamodb.OldImage?.count).toEqual({ N: '11' });
    expect(made.dynamodb.NewImage).toBe(made.dynamodb.NewImage);
    expect(JSON.parse(JSON.stringify(made))).toEqual(
      record({ NewImage: wire(item), OldImage: wire({ ...item, count: 11 }) }),
    );
  });

  it('has no image where the change has none', () => {
    const inserted = jsonRecord(item, undefined);
    expect(inserted.dynamodb.OldImage).toBeUndefined();
    expect('OldImage' in inserted.dynamodb).toBe(false);
    expect(oldImage(inserted)).toBeUndefined();
    expect(newImage(jsonRecord(undefined, item))).toBeUndefined();
  });

  it('decodes each image once, one item frozen to its leaves for every reader', () => {
    const fromText = jsonRecord(item, { ...item, count: 11 });
    const fromWire = record({ NewImage: wire(item), OldImage: wire({ ...item, count: 11 }) });
    for (const made of [fromText, fromWire]) {
      const first = newImage(made) as Item;
      expect(first).toEqual(item);
      expect(newImage(made)).toBe(first);
      expect(() => {
        (first.nested as { map: Record<string, unknown> }).map.changed = true;
      }).toThrow(TypeError);
      expect(() => (first.actorIds as string[]).push('4')).toThrow(TypeError);
      expect(newImage(made)).toEqual(item);
      expect(oldImage(made)?.count).toBe(11);
      expect(oldImage(made)).toBe(oldImage(made));
    }
  });

  it('decodes the same items from the text as from the wire form', () => {
    const fromWire = record({ NewImage: wire(item), OldImage: wire({ PK: 'USER#1', SK: 'X' }) });
    const text = jsonRecord(item, { PK: 'USER#1', SK: 'X' });
    expect(newImage(text)).toEqual(newImage(fromWire));
    expect(oldImage(text)).toEqual(oldImage(fromWire));
  });
});

describe('attributeChanged', () => {
  const audit = { action: 'signIn', userId: '1' };
  const cases: [string, Item | undefined, Item | undefined, boolean][] = [
    ['set on insert', { ...item, audit }, undefined, true],
    ['absent', item, undefined, false],
    ['kept through a change', { ...item, audit, count: 2 }, { ...item, audit }, false],
    ['changed', { ...item, audit: { ...audit, action: 'signOut' } }, { ...item, audit }, true],
    ['removed', item, { ...item, audit }, false],
    ['set to null', { ...item, audit: null }, item, true],
    ['only named inside a value', { ...item, note: '"audit": {"action": "x"}' }, undefined, false],
    ['only in a nested map', { ...item, nested: { audit } }, undefined, false],
    ['deleted item', undefined, { ...item, audit }, false],
  ];
  it.each(cases)('%s: the same from JSON text as from the wire form', (_, after, before, changed) => {
    const fromWire = record({
      ...(after ? { NewImage: wire(after) } : {}),
      ...(before ? { OldImage: wire(before) } : {}),
    });
    expect(attributeChanged(fromWire, 'audit')).toBe(changed);
    expect(attributeChanged(jsonRecord(after, before), 'audit')).toBe(changed);
  });
});
