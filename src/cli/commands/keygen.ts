import { type Command, Option } from 'commander';
import { generateKeyFiles, KEY_TYPES, PASSPHRASE_ENV, type KeyType } from '../../sign/index.ts';

export function register(program: Command): void {
  program
    .command('keygen')
    .description('create a signing key pair: PREFIX.key (private, mode 0600) and PREFIX.pub')
    .requiredOption('--out <prefix>', 'path prefix of the two files')
    .addOption(new Option('--type <type>', 'key type').choices([...KEY_TYPES]).default('ed25519'))
    .option('--json', 'print JSON')
    .action(async (opts: { out: string; type: KeyType; json?: boolean }) => {
      const result = await generateKeyFiles(opts.out, opts.type, process.env[PASSPHRASE_ENV] || undefined);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        `wrote ${result.privatePath} (private${result.encrypted ? `, encrypted with ${PASSPHRASE_ENV}` : ''}: keep it secret) and ${result.publicPath}\n` +
          `${result.type} key id ${result.keyId}\n`,
      );
    });
}
