// The compose stage: PostgreSQL images assembled from a base image's layers plus one layer per
// extension, written to a registry or a layout (`trunkfarm compose`) or composed on request by a
// read-only registry front (`trunkfarm serve`).
export { type BaseFacts, type BaseImage, resolveBase } from './base.ts';
export { type Composition, type ComposedImage, type ComposeOptions, compose, composeOnto, defaultCacheDir } from './compose.ts';
export { ComposeRefusal, type ExtensionLayer, extensionLayer } from './layer.ts';
export { compositionSource, pushComposition, writeCompositionLayout } from './output.ts';
export { type ImageRepository, layoutRepository, openRepository, parseImageRef, registryRepository } from './repository.ts';
export { type ExtensionRequest, extensionRepository, fetchTrunk, findTrunk, parseExtensionSpec, trunkOfTag } from './trunks.ts';
