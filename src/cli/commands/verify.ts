import type { Command } from 'commander';
import { lazy } from '../options.ts';

export function register(program: Command): void {
  program
    .command('verify')
    .description('check an artifact or an image: its signature, its provenance and, for trunk files and images, every file or blob inside')
    .argument('<artifact>', 'the artifact file, or an image: oci:DIR:TAG (an OCI layout) or docker://HOST/REPO:TAG (a registry)')
    .option('--bundle <file>', 'Sigstore bundle (default ARTIFACT.sigstore.json; for an image, the bundles attached to it)')
    .option('--key <file>', 'public key (PEM) the artifact must be signed with')
    .option('--repo <owner/repo>', 'keyless: the GitHub repository whose workflow must have signed it')
    .option('--workflow <path>', 'keyless: the workflow file that must have signed it (.github/workflows/NAME.yml)')
    .option('--trusted-root <file>', 'keyless: Sigstore trusted root(s), e.g. from `gh attestation trusted-root`')
    .option('--server-url <url>', 'keyless: GitHub server (default https://github.com)')
    .option('--source-digest <hex>', 'the source archive sha256 (or git commit) the provenance must name')
    .option('--builder-id <uri>', 'the builder id the provenance must name')
    .option('--json', 'print JSON')
    .action(lazy(() => import('../run/verify.ts')));
}
