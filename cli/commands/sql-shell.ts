import { createInterface } from 'node:readline';
import { LakeSession } from '../../layers/index.js';
import { type CommandContext, out } from '../context.js';
import { renderTable } from '../format.js';

const TABLES_SQL =
  "SELECT table_schema || '.' || table_name AS name FROM information_schema.tables WHERE table_schema IN ('bronze', 'silver', 'gold', 'quarantine') ORDER BY 1";

/**
 * Interactive SQL over every layer. Statements end with `;`; `.tables` lists tables; `.quit` leaves.
 * Works on a terminal and on piped input alike. Read-only: a refused statement prints its reason and
 * the shell goes on.
 */
export async function sqlShellCommand(ctx: CommandContext): Promise<number> {
  // 'analyst': statements may read the lake and local files; COPY, ATTACH, SET, ... are refused.
  const session = await LakeSession.open(ctx.lake, {
    access: 'analyst',
    ...(ctx.config.duckdbThreads ? { threads: ctx.config.duckdbThreads } : {}),
  });
  const interactive = process.stdin.isTTY ?? false;
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: interactive });
  const prompt = (continued: boolean) => {
    if (!interactive) return;
    rl.setPrompt(continued ? '   ...> ' : 'marketlake> ');
    rl.prompt();
  };
  out(
    `marketlake sql on ${ctx.lake.store.displayUrl}: end statements with ;  .tables lists tables, .quit exits`,
  );
  let buffer = '';
  try {
    prompt(false);
    for await (const line of rl) {
      const trimmed = line.trim();
      if (!buffer && (trimmed === '.quit' || trimmed === '.exit')) break;
      if (!buffer && trimmed === '.tables') {
        out(renderTable(await session.all(TABLES_SQL)));
      } else if (trimmed !== '' || buffer) {
        buffer += `${line}\n`;
        if (trimmed.endsWith(';')) {
          const statement = buffer;
          buffer = '';
          try {
            const reader = await session.runUserSql(statement);
            if (reader.columnNames().length > 0) {
              out(renderTable(reader.getRowObjectsJson() as Record<string, unknown>[], reader.columnNames()));
            }
          } catch (err) {
            out(`error: ${(err as Error).message}`);
          }
        }
      }
      prompt(buffer !== '');
    }
  } finally {
    rl.close();
    session.close();
  }
  return 0;
}
