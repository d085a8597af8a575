// Test fixture: writes numbered lines through a BatchedDestination on stdout, as a service does.
// argv: <lines> [touch-stdout]. Touching process.stdout makes libuv switch the pipe to non-blocking mode,
// so a slow reader yields EAGAIN.
import { BatchedDestination } from '../log-destination.js';

const count = Number(process.argv[2]);
if (process.argv[3] === 'touch-stdout') void process.stdout.writableLength;
const destination = new BatchedDestination(1, { batchSize: 4096, flushIntervalMs: 1_000 });
const padding = 'x'.repeat(100);
for (let i = 0; i < count; i += 1) destination.write(`{"n":${i},"pad":"${padding}"}\n`);
// Whatever is still queued goes out through the exit flush.
process.exit(0);
