import { type Command, Option } from 'commander';
import { imagesOption, lazy } from '../options.ts';

export function register(program: Command): void {
  program
    .command('check')
    .description('check that every shared library the package in DIR needs is found in it or in the base image')
    .argument('<dir>', 'staged package tree (DIR/pgsql/... or an image-volume tree)')
    .option('--platform <name>', 'platform, e.g. pg17-gnulinux-amd64; its base inventory comes from the cache')
    .option('--inventory <file>', 'a saved base-image inventory')
    .option('--image <ref>', 'base image to capture the inventory from (default: the platform\'s, from the matrix, as --images chooses)')
    .addOption(imagesOption())
    .addOption(new Option('--engine <engine>', 'container engine for --image').choices(['podman', 'docker']).default('podman'))
    .option('--bundle', 'copy what the base lacks into the package and set $ORIGIN run paths')
    .option('--from <rootfs>', 'build environment: where bundled libraries come from (default /), and what explains a miss')
    .option('--name <name>', 'extension name for the /extensions/NAME layout (default: DIR name)')
    .option('--json', 'print the result as JSON')
    .action(lazy(() => import('../run/check.ts')));
}
