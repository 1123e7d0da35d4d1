/**
 * The video pipeline's services on AWS: the media services with ffmpeg for the clips and sharp
 * for their posters. Its Lambda is a container image that carries ffmpeg (infra/video-pipeline).
 */
import { ffmpegVideoProcessor } from '../adapters/ffmpeg/ffmpeg-video-processor.ts';
import { sharpImageProcessor } from '../adapters/sharp/sharp-image-processor.ts';
import type { MediaServices } from '../domain/media/model.ts';
import { lambdaMediaServices, type LambdaApp } from './lambda.ts';

export function lambdaVideoPipeline(app: LambdaApp): MediaServices {
  return { ...lambdaMediaServices(app, sharpImageProcessor()), videos: ffmpegVideoProcessor() };
}
