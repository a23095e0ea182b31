// The one source of truth for the matrix's shape. The JSON Schemas in schema/ are generated from
// these definitions (scripts/write-schema.ts) and a test keeps them current, so editors validate
// entries with exactly the rules `trunkfarm validate` applies.
//
// Field names follow the PGXN v2 META vocabulary where it has a word for the same thing: `abstract`,
// `license` (SPDX), `contents.extensions`, `contents.modules.NAME.preload`,
// `dependencies.postgres.version`, `dependencies.pipeline`, `dependencies.packages.{build,run}`.
import { z } from 'zod';
import { ARCHES, EXTENSION_NAME, ISA_BASELINES, LIBCS } from '../types.ts';

// Names and package lists end up in container commands and file paths, so they are held to
// patterns that leave no room for shell syntax or path traversal.
const NAME = EXTENSION_NAME;
const DEBIAN_PACKAGE = /^[a-z0-9][a-z0-9+.-]{0,99}(=[A-Za-z0-9.+~:-]{1,64})?$/;
const ALPINE_PACKAGE = /^[a-z0-9][a-z0-9+._-]{0,99}([<>=~]{1,2}[A-Za-z0-9._-]{1,64})?$/;
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;
const SHA256 = /^[0-9a-f]{64}$/;
const COMMIT = /^[0-9a-f]{40}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
// Build arguments are passed as separate argv entries (never through a shell), but they must not
// smuggle a newline or NUL into logs and metadata either.
const ARG = /^[^\n\r\0]{1,1024}$/;
// A server setting's name as postgresql.conf takes it: a core parameter, or a module's own
// (`prefix.name`). PostgreSQL refuses to start on an unknown core name, which the smoke test shows.
const GUC_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_$]{0,62})?$/;
const PATCH_FILE = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,99}\.(patch|diff)$/;

const name = (what: string) =>
  z.string().regex(NAME, `${what} must be lowercase letters, digits, "_" or "-", starting with a letter`);

