/**
 * The off-machine copy's objects under one prefix of an object store (a directory through the
 * file-system adapter, or an S3 bucket), read and written whole.
 */
import type { Readable } from 'node:stream';
import type { ObjectInfo, ObjectStore, PutOptions } from '../../../ports/object-store/object-store.ts';

async function bytesOf(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export class CopyStore {
  constructor(
    readonly objects: ObjectStore,
    private readonly prefix: string,
  ) {}

  private key(name: string): string {
    return this.prefix ? `${this.prefix}/${name}` : name;
  }

  put(name: string, body: Buffer | Readable, options: PutOptions): Promise<ObjectInfo> {
    return this.objects.put(this.key(name), body, options);
  }

  async get(name: string): Promise<Buffer | undefined> {
    const found = await this.objects.get(this.key(name));
    return found && bytesOf(found.body);
  }

  async stream(name: string): Promise<{ info: ObjectInfo; body: Readable } | undefined> {
    return this.objects.get(this.key(name));
  }

  /** Every object under `under` (a name ending in /), names relative to the copy, in key order. */
  async list(under: string): Promise<ObjectInfo[]> {
    const all: ObjectInfo[] = [];
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    let cursor: string | undefined;
    do {
      const page = await this.objects.list(this.key(under), { limit: 1000, ...(cursor ? { cursor } : {}) });
      for (const item of page.items) all.push({ ...item, key: item.key.slice(strip) });
      cursor = page.cursor;
    } while (cursor);
    return all;
  }

  close(): Promise<void> {
    return this.objects.close();
  }
}
