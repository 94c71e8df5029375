import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { exitCodeOf } from '../../src/cli/main.js';
import { rocStreamsFromCsv, rocStreamsFromJson } from '../../src/cli/trace-roc.js';
import { TRACE_HELP, traceCommand } from '../../src/cli/trace.js';
import { InputError } from '../../src/errors.js';
import { refusal } from '../helpers/refusal.js';
import { chartFile } from '../helpers/svg.js';
import { runCommand } from '../helpers/cli.js';

/** Run trace in-process; stdout and stderr are captured. */
const run = (...argv: string[]) => runCommand(traceCommand, ...argv);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'anonscope-roc-'));
});
afterEach(() => vi.restoreAllMocks());

/** Three flows A, B, C with exact times: each link is its flow shifted by 0.5 (uniform:0,1 delay), beside one packet of cover; a cover-only link D. */
const FLOWS_CSV = [
  'time,flow,side',
  ...['A', 'B', 'C'].flatMap((flow, i) => [0, 1, 2].flatMap((k) => [`${i + 3 * k + 0.2},${flow},in`, `${i + 3 * k + 0.7},${flow},out`])),
  '4.5,A,out',
  '1.5,D,out',
  '7.5,D,out',
].join('\n');

describe('anonscope trace --roc', () => {
  it('simulation: --format json has the ROC per packet count; --out writes JSON, two CSVs and two SVGs', async () => {
    const out = join(dir, 'sim');
    const { stdout, stderr } = await run('--roc', '--targets', '20', '--sweep-packets', '2,10', '--fpr', '0.1,0.01', '--seed', '3', '--format', 'json', '--out', out);
    const json = JSON.parse(stdout);
    expect(json).toMatchObject({ mode: 'simulation', targets: 20, links: 20, seed: 3, fprs: [0.1, 0.01], kernels: 'cpu' });
    expect(json.byPackets.map((p: { packets: number }) => p.packets)).toEqual([2, 10]);
    const point = json.byPackets[1];
    expect(point).toMatchObject({ positives: 20, negatives: 380 });
    expect(point.points[0]).toEqual({ threshold: null, fpr: 0, tpr: 0 }); // τ = +∞ is null in JSON
    expect(point.points.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
    expect(point.atFpr[1]).toMatchObject({ targetFpr: 0.01, resolved: true });
    expect(point.auc.ci95[0]).toBeLessThanOrEqual(point.auc.value);
    expect(stderr).toMatch(/wrote results\.json, roc\.csv, roc-curve\.csv, roc\.svg, tpr-vs-packets\.svg/);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))).toEqual(json);
    const summary = readFileSync(join(out, 'roc.csv'), 'utf8').trim().split('\n');
    expect(summary[0]).toBe('packets,mean_target_packets,positives,negatives,auc,auc_se,auc_ci95_low,auc_ci95_high,target_fpr,threshold,fpr,tpr,tpr_ci95_low,tpr_ci95_high,resolved');
    expect(summary).toHaveLength(1 + 2 * 2);
    const curve = readFileSync(join(out, 'roc-curve.csv'), 'utf8').trim().split('\n');
    expect(curve).toHaveLength(1 + json.byPackets[0].points.length + point.points.length);
    expect(chartFile(join(out, 'roc.svg'), ['line']).marks).toBe(3); // two curves and chance
    expect(chartFile(join(out, 'tpr-vs-packets.svg'), ['line']).marks).toBe(3); // two FPRs and the AUC
  });

  it('data (CSV): a hand-checked case; the table and the CSV on stdout', async () => {
    const file = join(dir, 'flows.csv');
    writeFileSync(file, FLOWS_CSV);
    const json = JSON.parse((await run('--roc', '--input', file, '--delay', 'uniform:0,1', '--step', '0.5', '--format', 'json', '--quiet')).stdout);
    expect(json).toMatchObject({ mode: 'data', targets: 3, links: 4, window: [0.2, 8.7] });
    const [point] = json.byPackets;
    expect(point).toMatchObject({ packets: null, positives: 3, negatives: 9, meanTargetPackets: 3 });
    // Every packet of a flow's link falls where that flow's C = d * f is positive; against another flow's C most
    // fall where it is 0 and cost ln(FLOOR) ≈ −27.6 each. The cover link D (packets at 1.5 and 7.5) comes closest:
    // B–D scores 0.81 nats, below C's true pair at 2.60, so every true pair beats every false one.
    expect(point.auc.value).toBe(1);
    const table = (await run('--roc', '--input', file, '--delay', 'uniform:0,1', '--step', '0.5', '--quiet')).stdout;
    expect(table).toMatch(/trace ROC, data: 3 target streams × 4 links/);
    expect(table).toMatch(/\* fewer false pairs than 1\/FPR/); // 9 false pairs cannot resolve FPR 0.01
    const csv = (await run('--roc', '--input', file, '--delay', 'uniform:0,1', '--step', '0.5', '--format', 'csv', '--quiet')).stdout.trim().split('\n');
    expect(csv).toHaveLength(1 + 3);
    expect(csv[1].split(',').slice(0, 5)).toEqual(['all', '3', '3', '9', '1']);
  });

  it('data (JSON) with --window and --packets; notes for options that do not apply', async () => {
    const file = join(dir, 'flows.json');
    writeFileSync(file, JSON.stringify({ targets: { A: [0.2, 3.2, 6.2], B: [1.2, 4.2, 7.2] }, links: { A: [0.7, 3.7, 6.7], B: [1.7, 4.7, 7.7] } }));
    const { stdout, stderr } = await run('--roc', '--input', file, '--delay', 'uniform:0,1', '--step', '0.5', '--window', '0,9', '--packets', '2', '--targets', '9', '--trials', '5', '--format', 'json');
    const json = JSON.parse(stdout);
    expect(json.window).toEqual([0, 9]);
    expect(json.byPackets[0]).toMatchObject({ packets: 2, meanTargetPackets: 2, positives: 2, negatives: 2 });
    expect(stderr).toMatch(/note: --trials, --targets do not apply to --roc with --input/);
  });

  it('refuses bad options before any work, one line each, exit code 2', async () => {
    const file = join(dir, 'flows2.csv');
    writeFileSync(file, FLOWS_CSV);
    const cases: [string[], RegExp][] = [
      [['--targets', '5'], /--targets only apply with --roc/],
      [['--sweep-packets', '1,2'], /--sweep-packets only apply with --roc/],
      [['--roc', '--packets', '2,3'], /--packets with --roc takes one count, got "2,3" \(use --sweep-packets/],
      [['--roc', '--packets', '2', '--sweep-packets', '3'], /do not go together/],
      [['--roc', '--fpr', '0.1,1'], /--fpr values must be in \(0, 1\), got 1/],
      [['--roc', '--fpr', '0'], /--fpr must be > 0/],
      [['--roc', '--targets', '1'], /--targets must be in 2\.\.100000, got 1/],
      [['--roc', '--sweep-packets', '3,x'], /--sweep-packets must be an integer, got "x"/],
      [['--roc', '--input', file], /--input needs --delay/],
      [['--roc', '--input', join(dir, 'missing.csv'), '--delay', 'exp:1'], /missing\.csv: cannot read the streams/],
    ];
    for (const [argv, message] of cases) {
      const error = await run(...argv).catch((e) => e);
      expect(error, argv.join(' ')).toBeInstanceOf(InputError);
      expect(String(error.message), argv.join(' ')).toMatch(message);
      expect(error.message).not.toMatch(/\n/);
      expect(exitCodeOf(error), argv.join(' ')).toBe(2);
    }
  });

  it('input files: the line and the problem named', () => {
    expect(refusal(() => rocStreamsFromCsv('time,flow,side\n1,A,in\n2,A\n', 'f.csv')).message).toBe('f.csv:3: expected "time,flow,side", got 2 columns');
    expect(refusal(() => rocStreamsFromCsv('1,A,in\nx,A,out\n', 'f.csv')).message).toMatch(/f\.csv:2: time is not a finite number: "x"/);
    expect(refusal(() => rocStreamsFromCsv('1,A,in\n2,A,sideways\n', 'f.csv')).message).toMatch(/f\.csv:2: side must be "in".*got "sideways"/);
    expect(refusal(() => rocStreamsFromCsv('1,A,out\n', 'f.csv')).message).toBe('f.csv: no "in" rows: no target stream');
    expect(refusal(() => rocStreamsFromJson('{"targets": {"A": [1]}}', 'f.json')).message).toMatch(/"links" must be an object/);
    expect(refusal(() => rocStreamsFromJson('{"targets": {"A": [1, "2"]}, "links": {"A": [1]}}', 'f.json')).message).toMatch(/"targets\.A" must be an array of finite numbers/);
    expect(refusal(() => rocStreamsFromJson('[1]', 'f.json')).message).toMatch(/expected an object/);
    expect(refusal(() => rocStreamsFromJson('{"targets": {"A": [1]}, "links": {"A": [2]}, "window": [3, 1]}', 'f.json')).message).toMatch(/"window" must be \[start, end\]/);
    expect(rocStreamsFromCsv('time,flow,side\n2,A,in\n1,A,in\n3,A,out\n', 'f.csv')).toEqual({ targets: [{ name: 'A', times: [2, 1] }], links: [{ name: 'A', times: [3] }] });
  });

  it('--help tells of --roc', async () => {
    const { stdout } = await run('--help');
    expect(stdout).toBe(TRACE_HELP);
    for (const option of ['--roc', '--targets T', '--sweep-packets a,b', '--fpr a,b,c', '"time,flow,side"', 'roc-curve.csv']) expect(stdout).toContain(option);
  });
});
