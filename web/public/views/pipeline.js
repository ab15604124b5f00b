// Pipeline page: recent runs with their tasks and durations, the latest data-quality summary, and
// every table with its row count and snapshots.
import { api, clear, el, fmt } from '../dom.js';

const duration = (a, b) => (a && b ? Date.parse(b) - Date.parse(a) : undefined);

function tableOf(headers, rows, attrs = {}) {
  return el(
    'table',
    { class: 'grid', ...attrs },
    el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', {}, h)))),
    el('tbody', {}, rows),
  );
}

export async function pipelineView(main) {
  const tasksBox = el('div', { 'data-testid': 'tasks' });
  const snapshotsBox = el('div', { 'data-testid': 'snapshots' });

  async function showSnapshots(table) {
    const { data } = await api(`/api/v1/tables/${encodeURIComponent(table)}/snapshots`);
    clear(snapshotsBox).append(
      el('h3', {}, `Snapshots of ${table}`),
      tableOf(
        ['Version', 'Snapshot', 'Committed', 'Operation', 'Files', 'Rows'],
        data.map((s) =>
          el(
            'tr',
            {},
            el('td', { class: 'num' }, String(s.version)),
            el('td', { class: 'num' }, String(s.snapshot_id)),
            el('td', {}, fmt.time(s.committed_at)),
            el('td', {}, s.operation),
            el('td', { class: 'num' }, fmt.int(s.files)),
            el('td', { class: 'num' }, fmt.int(s.rows)),
          ),
        ),
      ),
    );
  }
  const [runs, tables, dq] = await Promise.all([
    api('/api/v1/runs?limit=20'),
    api('/api/v1/tables'),
    api('/api/v1/dq/latest').catch(() => null),
  ]);

  async function showRun(id) {
    const { run, tasks } = await api(`/api/v1/runs/${encodeURIComponent(id)}`);
    clear(tasksBox).append(
      el('h3', {}, `Run ${run.runId} · ${run.status}`),
      run.error ? el('p', { class: 'error' }, run.error) : '',
      tableOf(
        ['Task', 'Status', 'Attempts', 'Started', 'Duration', 'Rows out', 'Partitions', 'Worker', 'Error'],
        tasks.map((t) =>
          el(
            'tr',
            { class: t.status },
            el('td', {}, t.task),
            el('td', {}, t.status),
            el('td', { class: 'num' }, String(t.attempts)),
            el('td', {}, fmt.time(t.startedAt)),
            el('td', { class: 'num' }, fmt.ms(duration(t.startedAt, t.endedAt))),
            el('td', { class: 'num' }, fmt.int(t.rowsOut ?? undefined)),
            el('td', { class: 'num' }, fmt.int(t.partitions ?? undefined)),
            el('td', {}, t.worker ?? ''),
            el('td', { class: 'error' }, t.error ?? ''),
          ),
        ),
      ),
    );
  }

  const dqBox = dq
    ? el(
        'div',
        { 'data-testid': 'dq' },
        el(
          'p',
          {},
          `${dq.summary.passed}/${dq.summary.checks} checks passed, ${dq.summary.failed} failed, ${dq.summary.warned} warnings · ${fmt.time(dq.generatedAt)}`,
        ),
        tableOf(
          ['Model', 'Check', 'Severity', 'Status', 'Failing rows'],
          dq.results
            .filter((r) => r.status !== 'pass')
            .map((r) =>
              el(
                'tr',
                { class: r.status },
                el('td', {}, r.model),
                el('td', {}, r.check),
                el('td', {}, r.severity),
                el('td', {}, r.status),
                el('td', { class: 'num' }, fmt.int(r.failingRows)),
              ),
            ),
        ),
      )
    : el('p', { class: 'muted' }, 'No data-quality report yet.');

  main.append(
    el('h1', {}, 'Pipeline'),
    el('h2', {}, 'Recent runs'),
    tableOf(
      ['Run', 'Trigger', 'Command', 'Status', 'Started', 'Duration'],
      runs.data.map((r) =>
        el(
          'tr',
          { class: r.status },
          el(
            'td',
            {},
            el(
              'a',
              {
                href: '#/pipeline',
                onclick: (e) => {
                  e.preventDefault();
                  showRun(r.runId);
                },
              },
              r.runId,
            ),
          ),
          el('td', {}, r.trigger),
          el('td', {}, r.command),
          el('td', {}, r.status),
          el('td', {}, fmt.time(r.startedAt)),
          el('td', { class: 'num' }, fmt.ms(duration(r.startedAt, r.endedAt))),
        ),
      ),
      { 'data-testid': 'runs' },
    ),
    tasksBox,
    el('h2', {}, 'Data quality (latest report)'),
    dqBox,
    el('h2', {}, 'Tables'),
    tableOf(
      ['Table', 'Rows', 'Files', 'Size', 'Version', 'Snapshots', 'Last commit'],
      tables.data.map((t) =>
        el(
          'tr',
          {},
          el(
            'td',
            {},
            el(
              'a',
              {
                href: '#/pipeline',
                onclick: (e) => {
                  e.preventDefault();
                  showSnapshots(t.table);
                },
              },
              t.table,
            ),
          ),
          el('td', { class: 'num' }, fmt.int(t.rows)),
          el('td', { class: 'num' }, fmt.int(t.files)),
          el('td', { class: 'num' }, `${(t.bytes / 1e6).toFixed(2)} MB`),
          el('td', { class: 'num' }, String(t.version)),
          el('td', { class: 'num' }, String(t.snapshots)),
          el('td', {}, `${fmt.time(t.committed_at)} (${t.operation})`),
        ),
      ),
      { 'data-testid': 'tables' },
    ),
    snapshotsBox,
  );
  if (runs.data[0]) await showRun(runs.data[0].runId);
}
