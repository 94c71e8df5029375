import packageJson from '../../package.json';
import { AnonscopeError, DeviceError, InputError } from '../errors.js';
import { ADVERSARY_HELP, adversaryCommand } from './adversary.js';
import { CONVERT_HELP, convertCommand } from './convert.js';
import { GENERATE_HELP, generateCommand } from './generate.js';
import { MERGE_HELP, mergeCommand } from './merge.js';
import { MIX_HELP, mixCommand } from './mix.js';
import { MIXING_HELP, mixingCommand } from './mixing.js';
import { MIXNET_HELP, mixnetCommand } from './mixnet.js';
import { NETWORK_HELP, networkCommand } from './network.js';
import { TRACE_HELP, traceCommand } from './trace.js';
import { ENTROPY_HELP, entropyCommand } from './entropy.js';

const HELP = `anonscope ${packageJson.version}: measures anonymity on the GPU

Usage: anonscope <command> [options]

Commands:
  entropy <graph>   initiator entropy of l-hop random walks (Pisces), hop by hop;
                    --shard K/N computes one slice (with --rounds too), --checkpoint DIR
                    survives a crash
  merge <shards>    the shards of one job (entropy, adversary, mixing, mix, mixnet, trace,
                    network) put together: the unsharded output
  adversary <graph> H(I|O) against Sybils behind attack edges (Pisces insider adversary);
                    --shard K/N, --checkpoint DIR
  mixing <graph>    how fast a walk forgets its start: TV to π per hop, τ(ε), SLEM;
                    --shard K/N (of the sources)
  mix               sender anonymity of one continuous-time mix (Danezis): simulated vs
                    h(f) + log2 λ; --shard K/N
  mixnet            sender anonymity of a Loopix-style mixnet (layers, cascades or free
                    routes over a graph; cover, corrupt mixes): entropy, unlinkability,
                    latency; --sweep; --shard K/N
  trace             tracing a stream through one mix by convolution and likelihood ratios;
                    --roc: ROC, AUC and TPR at fixed FPR over many streams and links;
                    --shard K/N (of the trials, or of the --roc target streams)
  network           tracing streams through a network of mixes; --shard K/N (of the
                    traced streams)
  generate ... <out> a seeded random graph (rmat, chung-lu, ba, regular, ws) as an edge list or .csr
  convert <in> <out.csr>
                    any graph file to the binary CSR format (loads several times faster)

Options:
  -h, --help        help (also: anonscope <command> --help)
  -V, --version     version

Data goes to stdout (table, JSON or CSV); the load summary, progress and errors go to
stderr. Exit codes: 0 success, 1 unexpected failure, 2 bad input or parameters, 3 device
failure.
`;

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<void>; help: string }> = {
  entropy: { run: entropyCommand, help: ENTROPY_HELP },
  merge: { run: mergeCommand, help: MERGE_HELP },
  adversary: { run: adversaryCommand, help: ADVERSARY_HELP },
  mixing: { run: mixingCommand, help: MIXING_HELP },
  mix: { run: mixCommand, help: MIX_HELP },
  mixnet: { run: mixnetCommand, help: MIXNET_HELP },
  trace: { run: traceCommand, help: TRACE_HELP },
  network: { run: networkCommand, help: NETWORK_HELP },
  generate: { run: generateCommand, help: GENERATE_HELP },
  convert: { run: convertCommand, help: CONVERT_HELP },
};

/** Exit code for an error: 2 for the user's input, 3 for the device, 1 otherwise. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof InputError) return 2;
  if ((error as { code?: string })?.code?.startsWith?.('ERR_PARSE_ARGS')) return 2;
  if (error instanceof DeviceError) return 3;
  return 1;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === '-V' || command === '--version') {
    process.stdout.write(`${packageJson.version}\n`);
    return 0;
  }
  const entry = COMMANDS[command];
  if (!entry) {
    process.stderr.write(`anonscope: unknown command "${command}" (commands: ${Object.keys(COMMANDS).join(', ')}; see --help)\n`);
    return 2;
  }
  try {
    await entry.run(rest);
    return 0;
  } catch (error) {
    const code = exitCodeOf(error);
    process.stderr.write(`anonscope ${command}: error: ${errorLine(error, code, rest)}\n`);
    if (code === 1 && process.env.ANONSCOPE_DEBUG) process.stderr.write(`${(error as Error)?.stack ?? error}\n`);
    return code;
  }
}

/** One line for any error: expected ones say what to fix; an unexpected one says how to get its stack trace. */
function errorLine(error: unknown, code: number, argv: string[]): string {
  // node's parseArgs puts a hint on a second line.
  const message = String((error as Error)?.message ?? error).replace(/\s*\n\s*/g, ' ');
  if (error instanceof AnonscopeError || code !== 1) return explainAmbiguousValue(message, argv) ?? message;
  return `${message} (unexpected ${(error as Error)?.name ?? 'error'}: a bug; ANONSCOPE_DEBUG=1 prints its stack trace)`;
}

/**
 * parseArgs takes "--hops -3" for an option with its value missing ("argument is
 * ambiguous"): say what it read and how to pass a value that starts with a dash.
 */
function explainAmbiguousValue(message: string, argv: string[]): string | undefined {
  const option = /^Option '([^']+)' argument is ambiguous/.exec(message)?.[1];
  if (option === undefined) return undefined;
  const at = argv.findIndex((arg, i) => arg === option && argv[i + 1]?.startsWith('-'));
  const value = argv[at + 1];
  const long = /use '(--[^=']+)=-XYZ'/.exec(message)?.[1] ?? option;
  return `${option} ${value}: a value that starts with "-" is read as an option, so ${option} got no value; write ${long}=${value} to pass it as the value`;
}
