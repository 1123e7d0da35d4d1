/**
 * One object whose length is not known when it starts (a report, an export), stored as it is
 * produced so it is never held whole in memory. Readers see no object until it is complete;
 * a failed upload leaves nothing behind.
 */
export interface StreamedUpload {
  upload(
    key: string,
    chunks: AsyncIterable<string | Buffer>,
    options: { contentType: string },
  ): Promise<{ key: string; size: number }>;
}
