import type { Command } from 'commander';
import { lazy } from '../options.ts';

export function register(program: Command): void {
  program
    .command('publish')
    .argument('<out>', 'output directory of `trunkfarm build`')
    .description('sign and publish every built job: OCI registry (or a local OCI layout), GitHub Releases, then index.json')
    .option('--registry <host/namespace>', 'push each extension to HOST/NAMESPACE/NAME')
    .option('--oci-layout <dir>', 'write OCI layouts, one per extension, under this directory (default without --registry: OUT/oci)')
    .option('--github-release <owner/repo>', 'attach trunks and signatures to a release per extension version')
    .option('--replace', 'replace release assets whose bytes differ')
    .option('--key <file>', 'signing key (default: keyless inside GitHub Actions)')
    .option('--unsigned', 'publish without signatures')
    .option('--index <file>', 'index.json to update (default OUT/index.json)')
    .option('--index-branch <branch>', 'update index.json on this branch of the repository instead (e.g. gh-pages)')
    .option('--index-registry [host/namespace/name]', 'keep index.json in this registry repository instead (default with --registry: REGISTRY/trunkfarm-index)')
    .option('--request-timeout <seconds>', 'abandon (and retry) a registry request that makes no progress for this long', '60')
    .option('--deadline <seconds>', 'stop the whole publish after this long, saying which tags moved')
    .action(lazy(() => import('../run/publish.ts')));
}
