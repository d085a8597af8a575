import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatchedDestination } from './log-destination.js';

const KIT_DIR = fileURLToPath(new URL('..', import.meta.url));
const dirs: string[] = [];
const fds: number[] = [];

function tempFile(): { path: string; fd: number } {
  const dir = mkdtempSync(join(tmpdir(), 'batched-destination-'));
  dirs.push(dir);
  const path = join(dir, 'log');
  const fd = openSync(path, 'w');
  fds.push(fd);
  return { path, fd };
}

afterEach(() => {
  for (const fd of fds.splice(0)) closeSync(fd);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs the fixture and collects its stdout, optionally reading nothing for a while first. */
function runFixture(args: string[], readDelayMs: number, closeReader = false) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/test/write-logs.ts', ...args], {
    cwd: KIT_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  if (closeReader) child.stdout.destroy();
  else {
    child.stdout.pause();
    setTimeout(() => child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk)).resume(), readDelayMs);
  }
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(chunks).toString('utf8'), stderr })),
  );
}

// The pipe tests start a process through tsx, which takes seconds on a busy machine.
describe('BatchedDestination', { timeout: 20_000 }, () => {
  it('holds lines until a batch is full, then writes them all in order', () => {
    const { path, fd } = tempFile();
    const destination = new BatchedDestination(fd, { batchSize: 100, flushIntervalMs: 60_000 });
    destination.write('{"a":1}\n');
    destination.write('{"b":2}\n');
    expect(readFileSync(path, 'utf8')).toBe('');
    destination.write(`{"c":"${'z'.repeat(90)}"}\n`);
    expect(readFileSync(path, 'utf8')).toBe(`{"a":1}\n{"b":2}\n{"c":"${'z'.repeat(90)}"}\n`);
  });

  it('writes a partial batch on its timer, and on flush(cb) before calling back', async () => {
    const { path, fd } = tempFile();
    const destination = new BatchedDestination(fd, { batchSize: 4096, flushIntervalMs: 10 });
    destination.write('{"quiet":true}\n');
    await vi.waitFor(() => expect(readFileSync(path, 'utf8')).toBe('{"quiet":true}\n'));

    const slow = new BatchedDestination(fd, { batchSize: 4096, flushIntervalMs: 60_000 });
    slow.write('{"now":true}\n');
    const done = vi.fn();
    slow.flush(done);
    expect(done).toHaveBeenCalledWith();
    expect(readFileSync(path, 'utf8')).toBe('{"quiet":true}\n{"now":true}\n');
  });

  it('reports a write error other than a full or closed pipe', () => {
    const destination = new BatchedDestination(1_000_000, { batchSize: 4096, flushIntervalMs: 60_000 });
    destination.write('{"lost":true}\n');
    expect(() => destination.flushSync()).toThrow(expect.objectContaining({ code: 'EBADF' }));
    destination.write('{"lost":true}\n');
    const done = vi.fn();
    destination.flush(done);
    expect(done).toHaveBeenCalledWith(expect.objectContaining({ code: 'EBADF' }));
  });

  it('loses no line when a non-blocking stdout pipe fills up, and flushes the rest on exit', async () => {
    const lines = 20_000;
    const { code, stdout, stderr } = await runFixture([String(lines), 'touch-stdout'], 300);
    expect([code, stderr]).toEqual([0, '']);
    const numbers = stdout
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as { n: number }).n);
    expect(numbers).toEqual(Array.from({ length: lines }, (_, i) => i));
  });

  it('turns into a sink when the reader has gone, instead of crashing the service', async () => {
    const { code, stderr } = await runFixture(['20000'], 0, true);
    expect([code, stderr]).toEqual([0, '']);
  });
});

describe('BatchedDestination.defer', () => {
  it('renders a source before any other line, on every write, and when pulled', () => {
    const { path, fd } = tempFile();
    const destination = new BatchedDestination(fd, { batchSize: 64, flushIntervalMs: 60_000 });
    let recorded: string[] = [];
    const pull = destination.defer(() => {
      const text = recorded.map((name) => `{"deferred":"${name}"}\n`).join('');
      recorded = [];
      return text;
    });
    recorded.push('a');
    destination.write('{"direct":1}\n');
    recorded.push('b');
    destination.flushSync();
    expect(readFileSync(path, 'utf8')).toBe('{"deferred":"a"}\n{"direct":1}\n{"deferred":"b"}\n');

    recorded.push('c', 'd', 'e', 'f');
    pull();
    expect(readFileSync(path, 'utf8')).toContain('{"deferred":"f"}\n');
    destination.flushSync();
    expect(readFileSync(path, 'utf8').match(/deferred/g)).toHaveLength(6);
  });
});
