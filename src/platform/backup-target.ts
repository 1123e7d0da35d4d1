/**
 * Where the continuous off-machine copy goes (and `plaza restore --from` reads): a directory, or
 * `s3://bucket/prefix` on S3 or any S3-compatible store. As Litestream's replica URLs do, an
 * S3-compatible endpoint and the bucket's region ride in the query string
 * (`s3://bucket/prefix?endpoint=http://host:9000&region=eu-west-1`), so one value names the copy.
 */
import { resolve } from 'node:path';
import { PlazaError } from './errors.ts';

export type BackupTarget =
  | { kind: 'directory'; path: string; url: string }
  | { kind: 's3'; bucket: string; prefix: string; endpoint: string | undefined; region: string; url: string };

const bucketPattern = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The target a value names; BadInput with what is wrong otherwise. */
export function parseBackupTarget(value: string, cwd: string, defaultRegion: string): BackupTarget {
  const text = value.trim();
  if (text === '')
    throw new PlazaError('BadInput', 'The backup target is empty: give a directory or an s3:// URL');
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text))
    return { kind: 'directory', path: resolve(cwd, text), url: text };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PlazaError('BadInput', `${text} is not a valid URL: give a directory or s3://bucket/prefix`);
  }
  if (url.protocol !== 's3:')
    throw new PlazaError(
      'BadInput',
      `${text}: only directories and s3:// URLs are backup targets (not ${url.protocol.slice(0, -1)}://)`,
    );
  if (!bucketPattern.test(url.hostname))
    throw new PlazaError('BadInput', `${text}: "${url.hostname}" is not an S3 bucket name`);
  // From the text as given: URL would resolve `a/../b` to `b` and hide it.
  const path = (/^s3:\/\/[^/?#]*([^?#]*)/i.exec(text)?.[1] ?? '').replace(/^\/+|\/+$/g, '');
  const prefix = decodeURIComponent(path);
  if (prefix.split('/').some((segment) => segment === '.' || segment === '..'))
    throw new PlazaError('BadInput', `${text}: the prefix may not hold . or .. segments`);
  const endpoint = url.searchParams.get('endpoint') ?? undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^/]+\/?$/.test(endpoint))
    throw new PlazaError('BadInput', `${text}: endpoint must be an http(s)://host[:port] URL`);
  const unknown = [...url.searchParams.keys()].filter((key) => key !== 'endpoint' && key !== 'region');
  if (unknown.length > 0)
    throw new PlazaError('BadInput', `${text}: unknown parameters ${unknown.join(', ')} (endpoint, region)`);
  return {
    kind: 's3',
    bucket: url.hostname,
    prefix,
    endpoint,
    region: url.searchParams.get('region') ?? defaultRegion,
    url: text,
  };
}
