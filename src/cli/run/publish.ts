import { reportPublish } from '../../github/index.ts';
import { publish, type PublishOptions } from '../../publish/index.ts';
import { UserError } from '../../errors.ts';
import { printTable } from '../options.ts';

/** The options as commander gives them: the times as seconds, in text. */
type PublishFlags = Omit<PublishOptions, 'requestTimeoutMs' | 'deadlineMs' | 'log'> & { requestTimeout?: string; deadline?: string };

/** A positive number of seconds, as milliseconds. */
function seconds(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(n > 0)) throw new UserError(`${flag} ${value}: expected a number of seconds greater than 0`, { exitCode: 2 });
  return Math.round(n * 1000);
}

export async function run(out: string, flags: PublishFlags): Promise<void> {
  const { requestTimeout, deadline, ...opts } = flags;
  const requestTimeoutMs = seconds('--request-timeout', requestTimeout);
  const deadlineMs = seconds('--deadline', deadline);
  // SIGINT or SIGTERM stops the publish at its next registry request, so that it can say which
  // tags it moved rather than die between two of them.
  const stop = new AbortController();
  const onSignal = (name: NodeJS.Signals) => stop.abort(new UserError(`publish stopped by ${name}`, { exitCode: 130 }));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let result;
  try {
    result = await publish(out, { ...opts, ...(requestTimeoutMs ? { requestTimeoutMs } : {}), ...(deadlineMs ? { deadlineMs } : {}), signal: stop.signal });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  await reportPublish(result);
  printTable(
    ['EXTENSION', 'VERSION', 'PLATFORM', 'STATUS', 'OCI'],
    result.entries.map((e) => [e.extension, e.version, e.platform, e.status, e.oci?.ref ?? '-']),
  );
  process.stdout.write(`${result.uploadedBytes} bytes uploaded; index: ${result.index}\n`);
}
