import { generateKeyFiles, PASSPHRASE_ENV, type KeyType } from '../../sign/index.ts';

export async function run(opts: { out: string; type: KeyType; json?: boolean }): Promise<void> {
  const result = await generateKeyFiles(opts.out, opts.type, process.env[PASSPHRASE_ENV] || undefined);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    `wrote ${result.privatePath} (private${result.encrypted ? `, encrypted with ${PASSPHRASE_ENV}` : ''}: keep it secret) and ${result.publicPath}\n` +
      `${result.type} key id ${result.keyId}\n`,
  );
}
