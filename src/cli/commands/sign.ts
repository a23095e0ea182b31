import { type Command, Option } from 'commander';
import { lazy } from '../options.ts';

export function register(program: Command): void {
  program
    .command('sign')
    .description('sign a built artifact with SLSA provenance: writes ARTIFACT.sigstore.json')
    .argument('<artifact>', 'trunk file or other artifact built earlier')
    .option('--key <file>', 'private key (PEM) from `trunkfarm keygen`; without it, keyless in GitHub Actions')
    .option('--provenance-from <file>', 'provenance inputs left by the build (default ARTIFACT.provenance-input.json)')
    .addOption(new Option('--sigstore <instance>', 'keyless: Sigstore instance (default: public-good for public repositories)').choices(['public-good', 'github']))
    .option('--no-store', 'keyless: do not store the attestation in GitHub')
    .option('--json', 'print JSON')
    .action(lazy(() => import('../run/sign.ts')));
}
