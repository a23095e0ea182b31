// OCI image-spec v1.1 descriptors, manifests and indexes, as plain types.
import type { MEDIA } from './media-types.ts';

export interface OciPlatform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
}

/** An OCI content descriptor: the one definition, shared by the layout writer and the registry client. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  platform?: OciPlatform;
  annotations?: Record<string, string>;
  urls?: string[];
  data?: string;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType: typeof MEDIA.manifest;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType: typeof MEDIA.index;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export const REF_NAME = 'org.opencontainers.image.ref.name';

/** A layer's file name: a trunk layer's is the trunk's, which compose reads back. */
export const TITLE = 'org.opencontainers.image.title';
