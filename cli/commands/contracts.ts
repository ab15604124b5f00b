import { contractJsonSchemas, DATASETS } from '../../contracts/index.js';
import { type CommandContext, out } from '../context.js';
import { renderTable } from '../format.js';

/** List the data contracts, or print their JSON Schemas. */
export async function contractsCommand(
  ctx: CommandContext,
  flags: { jsonSchema?: boolean },
): Promise<number> {
  if (flags.jsonSchema) {
    out(JSON.stringify(contractJsonSchemas(), null, 2));
    return 0;
  }
  const rows = Object.values(DATASETS).map((d) => ({
    dataset: d.name,
    contract: d.contractVersion,
    partition_by: `dt = UTC date of ${d.partitionField}`,
    columns: d.columns.map((c) => c.name).join(', '),
  }));
  out(ctx.config.json ? JSON.stringify(rows, null, 2) : renderTable(rows));
  return 0;
}
