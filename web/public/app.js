// The marketlake dashboard: a hash router over four views and the live alerts feed beside them.

import { clear, el } from './dom.js';
import { alertsView } from './views/alerts.js';
import { startAlertFeed } from './views/feed.js';
import { overviewView } from './views/overview.js';
import { pipelineView } from './views/pipeline.js';
import { symbolView } from './views/symbol.js';

const main = document.getElementById('main');
let leave = () => {};

async function route() {
  leave();
  leave = () => {};
  const hash = location.hash.replace(/^#/, '') || '/';
  const [, page, arg] = hash.split('/');
  for (const a of document.querySelectorAll('nav a[data-nav]')) {
    a.classList.toggle('active', a.dataset.nav === (page || 'overview'));
  }
  clear(main);
  try {
    if (!page) leave = (await overviewView(main)) ?? leave;
    else if (page === 'symbol' && arg) leave = (await symbolView(main, decodeURIComponent(arg))) ?? leave;
    else if (page === 'alerts') leave = (await alertsView(main)) ?? leave;
    else if (page === 'pipeline') leave = (await pipelineView(main)) ?? leave;
    else main.append(el('p', { class: 'error' }, 'No such page: ', hash));
  } catch (err) {
    main.append(el('p', { class: 'error', 'data-testid': 'error' }, String(err.message ?? err)));
  }
}

window.addEventListener('hashchange', route);
startAlertFeed(document.getElementById('alert-feed'), document.getElementById('feed-state'));
route();
