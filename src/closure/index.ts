// The closure stage: proves, per artifact, that every shared library a package needs is found by
// the dynamic loader in the package itself or in the base image, with no LD_LIBRARY_PATH; and
// bundles what the base lacks, with $ORIGIN run paths. And the ISA baseline check (isa/): no code
// compiled for more than the oldest CPU the platform promises.
export {
  type ElfInfo,
  type ElfType,
  type ParseOptions,
  type VersionNeed,
  ElfError,
  isElf,
  isElfError,
  isElfFile,
  parseElfBuffer,
  readElf,
  readElfIfElf,
} from './elf/index.ts';
export {
  type CaptureOptions,
  type Inventory,
  type InventoryLibrary,
  type PostgresInstall,
  INVENTORY_FORMAT,
  INVENTORY_VERSION,
  captureImageInventory,
  captureInventory,
  highestGlibc,
  inventoryFromDir,
  inventoryFromLayers,
  inventoryFromTar,
  loadInventory,
  parseInventory,
  saveInventory,
} from './inventory.ts';
export {
  type BundledLibrary,
  type CheckOptions,
  type CheckResult,
  type DataRequirement,
  type FileResult,
  type PlatformInfo,
  type Problem,
  type ProblemKind,
  checkTree,
} from './check.ts';
export {
  type BundleOptions,
  type FetchContext,
  type FetchedLibrary,
  type LibraryFetcher,
  type LibrarySource,
  bundleTree,
  rootfsSource,
} from './bundle.ts';
export { type KnownData, KNOWN_DATA } from './data.ts';
export { type RootView, resolvePath } from './rootfs.ts';
export { formatReport, problemLine } from './report.ts';
export {
  type IsaFinding,
  type IsaTarget,
  EMULATED_CPU,
  checkBuildLog,
  checkObjects,
  describeFindings,
  mergeFindings,
  readMakefiles,
} from './isa/index.ts';
