// OCI image-spec v1.1 data, as plain types.

export const MEDIA = {
  layout: '1.0.0',
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  /** The artifact type PGXN's proof of concept pushed trunks with (`oras push --artifact-type`). */
  trunkArtifact: 'application/vnd.pgxn.trunk.layer.v1',
} as const;

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

/** A tag as the distribution spec allows it. */
export const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
