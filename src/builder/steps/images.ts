// The images step: the builder and base images of the job's platform, with their identities.
import { UserError } from '../../errors.ts';
import type { Platform } from '../../types.ts';
import type { ImageChoice, JobContext } from '../context.ts';
import { type Engine, type ImageInfo, inspectImage, pull } from '../engine.ts';

export interface ChosenImage {
  ref: string;
  info: ImageInfo;
}

export interface ImagesOutput {
  builder: ChosenImage;
  base: ChosenImage;
}

export function imagesStep(ctx: JobContext): Promise<ImagesOutput> {
  return ctx.steps.run('images', async () => {
    const [builder, base] = await Promise.all([chooseImage(ctx.engine, ctx.platform.builder, ctx.images, ctx.platform), chooseImage(ctx.engine, ctx.platform.base, ctx.images, ctx.platform)]);
    ctx.result.images = { builder: { ref: builder.ref, id: builder.info.id }, base: { ref: base.ref, id: base.info.id } };
    return { builder, base };
  });
}

/** The image to use for a platform, with its identity: the local equivalent when it exists (or
 * is demanded), else the public one, pulled. */
export async function chooseImage(engine: Engine, image: Platform['builder'], choice: ImageChoice, platform: Platform): Promise<ChosenImage> {
  if (choice !== 'public' && image.local) {
    // One inspect answers both whether it is here and what it is.
    const info = await inspectImage(engine, image.local).catch(() => undefined);
    if (info) return { ref: image.local, info };
  }
  if (choice === 'local') {
    throw new UserError(`no local image ${image.local ?? '(none declared)'} for ${platform.name}: build it with scripts/local-images.sh --only ${platform.name}`);
  }
  await pull(engine, image.ref, { platform: `linux/${platform.arch}` });
  return { ref: image.ref, info: await inspectImage(engine, image.ref) };
}
