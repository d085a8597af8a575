import { describe, expect, it } from 'vitest';
import { captureIo } from '../test/harness.js';
import type { StackPlan } from './planner.js';
import { isLiveTerminal, liveProgress, progressFor, renderLiveLines } from './progress.js';

const planOf = (name: string, resources: number, durationMs: number): StackPlan => ({
  name,
  project: `signet-${name}`,
  resources: Array.from({ length: resources }, (_, i) => ({ type: 't', name: `r${i}`, inputs: {} })),
  outputs: {},
  maxRssKb: 0,
  cpuMs: 0,
  durationMs,
  processes: 1,
});

describe('the live progress lines', () => {
  it('show each stack waiting, running with its time so far, or done with its count and time', () => {
    expect(
      renderLiveLines([
        { name: 'networking', state: 'done', upstreamOnly: false, resources: 49, durationMs: 1234 },
        { name: 'ecr', state: 'running', upstreamOnly: false, elapsedMs: 800 },
        { name: 'eks', state: 'waiting', upstreamOnly: true },
        {
          name: 'pipelines',
          state: 'done',
          upstreamOnly: false,
          resources: 9,
          durationMs: 500,
          processes: 3,
        },
      ]),
    ).toEqual([
      '  ✓  networking  49 resources in 1.2s',
      '  …  ecr         running 0.8s',
      '  ·  eks         waiting (upstream, for its outputs)',
      '  ✓  pipelines   9 resources in 0.5s by 3 processes',
    ]);
  });

  it('are redrawn in place: the cursor goes back up over the block before each redraw', () => {
    const io = captureIo();
    let now = 0;
    const progress = liveProgress(io, () => now);
    progress.start?.(['a', 'b'], new Set(['a', 'b']));
    progress.stackStarted?.('a', 0, 2);
    now = 500;
    progress.stackDone?.(planOf('a', 3, 500), 0, 2);
    progress.finish?.();
    const frames = io.err.split('\x1b[2A\r');
    expect(frames).toHaveLength(3);
    expect(frames[0]).toBe('\x1b[2K  ·  a  waiting\n\x1b[2K  ·  b  waiting\n');
    expect(frames[2]).toBe('\x1b[2K  ✓  a  3 resources in 0.5s\n\x1b[2K  ·  b  waiting\n');
  });

  it('times a running stack with the process clock when given none', () => {
    const io = captureIo();
    const progress = liveProgress(io);
    progress.start?.(['a'], new Set(['a']));
    progress.stackStarted?.('a', 0, 1);
    progress.finish?.();
    expect(io.err).toMatch(/ {2}… {2}a {2}running \d+\.\ds\n$/);
  });
});

describe('progress on a stream that is not a terminal', () => {
  it('is plain lines, one when a stack starts and one when it is done, without escape sequences', () => {
    const io = captureIo();
    const progress = progressFor(io, { isTTY: false }, {});
    progress.start?.(['a', 'b'], new Set(['b']));
    progress.stackStarted?.('a', 0, 2);
    progress.stackDone?.(planOf('a', 3, 1500), 0, 2);
    expect(io.err).toBe(
      'planning upstream stack(s) a first, for their outputs only\n[1/2] a …\n[1/2] a: 3 resources (1.5s)\n',
    );
    expect(io.err).not.toContain('\x1b');
  });

  it('is live only on a terminal outside CI and not on a dumb terminal', () => {
    expect(isLiveTerminal({ isTTY: true }, {})).toBe(true);
    expect(isLiveTerminal({ isTTY: true }, { CI: 'true' })).toBe(false);
    expect(isLiveTerminal({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(isLiveTerminal({ isTTY: false }, {})).toBe(false);
    expect(isLiveTerminal({}, {})).toBe(false);
  });
});
