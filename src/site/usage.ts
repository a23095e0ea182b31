// "How to use it": the CloudNativePG stanza, a plain Kubernetes image volume, and the
// `trunkfarm install` lines, as text (the artifact page escapes and shows them). Every value from
// the index is quoted for the language it lands in (YAML, shell, postgresql.conf).
import type { IndexEntry } from '../types.ts';
import { shellQuote, yamlScalar } from './html.ts';

/** Image volumes need extension_control_path, new in PostgreSQL 18. */
export const IMAGE_VOLUME_MIN_PG = 18;

/** The image reference to pull, pinned by digest: `repo@sha256:...`. With a registry given
 * (HOST/NAMESPACE), the repository's last path segment under that namespace instead. */
export function pinnedImage(oci: NonNullable<IndexEntry['oci']>, registry?: string): string {
  const withoutDigest = oci.ref.split('@')[0]!;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const repository = colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
  const name = repository.slice(repository.lastIndexOf('/') + 1);
  return `${registry ? `${registry.replace(/\/+$/, '')}/${name}` : repository}@${oci.digest}`;
}

/** A Kubernetes name (DNS label) for the volume. */
function volumeName(extension: string): string {
  const label = `ext-${extension.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}`.slice(0, 63).replace(/-+$/, '');
  return label;
}

function confString(s: string): string {
  return `'${oneLine(s).replaceAll("'", "''")}'`;
}

/** Control characters would end a comment or a setting early, and start a line of their own. */
function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, '?');
}

/** A SQL identifier, quoted only when it must be (pgvector's control file is plain `vector`). */
function sqlIdentifier(s: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(s) ? s : `"${s.replaceAll('"', '""')}"`;
}

export interface UsageSnippets {
  cnpg?: string;
  imageVolume?: string;
  postgresqlConf?: string;
  install?: string;
  sql?: string;
}

export function usage(entry: IndexEntry, opts: { controls: string[]; preload: string[]; registry?: string }): UsageSnippets {
  const out: UsageSnippets = {};
  const name = entry.extension;
  if (entry.oci && entry.pg >= IMAGE_VOLUME_MIN_PG) {
    const image = pinnedImage(entry.oci, opts.registry);
    const preload = opts.preload.length > 0 ? `\n    shared_preload_libraries:\n${opts.preload.map((m) => `      - ${yamlScalar(m)}`).join('\n')}` : '';
    out.cnpg = `# in your Cluster (PostgreSQL ${entry.pg} image)
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
spec:
  postgresql:${preload}
    extensions:
      - name: ${yamlScalar(name)}
        image:
          reference: ${yamlScalar(image)}`;
    const mount = `/extensions/${oneLine(name)}`;
    out.imageVolume = `# Pod spec: the image mounted read-only at ${mount}
volumes:
  - name: ${volumeName(name)}
    image:
      reference: ${yamlScalar(image)}
      pullPolicy: IfNotPresent
containers:
  - name: postgres
    volumeMounts:
      - name: ${volumeName(name)}
        mountPath: ${yamlScalar(mount)}
        readOnly: true`;
    out.postgresqlConf = `extension_control_path = ${confString(`$system:${mount}/share`)}
dynamic_library_path = ${confString(`$libdir:${mount}/lib`)}${opts.preload.length > 0 ? `\nshared_preload_libraries = ${confString(opts.preload.join(','))}  # needs a restart` : ''}`;
  }
  if (entry.trunk) {
    const file = shellQuote(entry.trunk.file);
    const fetch = entry.trunk.url ? `curl -fL -o ${file} ${shellQuote(entry.trunk.url)}\n` : '';
    out.install = `${fetch}# into the PostgreSQL ${entry.pg} that pg_config names:
trunkfarm install ${file} --pg-config "$(command -v pg_config)"
# or laid out under /extensions/${oneLine(name)} for extension_control_path (PostgreSQL 18+):
trunkfarm install ${file} --extensions-dir /extensions`;
  }
  if (opts.controls.length > 0 && (out.cnpg || out.install)) {
    out.sql = opts.controls.map((c) => `CREATE EXTENSION ${sqlIdentifier(c)};`).join('\n');
  }
  return out;
}
