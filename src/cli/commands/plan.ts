import { type Command, Option } from 'commander';
import { lazy, matrixOption } from '../options.ts';

export function register(program: Command): void {
  matrixOption(program.command('plan'))
    .description('expand the matrix into jobs, optionally only the changed or stale ones')
    .option('--changed-since <ref>', 'only jobs of entries or platforms changed since this git ref (pull requests)')
    .option('--index <file>', 'only jobs whose build key this published index.json lacks (scheduled rebuilds)')
    .option('--index-registry <host/namespace/name>', 'the same, with the index `publish --index-registry` keeps in that registry repository')
    .option('--extension <name...>', 'only these extensions')
    .option('--pin-images', 'pin each platform\'s builder and base images to the digests their tags name in the registry now (per architecture), so build keys bind the images\' bytes')
    .option('--check-packages', 'with --index: also jobs whose build bundled a package the builder image now has a newer version of (runs each builder image once)')
    .addOption(new Option('--engine <engine>', 'container engine for --check-packages (default: detected)').choices(['podman', 'docker']))
    .option('--json', 'print {"jobs": [...], "shards": [{"include": [...]}]}')
    .action(lazy(() => import('../run/plan.ts')));
}
