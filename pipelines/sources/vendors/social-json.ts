import {
  cashtagsIn,
  epoch,
  isObject,
  jsonTypeOf,
  refuseItem,
  shape,
  skipItem,
  type VendorContext,
  type VendorRecord,
} from './vendor-record.js';

/** Reddit fields kept in `extra` (a post carries 100+ fields; the rest are dropped). */
const REDDIT_EXTRA = ['kind', 'upvote_ratio', 'link_flair_text', 'over_18', 'is_self', 'domain', 'parent_id'];

/**
 * Reddit JSON exports: a Listing (`{"kind":"Listing","data":{"children":[{"kind":"t3",
 * "data":{...}}]}}`), the two Listings of a post page (post, comments; replies are walked),
 * or bare submission/comment objects (Pushshift dumps, one per line). `t3` posts and `t1`
 * comments become posts; `created_utc` is epoch seconds. Of Reddit's many other fields only a
 * few are kept in `extra` (REDDIT_EXTRA). Things of other kinds (`more` stubs, accounts,
 * subreddits) are skipped with their kind; an unknown kind, a malformed Listing and anything
 * else that is not a post are quarantined.
 */
export function* redditRecords(doc: unknown, ctx: VendorContext): Generator<VendorRecord> {
  if (Array.isArray(doc)) {
    for (const d of doc) yield* redditRecords(d, ctx);
    return;
  }
  if (!isObject(doc)) {
    yield refuseItem(doc, `expected a reddit Listing, thing or post object, got ${jsonTypeOf(doc)}`);
    return;
  }
  if (doc.kind === 'Listing') {
    if (isObject(doc.data) && Array.isArray(doc.data.children))
      for (const child of doc.data.children) yield* redditRecords(child, ctx);
    else yield refuseItem(doc, 'reddit Listing without data.children');
    return;
  }
  if (doc.kind === 't3' || doc.kind === 't1') {
    if (!isObject(doc.data)) {
      yield refuseItem(doc, `reddit ${doc.kind} without data`);
      return;
    }
    yield post(doc.data, doc.kind, ctx);
    const replies = doc.data.replies;
    if (isObject(replies)) yield* redditRecords(replies, ctx);
    return;
  }
  if (typeof doc.kind === 'string' && Object.hasOwn(OTHER_KINDS, doc.kind)) {
    yield skipItem(doc, `reddit ${doc.kind} (${OTHER_KINDS[doc.kind]}) is not a post`);
    return;
  }
  if (doc.kind !== undefined) {
    yield refuseItem(doc, `unknown reddit kind ${JSON.stringify(doc.kind) ?? String(doc.kind)}`);
    return;
  }
  if (doc.created_utc !== undefined || doc.subreddit !== undefined)
    yield post(doc, 'title' in doc ? 't3' : 't1', ctx);
  else yield refuseItem(doc, 'not a reddit Listing, thing or post (no kind, created_utc or subreddit)');
}

/** Reddit thing kinds that are not posts or comments. */
const OTHER_KINDS: Readonly<Record<string, string>> = {
  more: 'comments not loaded',
  t2: 'account',
  t4: 'message',
  t5: 'subreddit',
  t6: 'award',
  LabeledMulti: 'multireddit',
  ModAction: 'moderator action',
};

function post(d: Record<string, unknown>, kind: string, ctx: VendorContext): VendorRecord {
  const body = kind === 't3' ? d.selftext : d.body;
  const permalink = typeof d.permalink === 'string' ? `https://www.reddit.com${d.permalink}` : d.url;
  const value = {
    post_id: d.name ?? (d.id === undefined ? undefined : `${kind}_${d.id}`),
    source: 'reddit',
    created_at: epoch(d.created_utc, 's'),
    author: d.author,
    title: kind === 't3' ? d.title : null,
    body: body === '' ? null : body,
    url: permalink,
    score: d.score,
    comment_count: kind === 't3' ? d.num_comments : null,
    community: d.subreddit,
    cashtags: cashtagsIn(d.title, body),
  };
  const kept = Object.fromEntries(REDDIT_EXTRA.filter((k) => d[k] !== undefined).map((k) => [k, d[k]]));
  return { raw: d, value: shape(value, { ...kept, kind }, [], ctx) };
}

/**
 * StockTwits-style JSON: the API's `{"messages":[...]}` (or a list of messages, or one per
 * line): `id`, `body`, `created_at`, `user.username`, `symbols[].symbol`, `likes.total`,
 * `conversation.replies`, and the author's `entities.sentiment.basic` (kept in `extra`).
 * An API response without messages (an error) and values that are not message objects are
 * quarantined.
 */
export function* stocktwitsRecords(doc: unknown, ctx: VendorContext): Generator<VendorRecord> {
  if (isObject(doc) && !Array.isArray(doc.messages) && isObject(doc.response)) {
    const status = doc.response.status;
    yield refuseItem(doc, `stocktwits response without messages (status ${JSON.stringify(status) ?? '?'})`);
    return;
  }
  const messages =
    isObject(doc) && Array.isArray(doc.messages) ? doc.messages : Array.isArray(doc) ? doc : [doc];
  for (const m of messages) {
    if (!isObject(m)) {
      yield refuseItem(m, `expected a stocktwits message object, got ${jsonTypeOf(m)}`);
      continue;
    }
    const user = isObject(m.user) ? m.user : {};
    const likes = isObject(m.likes) ? m.likes : {};
    const conversation = isObject(m.conversation) ? m.conversation : {};
    const entities = isObject(m.entities) ? m.entities : {};
    const sentiment = isObject(entities.sentiment) ? entities.sentiment.basic : undefined;
    const symbols = Array.isArray(m.symbols)
      ? m.symbols.map((s) => (isObject(s) ? s.symbol : s)).filter((s): s is string => typeof s === 'string')
      : [];
    const username = typeof user.username === 'string' ? user.username : undefined;
    const value = {
      post_id: m.id === undefined ? undefined : String(m.id),
      source: 'stocktwits',
      created_at: m.created_at,
      author: username,
      title: null,
      body: m.body,
      url: username && m.id !== undefined ? `https://stocktwits.com/${username}/message/${m.id}` : undefined,
      score: likes.total ?? 0,
      comment_count: conversation.replies ?? 0,
      community: null,
      cashtags: [...new Set([...symbols.map((s) => s.toUpperCase()), ...cashtagsIn(m.body)])],
    };
    const extra = sentiment === undefined ? {} : { sentiment };
    yield { raw: m, value: shape(value, extra, [], ctx) };
  }
}
