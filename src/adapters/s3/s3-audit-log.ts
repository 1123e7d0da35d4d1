/**
 * The audit log in an S3 bucket with Object Lock (ADR 0010), as the stream Lambda writes it: each
 * append is one object of JSON lines, `<prefix>entries/<first seq, 12 digits>.jsonl`, its entries
 * chained after the last object's. Object Lock keeps every object (and every version of the head
 * hint) from being overwritten or deleted for its retention; the chain shows one missing anyway.
 *
 * Several shards' invocations append at once: the object is written only if its key is free
 * (`If-None-Match: *`), so two writers cannot both take the same place in the chain; the loser
 * reads the new head and chains after it. The head is found from a hint object and a listing
 * after it, so a writer that died between the two leaves nothing wrong, only a longer listing.
 */
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import {
  canonicalJson,
  chainFacts,
  type AuditEntry,
  type AuditFact,
  type AuditLog,
  type AuditQuery,
} from '../../ports/audit-log.ts';

export interface S3AuditLogOptions {
  bucket: string;
  /** Keys start with this (`audit/`). */
  prefix?: string;
  region: string;
  endpoint?: string;
  credentials?: S3ClientConfig['credentials'];
}

interface Head {
  key: string;
  entries: AuditEntry[];
}

const attempts = 8;

export class S3AuditLog implements AuditLog {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(options: S3AuditLogOptions) {
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? 'audit/';
    this.client = new S3Client({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async append(facts: readonly AuditFact[]): Promise<number> {
    for (let attempt = 0; attempt < attempts; attempt++) {
      const head = await this.head();
      // A retried batch most often follows itself: what the last object holds is not appended again.
      const known = new Set(head?.entries.map((entry) => entry.source));
      const fresh = facts.filter((fact) => !known.has(fact.source));
      if (fresh.length === 0) return 0;
      const entries = chainFacts(head?.entries.at(-1), fresh);
      const key = this.entryKey(entries[0]!.seq);
      try {
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Body: entries.map((entry) => `${canonicalJson(entry)}\n`).join(''),
            ContentType: 'application/x-ndjson',
            IfNoneMatch: '*',
          }),
        );
      } catch (error) {
        if (isTaken(error)) continue;
        throw error;
      }
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: this.hintKey(), Body: JSON.stringify({ key }) }),
      );
      return entries.length;
    }
    throw new Error(`the audit log's head moved ${attempts} times while appending; retrying the batch`);
  }

  async *entries(query: AuditQuery = {}): AsyncIterable<AuditEntry> {
    for await (const key of this.keysAfter(undefined))
      for (const entry of await this.read(key)) {
        if (query.userId !== undefined && entry.userId !== query.userId) continue;
        if (query.since !== undefined && entry.at < query.since) continue;
        yield entry;
      }
  }

  close(): Promise<void> {
    this.client.destroy();
    return Promise.resolve();
  }

  private entryKey(seq: number): string {
    return `${this.prefix}entries/${String(seq).padStart(12, '0')}.jsonl`;
  }

  private hintKey(): string {
    return `${this.prefix}head.json`;
  }

  private async head(): Promise<Head | undefined> {
    const hint = await this.text(this.hintKey());
    let last = hint ? (JSON.parse(hint) as { key?: string }).key : undefined;
    for await (const key of this.keysAfter(last)) last = key;
    return last ? { key: last, entries: await this.read(last) } : undefined;
  }

  private async *keysAfter(after: string | undefined): AsyncIterable<string> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: `${this.prefix}entries/`,
          ...(after && !token ? { StartAfter: after } : {}),
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const object of page.Contents ?? []) if (object.Key) yield object.Key;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  private async read(key: string): Promise<AuditEntry[]> {
    const text = (await this.text(key)) ?? '';
    return text
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as AuditEntry);
  }

  private async text(key: string): Promise<string | undefined> {
    try {
      const { Body } = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return await Body?.transformToString('utf8');
    } catch (error) {
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) return undefined;
      throw error;
    }
  }
}

/** Another writer took the key first (S3 answers a conditional write 412, or 409 when they raced). */
function isTaken(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.$metadata.httpStatusCode === 412 || error.$metadata.httpStatusCode === 409)
  );
}
