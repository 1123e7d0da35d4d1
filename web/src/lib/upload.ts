/**
 * Uploading photos and videos: ask the API for a presigned URL (createUploadUrl),
 * PUT the file there with progress, and keep each file's state in a reducer the
 * screens render (preview, progress bar, error).
 */
import { gql } from '../api/client.ts';
import { createUploadUrlMutation } from '../api/documents.ts';
import type { Media, Upload, UploadPurpose } from '../api/types.ts';
import { storageConfigured, storageIdentityId, uploadToStorage } from './storage.ts';

export type UploadStatus = 'uploading' | 'uploaded' | 'failed';

export interface UploadItem {
  id: string;
  name: string;
  contentType: string;
  size: number;
  /** An object URL of the file itself, shown before anything reaches the server. */
  previewUrl: string;
  status: UploadStatus;
  /** Bytes sent so far. */
  sent: number;
  key?: string;
  error?: unknown;
}

export type UploadAction =
  | { type: 'added'; items: UploadItem[] }
  | { type: 'progress'; id: string; sent: number }
  | { type: 'uploaded'; id: string; key: string }
  | { type: 'failed'; id: string; error: unknown }
  | { type: 'removed'; id: string }
  | { type: 'cleared' };

export function uploadsReducer(items: UploadItem[], action: UploadAction): UploadItem[] {
  const change = (id: string, update: Partial<UploadItem>) =>
    items.map((item) => (item.id === id ? { ...item, ...update } : item));
  switch (action.type) {
    case 'added':
      return [...items, ...action.items];
    case 'progress':
      return change(action.id, {
        sent: Math.min(action.sent, items.find((i) => i.id === action.id)?.size ?? 0),
      });
    case 'uploaded':
      return change(action.id, {
        status: 'uploaded',
        key: action.key,
        sent: items.find((i) => i.id === action.id)?.size ?? 0,
      });
    case 'failed':
      return change(action.id, { status: 'failed', error: action.error });
    case 'removed':
      return items.filter((item) => item.id !== action.id);
    case 'cleared':
      return [];
  }
}

export interface UploadSummary {
  /** Every file is on the server (and there is at least one). */
  complete: boolean;
  uploading: boolean;
  failed: number;
  /** Share of all bytes sent, 0 to 1. */
  progress: number;
}

export function summarize(items: UploadItem[]): UploadSummary {
  const total = items.reduce((sum, item) => sum + item.size, 0);
  const sent = items.reduce((sum, item) => sum + item.sent, 0);
  return {
    complete: items.length > 0 && items.every((item) => item.status === 'uploaded'),
    uploading: items.some((item) => item.status === 'uploading'),
    failed: items.filter((item) => item.status === 'failed').length,
    progress: total === 0 ? 0 : sent / total,
  };
}

/** The server's defaults (media.imageMaxMegabytes, videoMaxMegabytes): a file it would refuse is refused before it is sent. */
export const limits = { imageBytes: 20 * 1024 * 1024, videoBytes: 100 * 1024 * 1024 };

/** The video types the server takes (a clip's length is checked there, after the upload). */
export const videoTypes = ['video/mp4', 'video/quicktime', 'video/webm'];

/** Why a file cannot be uploaded for this purpose, in words for the person who chose it; undefined if it can. */
export function refusal(
  file: { name: string; type: string; size: number },
  purpose: UploadPurpose,
): string | undefined {
  const video = videoTypes.includes(file.type);
  const image = file.type.startsWith('image/');
  if (!image && !(video && purpose !== 'AVATAR'))
    return `${file.name} is not a ${purpose === 'AVATAR' ? 'photo' : 'photo or video'}.`;
  const max = video ? limits.videoBytes : limits.imageBytes;
  if (file.size > max) return `${file.name} is larger than ${Math.round(max / 1024 / 1024)} MB.`;
  if (file.size === 0) return `${file.name} is empty.`;
  return undefined;
}

/** The headers the presigned request must carry, whichever way the API spelled them. */
export function headersOf(headers: unknown): Record<string, string> {
  let value = headers;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return {};
    }
  }
  if (Array.isArray(value)) {
    return Object.fromEntries(
      value
        .filter((h): h is { name: string; value: string } => typeof h?.name === 'string')
        .map((h) => [h.name, String(h.value)]),
    );
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([name, v]) => [name, String(v)]));
  }
  return {};
}

/** Sends the file to the presigned URL, reporting bytes sent; XMLHttpRequest because fetch reports no upload progress. */
export function putFile(
  upload: Upload,
  file: Blob,
  onProgress: (sent: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(upload.method || 'PUT', upload.url);
    for (const [name, value] of Object.entries(headersOf(upload.headers))) {
      // The browser sets these itself and refuses them from scripts.
      if (!/^(host|content-length)$/i.test(name)) request.setRequestHeader(name, value);
    }
    request.upload.onprogress = (event) => onProgress(event.loaded);
    request.onload = () =>
      request.status >= 200 && request.status < 300
        ? resolve()
        : reject(new Error(`The upload was refused (${request.status}). Try again.`));
    request.onerror = () => reject(Object.assign(new Error('The upload failed'), { name: 'NetworkError' }));
    request.onabort = () =>
      reject(Object.assign(new Error('The upload was cancelled'), { name: 'AbortError' }));
    signal?.addEventListener('abort', () => request.abort());
    request.send(file);
  });
}

/** Reserves the upload and sends the file; resolves to the object's key for createPost, createStory or updateProfile. */
export async function uploadFile(
  file: File,
  purpose: UploadPurpose,
  onProgress: (sent: number) => void,
  signal?: AbortSignal,
): Promise<string> {
  // Posts' and stories' media go through Amplify Storage where the bucket's S3 API is served; an
  // avatar's key names no media id, so it always takes the presigned PUT.
  const viaStorage = purpose !== 'AVATAR' && storageConfigured();
  const identityId = viaStorage ? await storageIdentityId() : undefined;
  const { createUploadUrl } = await gql<{ createUploadUrl: Upload }>(createUploadUrlMutation, {
    input: {
      purpose,
      contentType: file.type,
      contentLength: file.size,
      ...(identityId ? { identityId } : {}),
    },
  });
  if (viaStorage) await uploadToStorage(createUploadUrl.key, file, onProgress, signal);
  else await putFile(createUploadUrl, file, onProgress, signal);
  return createUploadUrl.key;
}

/** Where processing stands for a set of media: done once none is PENDING. */
export function processing(media: Media[]): 'processing' | 'ready' | 'failed' {
  if (media.some((item) => item.status === 'PENDING')) return 'processing';
  return media.some((item) => item.status === 'FAILED') ? 'failed' : 'ready';
}

let counter = 0;
export function newUploadItem(file: File): UploadItem {
  counter += 1;
  return {
    id: `upload-${Date.now().toString(36)}-${counter}`,
    name: file.name,
    contentType: file.type,
    size: file.size,
    previewUrl: URL.createObjectURL(file),
    status: 'uploading',
    sent: 0,
  };
}
