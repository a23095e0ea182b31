// The packaging stage's public surface: trunk files (PGXN RFC 2), OCI images for PostgreSQL 18
// image volumes, and installing trunks.
export type { BundledLibrary, PackageMeta, PackagePlatform } from './meta.ts';
export { packageMetaSchema, parsePackageMeta } from './meta.ts';
export { pack, type PackResult } from './pack.ts';
export { readStage, TOP_TEXT } from './stage.ts';
export { comparePaths, type TreeEntry } from './tree.ts';
export { writeTarGz } from './archive/tar.ts';

export { compareSemver, formatTrunkName, isSemver, parseTrunkName, trunkFileName, type TrunkName } from './trunk/name.ts';
export { trunkNameOf, writeTrunk, type WrittenTrunk } from './trunk/write.ts';
export { readTrunk, readTrunkMeta, type OpenedTrunk, type ReadTrunkOptions, type TrunkEntry } from './trunk/read.ts';
export { FORMAT_VERSION, trunkJson, type TrunkJson } from './trunk/json.ts';

export { installTrunk, uninstallTrunk, type InstallManifest, type InstallOptions, type InstallReport, type InstallTarget, type UninstallReport } from './install.ts';
export { compatibilityProblems, probeHost, probePgConfig, readElfInfo, type InstallTargetInfo } from './target.ts';
export { mapPaths, pgConfigDestination, rewriteLibdirLiterals, searchPathSettings, volumeDestination, type PgDirs } from './destinations.ts';

export { imageTag, writeExtensionImage, type WrittenImage } from './image.ts';
export { trunkArtifactTag, writeTrunkArtifact } from './artifact.ts';
