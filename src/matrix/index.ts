export type { Diagnostic } from './diagnostics.ts';
export { formatDiagnostic } from './diagnostics.ts';
export { displayPath, expandPlatforms, loadMatrix, loadValidMatrix, parseYaml } from './load.ts';
export type { LoadedEntry, Matrix } from './loaded.ts';
export { patchPath, type PatchFile } from './patches.ts';
export { entryPlatforms, PRELOAD_SETTINGS } from './rules.ts';
export { extensionEntry, platformsFile, type ExtensionEntry, type PlatformsFile } from './schema.ts';
