// Run as a separate process by interrupt.slow.test.ts, so that it can be killed mid-push:
//   tsx push-child.ts LAYOUT_DIR TARGET CHUNK_SIZE
// Prints each client event, then the result, as JSON lines.
import { pushLayout } from '../../../src/oci/index.ts';

const [layout, target, chunkSize] = process.argv.slice(2);
if (!layout || !target) {
  process.stderr.write('usage: push-child.ts LAYOUT_DIR TARGET [CHUNK_SIZE]\n');
  process.exit(2);
}
const result = await pushLayout(layout, target, {
  chunkSize: Number(chunkSize ?? 1 << 20),
  concurrency: 2,
  onEvent: (event) => process.stdout.write(`${JSON.stringify(event)}\n`),
});
process.stdout.write(`${JSON.stringify({ type: 'done', stats: result.stats })}\n`);
