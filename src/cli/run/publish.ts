import { reportPublish } from '../../github/index.ts';
import { publish } from '../../publish/index.ts';
import { printTable } from '../options.ts';

export async function run(out: string, opts: { registry?: string; ociLayout?: string; githubRelease?: string; replace?: boolean; key?: string; unsigned?: boolean; index?: string; indexBranch?: string; indexRegistry?: string | boolean }): Promise<void> {
  const result = await publish(out, opts);
  await reportPublish(result);
  printTable(
    ['EXTENSION', 'VERSION', 'PLATFORM', 'STATUS', 'OCI'],
    result.entries.map((e) => [e.extension, e.version, e.platform, e.status, e.oci?.ref ?? '-']),
  );
  process.stdout.write(`${result.uploadedBytes} bytes uploaded; index: ${result.index}\n`);
}
