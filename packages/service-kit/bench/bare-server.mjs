// Baseline for the throughput benchmark: the least a node:http server can do to put the same bytes on the
// wire as a kit service's GET / (same body, same headers, a request id of the same length). Run by
// throughput.mjs with BODY set; reports its port over IPC.
import { createServer } from 'node:http';

const body = Buffer.from(process.env.BODY ?? '{}');
const headers = [
  'content-type',
  'application/json; charset=utf-8',
  'content-length',
  String(body.length),
  'cache-control',
  'no-store',
  'x-content-type-options',
  'nosniff',
  'x-request-id',
  '0'.repeat(32),
];

const server = createServer((_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('SIGTERM', () => process.exit(0));