const httpsUrl = z
  .string()
  .url('must be a URL')
  .refine((u) => /^https:\/\//.test(u), 'must be an https:// URL (plain http can be altered on the way)');

const packageList = (pattern: RegExp, family: string) =>
  z
    .array(z.string().regex(pattern, `must be a plain ${family} package name (optionally with a version)`))
    .describe(`${family} package names`);

const packagesByFamily = z
  .strictObject({
    debian: packageList(DEBIAN_PACKAGE, 'Debian').optional(),
    alpine: packageList(ALPINE_PACKAGE, 'Alpine').optional(),
  })
  .describe('Package names per distribution family');

const patches = z
  .array(
    z.strictObject({
      file: z
        .string()
        .regex(PATCH_FILE, 'must be a file name ending in .patch or .diff, without a folder')
        .describe('Patch file in matrix/patches/NAME/ (NAME: the entry\'s name), applied with patch -p1'),
      reason: z.string().regex(/^[^\n\r\0]{1,200}$/, 'must be one line of at most 200 characters').describe('One line saying why the patch is needed'),
    }),
  )
  .optional()
  .describe('Patches applied to the source in this order before the build; their contents are part of the build key');

const archiveSource = z
  .strictObject({
    url: httpsUrl.optional().describe('Archive URL'),
    sha256: z.string().regex(SHA256, 'must be 64 lowercase hex digits').describe('sha256 of the archive'),
    debian: z
      .strictObject({
        package: z.string().regex(/^[a-z0-9][a-z0-9+.-]{1,99}$/, 'must be a Debian source package name'),
        orig: z
          .string()
          .regex(/^[a-z0-9][a-z0-9+.~_-]*\.orig\.tar\.(gz|xz|bz2)$/, 'must be an .orig.tar.{gz,xz,bz2} file name'),
      })
      .optional()
      .describe(
        "A Debian source package's upstream tarball, fetched from the machine's configured Debian mirror: the source itself when there is no url, else a mirror of the same bytes tried when the url cannot be reached",
      ),
    upstream: httpsUrl.optional().describe('Upstream release, when the archive is a repack with other bytes'),
    note: z.string().optional().describe('Where the bytes come from, when that needs saying'),
    patches,
  })
  .refine((s) => s.url !== undefined || s.debian !== undefined, 'an archive needs "url" or "debian"')
  .describe('A release archive, pinned by checksum');

const gitSource = z
  .strictObject({
    git: httpsUrl.describe('Repository URL'),
    commit: z.string().regex(COMMIT, 'must be a full 40-hex-digit commit id').describe('Full commit id'),
    patches,
  })
  .describe('A git repository at a full commit');

const localSource = z
  .strictObject({
    path: z
      .string()
      .regex(/^(\.|[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*)$/, 'must be "." or a relative path inside the repository, without ".."')
      .describe('Path relative to the repository holding the matrix ("." for the repository itself)'),
    // The build patches its copy of the folder, never the repository: a vendored upstream kept in
    // the repository is patched the way a fetched one is.
    patches,
  })
  .describe('Sources in this repository: for use from an extension\'s own repository');

const PIPELINES = ['pgxs', 'cmake', 'meson', 'autoconf', 'pgrx', 'script'] as const;

export const extensionEntry = z
  .strictObject({
    name: name('name').describe('Package name: the trunk file and image are named after it'),
    version: z.string().regex(SEMVER, 'must be a SemVer version such as 1.2.3').describe('Version (SemVer)'),
    abstract: z.string().min(1).max(200).describe('One line saying what it is'),
    description: z.string().optional(),
    license: z
      .string()
      .regex(/^[A-Za-z0-9.+-]+( (AND|OR|WITH) [A-Za-z0-9.+-]+)*$/, 'must be an SPDX license expression')
      .describe('SPDX license expression'),
    homepage: httpsUrl,
    maintainers: z.array(z.string()).optional(),
    language: z.enum(['c', 'cpp', 'sql', 'rust']).default('c').describe('"sql" packages are platform-independent: one "any" package per Postgres major'),
    source: z.union([archiveSource, gitSource, localSource]),
    contents: z
      .strictObject({
        extensions: z
          .array(name('extension name'))
          .describe('Control file names (CREATE EXTENSION names); empty for a module-only package (an output plugin, a hook module), which lists its modules instead'),
        modules: z
          .record(
            name('module name'),
            z.strictObject({
              preload: z
                .enum(['server', 'session'])
                .optional()
                .describe('"server": must be in shared_preload_libraries; "session": loaded through session_preload_libraries (hook modules); the smoke test sets them so'),
            }),
          )
          .optional()
          .describe('Loadable libraries'),
        license_files: z
          .array(z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/, 'must be a relative path inside the source, without ".."'))
          .optional()
          .describe('Source files holding the license text, when the source has no LICENSE or COPYING file'),
      })
      .describe('What the package provides'),
    dependencies: z
      .strictObject({
        postgres: z
          .strictObject({
            version: z
              .string()
              .regex(/^\s*(\*|[<>=!]{0,2}\s*\d+(\.\d+)?)(\s*,\s*[<>=!]{0,2}\s*\d+(\.\d+)?)*\s*$/, 'must be a version range such as ">= 14, < 19"')
              .describe('Supported Postgres versions, e.g. ">= 14, < 19"'),
          })
          .optional(),
        pipeline: z.enum(PIPELINES).describe('How it is built'),
        packages: z
          .strictObject({
            build: packagesByFamily.optional().describe('Needed to build'),
            run: packagesByFamily.optional().describe('Shared libraries needed at run time'),
          })
          .optional(),
        extensions: z.array(name('extension name')).optional().describe('Other extensions it requires'),
      })
      .describe('What it needs'),
    build: z
      .strictObject({
        configure: z.array(z.string().regex(ARG, 'must be one line')).optional().describe('Extra configure / cmake / meson arguments; {pg_config}, {pg_config --DIR} and {pg} stand for the builder\'s pg_config, its answer, and the Postgres major'),
        make: z.array(z.string().regex(ARG, 'must be one line')).optional().describe('Extra make arguments, e.g. OPTFLAGS='),
        env: z.record(z.string().regex(ENV_NAME, 'must be an environment variable name'), z.string().regex(ARG, 'must be one line')).optional(),
        script: z.string().optional().describe('Shell script for pipeline "script": builds and installs into $DESTDIR'),
        dispatch_files: z
          .array(z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/, 'must be a relative path inside the source, without ".."'))
          .optional()
          .describe('Source files compiled with instruction-set flags above the platform\'s baseline (-mavx2, ...) whose code runs only after a run-time CPU feature check: the ISA check allows those flags for them (never -march=native)'),
      })
      .optional(),
    platforms: z
      .strictObject({
        exclude: z
          .array(
            z.strictObject({
              pg: z.number().int().optional(),
              arch: z.enum(ARCHES).optional(),
              libc: z.enum(LIBCS).optional(),
              reason: z.string().optional(),
            }),
          )
          .optional()
          .describe('Platform cells not to build'),
      })
      .optional(),
    test: z
      .strictObject({
        sql: z.string().optional().describe('Smoke test run after CREATE EXTENSION of each contents.extensions (none for a module-only package); must succeed and should exercise what the package is for'),
        installcheck: z.boolean().optional().describe('Also run the regression suite'),
        settings: z
          .record(
            z.string().regex(GUC_NAME, 'must be a server setting name, such as wal_level or cron.database_name'),
            z.union([z.string().regex(/^[^\n\r\0]{0,1024}$/, 'must be one line'), z.number(), z.boolean()]),
          )
          .optional()
          .describe('Server settings for the smoke test\'s PostgreSQL, one line each (e.g. wal_level: logical); shared_preload_libraries and session_preload_libraries add to the modules\' preloads'),
      })
      .optional(),
  })
  .describe('A PostgreSQL extension built by trunkfarm');

