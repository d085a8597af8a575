/**
 * Progress of a plan on stderr. On a terminal: one live line per stack (waiting, running with its
 * time so far, done with its resource count and time), redrawn in place with ANSI cursor movement.
 * In CI, when piped, or on a dumb terminal: plain lines, one when a stack starts and one when it is
 * done, which logs keep readable.
 */
import type { CommandIo } from '../io.js';
import type { PlanProgress } from './planner.js';

/** A stack as the live display shows it. */
export type StackState =
  | { readonly name: string; readonly state: 'waiting'; readonly upstreamOnly: boolean }
  | {
      readonly name: string;
      readonly state: 'running';
      readonly upstreamOnly: boolean;
      readonly elapsedMs: number;
    }
  | {
      readonly name: string;
      readonly state: 'done';
      readonly upstreamOnly: boolean;
      readonly resources: number;
      readonly durationMs: number;
      /** Processes that planned it, when more than one (a stack divided by app). */
      readonly processes?: number;
    };

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;
const inProcesses = (processes: number | undefined): string =>
  processes !== undefined && processes > 1 ? ` by ${processes} processes` : '';

/** The live lines for `states`, in planning order: a pure function of the states. */
export function renderLiveLines(states: readonly StackState[]): string[] {
  const width = Math.max(0, ...states.map((s) => s.name.length));
  return states.map((s) => {
    const name = s.name.padEnd(width);
    const upstream = s.upstreamOnly ? ' (upstream, for its outputs)' : '';
    switch (s.state) {
      case 'waiting':
        return `  ·  ${name}  waiting${upstream}`;
      case 'running':
        return `  …  ${name}  running ${seconds(s.elapsedMs)}${upstream}`;
      case 'done':
        return `  ✓  ${name}  ${s.resources} resources in ${seconds(s.durationMs)}${inProcesses(s.processes)}${upstream}`;
    }
  });
}

const CLEAR_LINE = '\x1b[2K';
const up = (lines: number): string => (lines > 0 ? `\x1b[${lines}A\r` : '\r');

/** Plain lines, as CI logs and pipes get them. */
export function plainProgress(io: CommandIo): PlanProgress {
  return {
    start(order, reported) {
      const upstreamOnly = order.filter((n) => !reported.has(n));
      if (upstreamOnly.length > 0) {
        io.stderr(`planning upstream stack(s) ${upstreamOnly.join(', ')} first, for their outputs only\n`);
      }
    },
    stackStarted(name, index, total) {
      io.stderr(`[${index + 1}/${total}] ${name} …\n`);
    },
    stackOutput(name, text) {
      for (const line of text.trimEnd().split('\n')) io.stderr(`  ${name}| ${line}\n`);
    },
    stackDone(plan, index, total) {
      io.stderr(
        `[${index + 1}/${total}] ${plan.name}: ${plan.resources.length} resources (${seconds(plan.durationMs)}${inProcesses(plan.processes)})\n`,
      );
    },
  };
}

/**
 * The live display: redraws its block of lines on every event and, while a stack runs, every
 * `tickMs` (the timer never keeps the process alive). What a stack printed goes above the block.
 */
export function liveProgress(
  io: CommandIo,
  now: () => number = () => performance.now(),
  tickMs = 250,
): PlanProgress {
  let states: StackState[] = [];
  const started = new Map<string, number>();
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;
  const lines = (): string[] =>
    renderLiveLines(
      states.map((s) =>
        s.state === 'running' ? { ...s, elapsedMs: now() - (started.get(s.name) ?? now()) } : s,
      ),
    );
  const draw = (above = ''): void => {
    const block = lines();
    // Back to the block's first line, then each line cleared and written again.
    io.stderr(`${drawn > 0 ? up(drawn) : ''}${above}${block.map((l) => `${CLEAR_LINE}${l}\n`).join('')}`);
    drawn = block.length;
  };
  const update = (name: string, next: (s: StackState) => StackState): void => {
    states = states.map((s) => (s.name === name ? next(s) : s));
  };
  const stopTimerWhenIdle = (): void => {
    if (timer !== undefined && !states.some((s) => s.state === 'running')) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  return {
    start(order, reported) {
      states = order.map((name) => ({ name, state: 'waiting', upstreamOnly: !reported.has(name) }));
      draw();
    },
    stackStarted(name) {
      started.set(name, now());
      update(name, (s) => ({ name, state: 'running', upstreamOnly: s.upstreamOnly, elapsedMs: 0 }));
      if (timer === undefined) {
        timer = setInterval(() => draw(), tickMs);
        timer.unref();
      }
      draw();
    },
    stackOutput(name, text) {
      draw(
        text
          .trimEnd()
          .split('\n')
          .map((line) => `${CLEAR_LINE}  ${name}| ${line}\n`)
          .join(''),
      );
    },
    stackDone(plan) {
      update(plan.name, (s) => ({
        name: plan.name,
        state: 'done',
        upstreamOnly: s.upstreamOnly,
        resources: plan.resources.length,
        durationMs: plan.durationMs,
        processes: plan.processes,
      }));
      stopTimerWhenIdle();
      draw();
    },
    finish() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
  };
}

/** Whether stderr gets the live display: a terminal, not CI, not a dumb terminal. */
export function isLiveTerminal(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && env['CI'] === undefined && env['TERM'] !== 'dumb';
}

/** The progress display for `io`'s stderr: live on a terminal, plain lines otherwise. */
export function progressFor(
  io: CommandIo,
  stream: { readonly isTTY?: boolean } = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): PlanProgress {
  return isLiveTerminal(stream, env) ? liveProgress(io) : plainProgress(io);
}
