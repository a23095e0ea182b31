import { type Command, Option } from 'commander';
import { ARCHES, LIBCS } from '../../types.ts';
import { imagesOption, lazy, matrixOption } from '../options.ts';

export function register(program: Command): void {
  matrixOption(program.command('build'))
    .argument('<extension>', 'matrix entry to build')
    .description('build jobs of one extension: source, container build, closure check and bundling, packages, smoke test')
    .option('--version <version>', 'only this version (the entry\'s)')
    .option('--pg <major>', 'only this Postgres major', (v) => Number.parseInt(v, 10))
    .addOption(new Option('--arch <arch>', 'only this architecture').choices(ARCHES))
    .addOption(new Option('--libc <libc>', 'only this libc').choices(LIBCS))
    .option('--out <dir>', 'output directory', 'out')
    .addOption(new Option('--engine <engine>', 'container engine (default: detected)').choices(['podman', 'docker']))
    .addOption(imagesOption())
    .option('--no-test', 'skip the smoke test in the base image')
    .option('--force', 'rebuild even when out/ holds a build of the same key')
    .option('--pin-images', 'pull the builder and base images by the digests their tags name in the registry now (as `plan --pin-images` keys them)')
    .option('--key <file>', 'sign each built trunk with this key (FILE.sigstore.json beside it)')
    .option('--verbose', 'show every line the steps print as it comes (default on a terminal: a line per step, the logs in OUT/JOB/logs/)')
    .action(lazy(() => import('../run/build.ts')));
}
