// The API reference, rendered from /api/v1/openapi.json (generated from the server's zod schemas).
import { api, el } from './dom.js';

const root = document.getElementById('docs');
const doc = await api('/api/v1/openapi.json');
root.append(el('h1', {}, `${doc.info.title} ${doc.info.version}`), el('p', {}, doc.info.description));
for (const [path, item] of Object.entries(doc.paths)) {
  const op = item.get;
  const params = op.parameters ?? [];
  root.append(
    el('h2', { id: path }, el('code', {}, `GET ${path}`)),
    el('p', {}, op.summary),
    params.length
      ? el(
          'table',
          { class: 'grid' },
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              ...['Parameter', 'In', 'Required', 'Schema', 'Description'].map((h) => el('th', {}, h)),
            ),
          ),
          el(
            'tbody',
            {},
            params.map((p) =>
              el(
                'tr',
                {},
                el('td', {}, el('code', {}, p.name)),
                el('td', {}, p.in),
                el('td', {}, p.required ? 'yes' : 'no'),
                el('td', {}, el('code', {}, JSON.stringify(p.schema))),
                el('td', {}, p.description ?? ''),
              ),
            ),
          ),
        )
      : '',
    el('p', { class: 'muted' }, `200: ${op.responses['200']?.description ?? ''}`),
  );
}
