#!/usr/bin/env node
/** The ioctl32 command line: a thin shell over the library. */
import { Command, CommanderError } from 'commander';
import { getAbi } from '../abi/index.js';
import { Ioctl32Error } from '../errors.js';
import { abisReport, formatAbis } from '../report/abis.js';
import { decodeCommands, formatDecode } from '../report/decode.js';

function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function buildProgram(): Command {
  const program = new Command('ioctl32')
    .description('Layouts, command numbers and compat conversions of Linux ioctls for every 32/64-bit ABI')
    .exitOverride()
    .showHelpAfterError();

  program
    .command('abis')
    .description('the facts of every Linux ABI and the compat pairs')
    .option('--json', 'JSON: one object per ABI')
    .action((opts: { json?: boolean }) => {
      print(opts.json ? JSON.stringify(abisReport(), null, 2) : formatAbis());
    });

  program
    .command('decode')
    .description('direction, type, nr and size of ioctl numbers, per ABI')
    .argument('<cmd...>', 'command numbers, decimal or 0x-hex')
    .option('--abi <abi>', 'only this ABI (default: every ABI)')
    .option('--json', 'JSON: one object per (number, ABI)')
    .action((cmds: string[], opts: { abi?: string; json?: boolean }) => {
      const abis = opts.abi ? opts.abi.split(',').map(getAbi) : undefined;
      const rows = decodeCommands(cmds, abis);
      print(opts.json ? JSON.stringify(rows, null, 2) : formatDecode(rows));
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof Ioctl32Error) {
      process.stderr.write(`ioctl32: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv.slice(2));
