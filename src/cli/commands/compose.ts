import { type Command, Option } from 'commander';
import { lazy } from '../options.ts';

export function register(program: Command): void {
  program
    .command('compose')
    .description('write a PostgreSQL image made of a base image plus one layer per extension, with no rebuild')
    .requiredOption('--base <ref>', 'base image: HOST/REPO:TAG, HOST/REPO@DIGEST or oci:DIR:TAG')
    .option('--ext <name[@version]>', 'an extension to add (repeat); the newest build for the base when no version is given', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--to <ref>', 'push the image to HOST/REPO:TAG')
    .option('--oci-layout <dir>', 'write the image into an OCI layout directory instead')
    .option('--tag <tag>', 'tag in the --oci-layout directory (default: the base tag and extension names)')
    .option('--extensions <where>', 'where `trunkfarm publish` put the extensions: HOST/NAMESPACE or oci:DIR', 'oci:out/oci')
    .addOption(new Option('--arch <arch>', 'only this architecture of a multi-platform base').choices(['amd64', 'arm64']))
    .option('--json', 'print the result as JSON')
    .action(lazy(() => import('../run/compose.ts')));
}
