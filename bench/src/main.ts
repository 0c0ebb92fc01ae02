/**
 * `npm run bench [-- --quick] [--only fanout,parse,redis] [--contenders a,b] [--scenarios id,id]
 * [--rounds n] [--max-minutes 10] [--profile] [--report results.json]`:
 * run the contenders alternately, print tables of medians and ratios, write the JSON of every
 * round to `bench/results/`.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { taskset } from './child';
import { benchConfig } from './config';
import type { FanoutContender, Loaded, ParseContender } from './contender';
import { loadContenders } from './contender';
import { type FanoutRound, runFanoutRound } from './fanout/runFanout';
import { type ParseRound, runParseRound } from './parse/runParse';
import { redisTables } from './redis/redisReport';
import { type RedisRound, runRedisRound, type StreamFigures } from './redis/runRedis';
import { fanoutTables, parseTable } from './report';
import { runScale, type ScaleRound } from './scale/runScale';
import { scaleTable } from './scale/scaleReport';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    contenders: { type: 'string' },
    scenarios: { type: 'string' },
    rounds: { type: 'string' },
    profile: { type: 'boolean', default: false },
    report: { type: 'string' },
    'max-minutes': { type: 'string' },
    /** Connections per hub process of the scale suite (default 15,000; 1,500 with --quick). */
    'scale-per-process': { type: 'string' },
    'scale-seconds': { type: 'string' },
  },
});

// `--report <results.json>`: print the tables of an earlier run again, without running anything.
if (values.report) {
  const saved = JSON.parse(await readFile(values.report, 'utf8'));
  const tables: string[] = [];
  if (saved.fanout.length > 0) tables.push(...fanoutTables(saved.fanout, saved.config.fanout));
  if (saved.parse.length > 0) tables.push(parseTable(saved.parse, saved.config.parse.megabytes));
  if (saved.redis?.length > 0)
    tables.push(...redisTables(saved.redis, saved.config.redis, saved.redisFigures));
  if (saved.scale?.length > 0) tables.push(scaleTable(saved.scale, saved.config.scale));
  console.log(tables.join('\n\n'));
  process.exit(0);
}

const config = benchConfig(values.quick ?? false);
if (values.rounds) config.rounds = Number(values.rounds);
const only = values.only?.split(',');
const picked = values.contenders?.split(',');
const scenarios = values.scenarios?.split(',');
const started = Date.now();
const log = (line: string) => console.log(line);

const { contenders, skipped } = await loadContenders();
const chosen = contenders.filter((c) => !picked || picked.includes(c.name));
for (const s of skipped) log(`skipping contender ${s.file}: ${s.reason}`);
log(
  `ssekit bench (${config.profile}, ${config.rounds} rounds) on ${availableParallelism()} cores, node ${process.version}, ${
    taskset()
      ? 'server on core 0, load generator on core 1 (taskset)'
      : 'no taskset: processes not pinned'
  }`,
);

const fanoutContenders = chosen.filter((c): c is Loaded<FanoutContender> => c.kind === 'fanout');
const parseContenders = chosen.filter((c): c is Loaded<ParseContender> => c.kind === 'parse');
const fanoutScenarios = config.fanout.filter((s) => !scenarios || scenarios.includes(s.id));

const runFanoutSuite = !only || only.includes('fanout');
const runParseSuite = !only || only.includes('parse');
const runRedisSuite = !only || only.includes('redis');
// Opt-in: 45,000 connections for a minute is not part of a default run.
const runScaleSuite = only?.includes('scale') ?? false;
if (values['scale-per-process']) config.scale.perProcess = Number(values['scale-per-process']);
if (values['scale-seconds']) config.scale.seconds = Number(values['scale-seconds']);
const fanoutOptions = {
  profileDir: values.profile
    ? fileURLToPath(new URL('../results/profiles/', import.meta.url))
    : undefined,
};
const maxMs = Number(values['max-minutes'] ?? 10) * 60_000;

// Rounds outermost: round r runs every suite and scenario once. Stopping between rounds keeps the
// run inside its time limit with the same number of rounds for everything.
const fanout: FanoutRound[] = [];
const parse: ParseRound[] = [];
const redis: RedisRound[] = [];
let redisFigures: StreamFigures | undefined;
let redisSkipped: string | undefined;
let roundsRun = 0;
for (let round = 0; round < config.rounds; round++) {
  const roundStarted = Date.now();
  if (runParseSuite) {
    const { megabytes, seed } = config.parse;
    parse.push(
      ...(await runParseRound(parseContenders, megabytes, seed, round, config.rounds, log)),
    );
  }
  if (runFanoutSuite) {
    for (const scenario of fanoutScenarios) {
      fanout.push(
        ...(await runFanoutRound(
          fanoutContenders,
          scenario,
          round,
          config.rounds,
          log,
          fanoutOptions,
        )),
      );
    }
  }
  if (runRedisSuite && redisSkipped === undefined) {
    const r = await runRedisRound(config.redis, round, config.rounds, log);
    redis.push(...r.rounds);
    redisFigures ??= r.figures;
    redisSkipped = r.skipped;
    if (r.skipped) log(`skipping the redis suite: ${r.skipped}`);
  }
  roundsRun++;
  const roundMs = Date.now() - roundStarted;
  if (round + 1 < config.rounds && Date.now() - started + roundMs > maxMs) {
    log(
      `stopping after ${roundsRun} of ${config.rounds} rounds: another ${(roundMs / 1000).toFixed(0)} s round would pass the ${maxMs / 60_000} min limit (--max-minutes)`,
    );
    break;
  }
}

// The scale suite runs once, after the rounds: it is long, and its figures are per process.
let scale: ScaleRound[] = [];
if (runScaleSuite) {
  const r = await runScale(config.scale, log);
  scale = r.rounds;
  if (r.skipped) log(`skipping the scale suite: ${r.skipped}`);
}

const output: string[] = [];
if (fanout.length > 0) output.push(...fanoutTables(fanout, fanoutScenarios));
if (parse.length > 0) output.push(parseTable(parse, config.parse.megabytes));
if (redis.length > 0) output.push(...redisTables(redis, config.redis, redisFigures));
if (scale.length > 0) output.push(scaleTable(scale, config.scale));
const elapsed = (Date.now() - started) / 1000;
console.log(`\n${output.join('\n\n')}\n\nTotal ${elapsed.toFixed(0)} s.`);

const resultsDir = new URL('../results/', import.meta.url);
await mkdir(resultsDir, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const file = new URL(`${stamp}-${config.profile}.json`, resultsDir);
await writeFile(
  file,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      argv: process.argv.slice(2),
      machine: {
        cores: availableParallelism(),
        cpu: cpus()[0]?.model,
        node: process.version,
        pinned: taskset() !== null,
        loadavgAtEnd: loadavg(),
      },
      config,
      skipped,
      contenders: chosen.map(({ kind, name, description }) => ({ kind, name, description })),
      elapsedSeconds: elapsed,
      roundsRun,
      tables: output,
      fanout,
      parse,
      redis,
      redisFigures,
      scale,
    },
    null,
    2,
  )}\n`,
);
console.log(`Wrote ${file.pathname}`);
