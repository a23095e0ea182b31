// The base image's library inventory for the closure check, captured from the real image and
// cached by image id and libc: the same image always gives the same inventory, and a changed
// base (a new digest, a rebuilt local image) is captured anew. `trunkfarm build` and
// `trunkfarm check --platform` share the cache.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { captureImageInventory, type Inventory, loadInventory, saveInventory } from '../closure/index.ts';
import type { Libc } from '../types.ts';
import { type Engine, inspectImage } from './engine.ts';
import { cacheRoot } from '../cache/index.ts';

/** The inventory of `image` for `libc` (an image may hold both: the local musl base is a Debian
 * rootfs with musl beside glibc). `id` spares an inspect when the caller has it. */
export async function imageInventory(engine: Engine, image: string, libc: Libc, id?: string): Promise<Inventory> {
  const imageId = id ?? (await inspectImage(engine, image)).id;
  const file = path.join(cacheRoot(), 'inventory', `${imageId.replace(/^sha256:/, '')}-${libc}.json`);
  try {
    return loadInventory(file);
  } catch {
    const inventory = await captureImageInventory(engine.name, image, { libc });
    await mkdir(path.dirname(file), { recursive: true });
    saveInventory(inventory, file);
    return inventory;
  }
}
