import { createInterface } from 'node:readline/promises';
import { LakeSession } from '../../layers/index.js';
import { type CommandContext, out } from '../context.js';
import { renderTable } from '../format.js';

/** Interactive SQL over every layer. Statements end with `;`; `.tables` lists views; `.quit` leaves. */
export async function sqlShellCommand(ctx: CommandContext): Promise<number> {
  const session = await LakeSession.open(ctx.lake);
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  out(
    `marketlake sql on ${ctx.lake.store.displayUrl}: end statements with ;  .tables lists tables, .quit exits`,
  );
  let buffer = '';
  try {
    for (;;) {
      let line: string;
      try {
        line = await rl.question(buffer ? '   ...> ' : 'marketlake> ');
      } catch {
        break; // input closed
      }
      const trimmed = line.trim();
      if (!buffer && (trimmed === '.quit' || trimmed === '.exit')) break;
      if (!buffer && trimmed === '.tables') {
        const rows = await session.all(
          "SELECT table_schema || '.' || table_name AS name FROM information_schema.tables WHERE table_schema IN ('bronze','silver','gold','quarantine') ORDER BY 1",
        );
        out(renderTable(rows));
        continue;
      }
      buffer += `${line}\n`;
      if (!trimmed.endsWith(';')) continue;
      const statement = buffer;
      buffer = '';
      try {
        await session.ensureViewsFor(statement);
        const reader = await session.connection.runAndReadAll(statement);
        const rows = reader.getRowObjectsJson() as Record<string, unknown>[];
        if (reader.columnNames().length > 0) out(renderTable(rows, reader.columnNames()));
      } catch (err) {
        out(`error: ${(err as Error).message}`);
      }
    }
  } finally {
    rl.close();
    session.close();
  }
  return 0;
}
