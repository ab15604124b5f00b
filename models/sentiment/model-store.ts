import { InputError, mlModelKey, type ObjectStore } from '../../layers/index.js';
import { FinanceModelArtifact, FinanceSentimentModel } from './finance-model.js';

const KIND = 'sentiment';
const LATEST = 'latest.json';

/**
 * Store a trained model in the lake: `_ml/sentiment/<version>/model.json`, then the pointer
 * `_ml/sentiment/latest.json` (each write is atomic; the pointer moves only after the model is in).
 */
export async function saveFinanceModel(store: ObjectStore, artifact: FinanceModelArtifact): Promise<string> {
  const key = mlModelKey(KIND, artifact.version, 'model.json');
  await store.writeText(key, JSON.stringify(artifact));
  await store.writeText(
    mlModelKey(KIND, null, LATEST),
    JSON.stringify({ version: artifact.version, createdAt: artifact.createdAt }),
  );
  return key;
}

/** Version the `latest` pointer names, or undefined when no model was trained into this lake. */
export async function latestFinanceModelVersion(store: ObjectStore): Promise<string | undefined> {
  const text = await store.readText(mlModelKey(KIND, null, LATEST));
  return text ? (JSON.parse(text) as { version: string }).version : undefined;
}

/** A stored model artifact, validated; `latest` resolves the pointer. */
export async function loadFinanceArtifact(
  store: ObjectStore,
  version: string,
): Promise<FinanceModelArtifact> {
  const resolved = version === 'latest' ? await latestFinanceModelVersion(store) : version;
  if (!resolved)
    throw new InputError('no finance sentiment model in this lake: run `marketlake sentiment train` first');
  const text = await store.readText(mlModelKey(KIND, resolved, 'model.json'));
  if (!text) throw new InputError(`finance sentiment model ${resolved} is not in this lake`);
  return FinanceModelArtifact.parse(JSON.parse(text));
}

/** Every stored model version with its metrics, oldest first. */
export async function listFinanceModels(store: ObjectStore): Promise<FinanceModelArtifact[]> {
  const keys = (await store.list(`${mlModelKey(KIND, null, LATEST).replace(/latest\.json$/, '')}`))
    .map((o) => o.key)
    .filter((k) => k.endsWith('/model.json'));
  const out: FinanceModelArtifact[] = [];
  for (const key of keys) {
    const text = await store.readText(key);
    if (text) out.push(FinanceModelArtifact.parse(JSON.parse(text)));
  }
  return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

const loaded = new Map<string, Promise<FinanceSentimentModel>>();

/** The model of a version ('latest' resolved each call), parsed once per process. */
export async function loadFinanceModel(store: ObjectStore, version: string): Promise<FinanceSentimentModel> {
  const resolved = version === 'latest' ? await latestFinanceModelVersion(store) : version;
  const cacheKey = `${store.displayUrl}#${resolved}`;
  let model = loaded.get(cacheKey);
  if (!model) {
    model = loadFinanceArtifact(store, resolved ?? 'latest').then(FinanceSentimentModel.fromArtifact);
    model.catch(() => loaded.delete(cacheKey));
    loaded.set(cacheKey, model);
  }
  return model;
}
