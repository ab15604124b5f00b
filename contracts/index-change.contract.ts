import { z } from 'zod';
import { cashtagsRule, dateRule, field, sourceRule } from './fields.js';

export const INDEX_ACTIONS = ['member', 'add', 'remove'] as const;

/**
 * index_change.v1: one line of an index membership history. `member` rows are intervals
 * (`ticker,start_date,end_date` layouts: members from effective_date until end_date, exclusive, or
 * still), `add` and `remove` rows are change lists (`date,add,remove`, where one cell may list
 * several tickers: `"DISCA,DISCK"`). A change-list file is ingested twice, once mapping `add`
 * and once `remove` (a different mapping is a different batch). Full constituent snapshots come as
 * symbol_refs with `--snapshot full` and need no rows here.
 */
export const IndexChange = z.object({
  index_name: field(
    sourceRule,
    'VARCHAR',
    'Index name, lower case (sp500); matches the source of its snapshots',
  ),
  action: field(
    { kind: 'enum', values: INDEX_ACTIONS, nullable: false },
    'VARCHAR',
    'member (an interval), add or remove (a change on effective_date)',
  ),
  symbols: field(cashtagsRule, 'VARCHAR[]', 'Tickers the line is about (one or more)'),
  effective_date: field(dateRule, 'DATE', 'Day the membership starts (member, add) or ends (remove)'),
  end_date: field(
    { kind: 'date', nullable: true },
    'DATE',
    'member rows: first day no longer a member; null while a member',
  ),
});