export type ExtensionEntry = z.infer<typeof extensionEntry>;

const imageRef = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._:/-]*(@sha256:[0-9a-f]{64})?$/, 'must be an image reference, optionally pinned @sha256:...');

const imageTemplate = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._:/{}-]*$/, 'must be an image reference, where "{platform}" stands for the platform name');

const imagePair = z.strictObject({
  builder: imageRef.describe('Image the extension is compiled in'),
  base: imageRef.describe('Image the artifact runs on; its libraries count as provided'),
});

/** GitHub-hosted Linux runners by architecture: a label no runner has leaves a job queued until it
 * times out. Other runners (larger, self-hosted, or amd64 only in a private repository) are picked
 * per run, by the reusable workflow's runner-amd64 and runner-arm64 inputs. */
const RUNNER_LABELS = {
  amd64: ['ubuntu-24.04', 'ubuntu-22.04', 'ubuntu-latest'],
  arm64: ['ubuntu-24.04-arm', 'ubuntu-22.04-arm'],
} as const satisfies Record<(typeof ARCHES)[number], readonly string[]>;

const arch = (name: (typeof ARCHES)[number]) =>
  z.strictObject({
    runner: z.enum(RUNNER_LABELS[name]).describe(`GitHub-hosted runner label for ${name}`),
    isa: z
      .enum(ISA_BASELINES[name])
      .describe(`Instruction-set baseline: the oldest CPU its packages must run on (${ISA_BASELINES[name][0]} for all ${name} CPUs); code compiled for more (-march=native, -mavx2, ...) fails the build`),
  });

export const platformsFile = z
  .strictObject({
    postgres: z.array(z.number().int().min(10).max(99)).min(1).describe('Postgres majors'),
    arches: z
      .strictObject({ amd64: arch('amd64').optional(), arm64: arch('arm64').optional() } satisfies Record<(typeof ARCHES)[number], unknown>)
      .describe('Architectures, their GitHub runners and instruction-set baselines'),
    libcs: z
      .partialRecord(
        z.enum(LIBCS),
        z.strictObject({
          distro: z.enum(['debian', 'alpine']).describe('Family whose package names the entries give'),
          images: z.record(z.string().regex(/^\d+$/, 'must be a Postgres major'), imagePair).describe('Public images per Postgres major'),
          local: z
            .strictObject({
              builder: imageTemplate.describe('Local builder image tag'),
              base: imageTemplate.describe('Local base image tag'),
            })
            .optional()
            .describe('Tags of the equivalent images that scripts/local-images.sh builds; "{platform}" is replaced'),
        }),
      )
      .describe('libc flavours'),
    default: z
      .strictObject({ arch: z.enum(ARCHES), libc: z.enum(LIBCS) })
      .describe('Where platform-independent (SQL-only) packages are built'),
  })
  .describe('The platform axes of the trunkfarm matrix');

export type PlatformsFile = z.infer<typeof platformsFile>;
