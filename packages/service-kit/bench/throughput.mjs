// Throughput benchmark: GET / of a service built on the kit (logging on, info level, one JSON line per
// request written to a real file as production writes stdout) against a bare node:http server returning
// the same bytes. Same machine, same client (autocannon in this process), each server in its own child
// process, both warmed up, then measured in short back-to-back pairs of rounds (the order alternating). The
// headline ratio is the median over pairs of service / bare within a pair: on a shared or virtual machine
// the speed of the whole host drifts by tens of percent from one second to the next, and a ratio taken
// within a pair cancels that drift where a ratio of separate medians does not.
//
//   pnpm nx run service-kit:bench                    # bench/kit-server.mjs on the built kit
//   BENCH_ENFORCE=1 pnpm nx run service-kit:bench    # also exits 1 when the ratio misses the goal
//   node bench/throughput.mjs ../../apps/hello-server/dist/main.js   # any built app's entry point
//
// Tunables: BENCH_ROUNDS (15), BENCH_SECONDS per round and server (1), BENCH_CONNECTIONS (50).
import { fork, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const GOAL = 0.9;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const KIT_DIR = fileURLToPath(new URL('..', import.meta.url));
/** Entry point of the service under test, resolved against the working directory. */
const ENTRY = resolve(process.argv[2] ?? join(KIT_DIR, 'bench/kit-server.mjs'));

const workDir = mkdtempSync(join(tmpdir(), 'service-kit-bench-'));
const logFile = join(workDir, 'service.log');
const children = [];

async function startService() {
  const out = openSync(logFile, 'w');
  const child = spawn(process.execPath, [ENTRY], {
    cwd: dirname(ENTRY),
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', DRAIN_DELAY_MS: '0' },
    stdio: ['ignore', out, 'inherit'],
  });
  closeSync(out);
  children.push(child);
  for (let waited = 0; waited < 10_000; waited += 20) {
    const first = readFileSync(logFile, 'utf8').split('\n', 1)[0];
    if (first) return { port: JSON.parse(first).port, pid: child.pid };
    if (child.exitCode !== null) break;
    await sleep(20);
  }
  throw new Error(`${ENTRY} did not start (is dist/ built?); log: ${readFileSync(logFile, 'utf8')}`);
}

async function startBareServer(body) {
  const child = fork(join(KIT_DIR, 'bench/bare-server.mjs'), [], { env: { BODY: body }, stdio: 'inherit' });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve({ port: message.port, pid: child.pid }));
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
  });
}

/**
 * CPU time (user + system, ms) a server process has used so far, from /proc on Linux, else undefined. Unlike
 * req/s it barely moves when other work shares the machine, so it backs the ratio on a busy host.
 */
function cpuMs(pid) {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return undefined;
  const fields = readFileSync(stat, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of stat(5), in clock ticks (USER_HZ, 100 on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function run(server, seconds) {
  const { port, pid } = server;
  const before = cpuMs(pid);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/`,
    connections: CONNECTIONS,
    duration: seconds,
  });
  const after = cpuMs(pid);
  if (result.errors > 0 || result.non2xx > 0 || result.timeouts > 0) {
    throw new Error(
      `port ${port}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`,
    );
  }
  const cpuUs = before === undefined ? NaN : ((after - before) * 1000) / result.requests.total;
  return { rps: result.requests.average, p99: result.latency.p99, total: result.requests.total, cpuUs };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

try {
  const service = await startService();
  const body = await (await fetch(`http://127.0.0.1:${service.port}/`)).text();
  const bare = await startBareServer(body);
  const servers = [
    { name: 'bare node:http', ...bare, rounds: [] },
    { name: 'service (logging on)', ...service, rounds: [] },
  ];

  console.log(
    `warm-up: 1 s per server; then ${ROUNDS} alternating rounds of ${SECONDS} s, ${CONNECTIONS} connections`,
  );
  for (const server of servers) await run(server, 1);
  for (let round = 0; round < ROUNDS; round += 1) {
    // Alternate which server goes first so neither always runs on a warmer or cooler machine.
    const order = round % 2 === 0 ? servers : [...servers].reverse();
    for (const server of order) server.rounds.push(await run(server, SECONDS));
  }

  const rows = servers.map((server) => ({
    server: server.name,
    'req/s (median)': Math.round(median(server.rounds.map((r) => r.rps))),
    'p99 ms (median)': median(server.rounds.map((r) => r.p99)),
    'req/s min–max': `${Math.round(Math.min(...server.rounds.map((r) => r.rps)))}–${Math.round(Math.max(...server.rounds.map((r) => r.rps)))}`,
    'CPU µs/req (median)': Number(median(server.rounds.map((r) => r.cpuUs)).toFixed(1)),
    requests: server.rounds.reduce((sum, r) => sum + r.total, 0),
  }));
  console.table(rows);

  const [bareServer, serviceServer] = servers;
  const pairRatios = serviceServer.rounds.map((r, i) => r.rps / bareServer.rounds[i].rps);
  const ratio = median(pairRatios);
  const cpuRatio = median(serviceServer.rounds.map((r, i) => bareServer.rounds[i].cpuUs / r.cpuUs));
  const logged = readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"request completed"')).length;
  console.log(`${ENTRY}: logged ${logged} requests (one JSON line each) to a file during the run`);
  console.log(`pair ratios service / bare: ${pairRatios.map((r) => r.toFixed(3)).join(' ')}`);
  console.log(`ratio service / bare = ${ratio.toFixed(3)} (median over pairs; goal >= ${GOAL})`);
  console.log(
    `CPU-cost ratio bare / service = ${cpuRatio.toFixed(3)} (median over pairs; throughput a CPU-bound server can reach)`,
  );
  if (ratio < GOAL) {
    console.log(
      `goal missed${process.env.BENCH_ENFORCE === '1' ? '' : ' (not enforced; set BENCH_ENFORCE=1)'}`,
    );
    if (process.env.BENCH_ENFORCE === '1') process.exitCode = 1;
  } else {
    console.log('goal met');
  }
} finally {
  for (const child of children) child.kill('SIGTERM');
  await sleep(100);
  rmSync(workDir, { recursive: true, force: true });
}
