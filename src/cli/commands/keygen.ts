import { type Command, Option } from 'commander';
// key.ts itself, not sign/index.ts: the choices are needed for --help, sigstore is not.
import { KEY_TYPES } from '../../sign/key.ts';
import { lazy } from '../options.ts';

export function register(program: Command): void {
  program
    .command('keygen')
    .description('create a signing key pair: PREFIX.key (private, mode 0600) and PREFIX.pub')
    .requiredOption('--out <prefix>', 'path prefix of the two files')
    .addOption(new Option('--type <type>', 'key type').choices([...KEY_TYPES]).default('ed25519'))
    .option('--json', 'print JSON')
    .action(lazy(() => import('../run/keygen.ts')));
}
