/**
 * The image pipeline on sharp (libvips). The original is decoded, turned
 * upright and reduced once; every variant is cut from that one reduced
 * bitmap, where the design's loop decodes the original again for each size.
 * Output carries no metadata (sharp's default), so EXIF GPS never leaks.
 */
import sharp from 'sharp';
import { PlazaError } from '../../platform/errors.ts';
import type {
  ImageLimits,
  ImageProcessor,
  ImageVariant,
  ProcessedImage,
} from '../../ports/image-processor.ts';

const QUALITY = 80;
/** The medium rendition keeps the photo's aspect ratio, for a post page. */
const MEDIUM = 1080;

export function sharpImageProcessor(): ImageProcessor {
  return {
    async process(original: Buffer, limits: ImageLimits): Promise<ProcessedImage> {
      const input = () =>
        sharp(original, { limitInputPixels: limits.maxPixels, failOn: 'warning', pages: 1 }).timeout({
          seconds: limits.timeoutSeconds,
        });
      let width: number;
      let height: number;
      let base: { data: Buffer; info: sharp.OutputInfo };
      try {
        const metadata = await input().metadata();
        width = metadata.autoOrient?.width ?? metadata.width ?? 0;
        height = metadata.autoOrient?.height ?? metadata.height ?? 0;
        if (!width || !height) throw new Error('no dimensions');
        if (width * height > limits.maxPixels) {
          throw new Error(`${width}×${height} is more than ${limits.maxPixels} pixels`);
        }
        const largest = Math.max(...limits.sizes, MEDIUM);
        base = await input()
          .rotate()
          .resize(largest, largest, { fit: 'outside', withoutEnlargement: true })
          .raw()
          .toBuffer({ resolveWithObject: true });
      } catch (error) {
        throw new PlazaError('UnsupportedMediaType', `Not a readable image: ${(error as Error).message}`);
      }
      const raw = () =>
        sharp(base.data, {
          raw: { width: base.info.width, height: base.info.height, channels: base.info.channels },
        });
      const render = async (
        name: string,
        pipeline: sharp.Sharp,
        format: 'jpeg' | 'webp',
        size?: number,
      ): Promise<ImageVariant> => {
        const encoded =
          format === 'jpeg'
            ? pipeline.flatten({ background: '#ffffff' }).jpeg({ quality: QUALITY, mozjpeg: false })
            : pipeline.webp({ quality: QUALITY });
        const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
        return {
          name,
          ...(size ? { size } : {}),
          contentType: `image/${format}`,
          bytes: data,
          width: info.width,
          height: info.height,
        };
      };
      const square = (size: number) => raw().resize(size, size, { fit: 'cover' });
      // libvips runs these on its own threads; the order of the list stays the sizes' order.
      const variants = await Promise.all([
        ...limits.sizes.map((size) => render(`${size}.jpg`, square(size), 'jpeg', size)),
        ...limits.sizes.map((size) => render(`${size}.webp`, square(size), 'webp', size)),
        render(
          'medium.jpg',
          raw().resize(MEDIUM, MEDIUM, { fit: 'inside', withoutEnlargement: true }),
          'jpeg',
        ),
      ]);
      const smallest = Math.min(...limits.sizes);
      const thumbnail = variants.find((variant) => variant.name === `${smallest}.jpg`);
      if (thumbnail) variants.push({ ...thumbnail, name: 'thumbnail.jpg' });
      return { width, height, variants };
    },
  };
}
