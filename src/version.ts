/** trunkfarm's own version, recorded in packages and provenance. */
export const VERSION = '0.1.0';

/** Version of the build recipe: bump it when a change to how jobs are built should make every
 * published artifact stale. It is part of every build key. */
export const RECIPE_VERSION = '1';
