import { createLogger, loadConfig, openLake } from '../layers/index.js';
import { openUi } from './index.js';

const config = loadConfig({ LAKE_URL: '/tmp/e-lake' });
const lake = openLake(config);
const ui = await openUi(config, lake, createLogger({ level: 'warn' }));
console.log(await ui.app.listen({ port: 18080, host: '127.0.0.1' }));
