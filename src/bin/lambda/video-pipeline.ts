/** The video pipeline: S3 object-created events for clips, the same handler as photos' with ffmpeg. */
import type { S3Event } from 'aws-lambda';
import { handleObjectsCreated } from '../../edge/lambda/s3-events.ts';
import { lambdaVideoPipeline } from '../../app/lambda-videos.ts';
import { once, openLambdaApp } from '../../app/lambda.ts';
import { loadConfig } from '../../platform/config.ts';

const ready = once(async () => {
  const app = openLambdaApp(loadConfig());
  return { media: lambdaVideoPipeline(app), logger: app.logger };
});

export async function handler(event: S3Event): Promise<void> {
  const { media, logger } = await ready();
  await handleObjectsCreated(event, media, logger);
}
