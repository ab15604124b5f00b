import { formatMicros, MICROS_PER_DAY } from './ny-time.js';
import { SeededRng } from './rng.js';
import { displayName, type SymbolSpec } from './symbols.js';

/** How one symbol moved on one simulated day: drives the tone and the number of posts. */
export interface DayMove {
  /** `YYYY-MM-DD` */
  date: string;
  /** `YYYYMMDD` */
  compact: string;
  /** Epoch microseconds of 00:00 UTC of `date`. */
  utcMidnight: number;
  /** Log return from the previous day's 20:00 New York mark (or the start) to this day's. */
  logReturn: number;
  /** `logReturn` in standard deviations of the move the model expects over the same span. */
  zScore: number;
}

type Tone = 'bullish' | 'bearish' | 'neutral';

const COMMUNITIES = ['wallstreetbets', 'stocks', 'investing', 'StockMarket'] as const;

const AUTHORS = [
  'diamond_hands_42',
  'theta_gang_tom',
  'bagholder_bob',
  'yolo_yolanda',
  'dividend_dan',
  'chart_wizard',
  'bull_market_betty',
  'bearish_barry',
  'options_oliver',
  'value_victor',
  'momentum_mia',
  'index_ian',
  'tendies_trader',
  'quant_quinn',
  'buy_the_dip_dave',
  'long_term_lucy',
  'gamma_squeeze_gus',
  'fundamental_fran',
  'swing_sam',
  'paper_hands_pat',
  'macro_max',
  'candle_carla',
  'retail_rick',
  'hodl_hannah',
] as const;

const TITLES: Record<Tone, readonly string[]> = {
  bullish: [
    '{tag} is breaking out, loading more',
    'Why I am bullish on {name}',
    '{tag} calls are printing today',
    '{name} looks unstoppable right now',
    'Bought more {tag}, not selling',
  ],
  bearish: [
    '{tag} is breaking down, be careful',
    'Why I am bearish on {name}',
    'Bought puts on {tag}',
    '{name} looks overvalued here',
    '{tag} bagholders, how are we doing?',
  ],
  neutral: [
    '{tag} daily discussion',
    'What is everyone doing with {tag}?',
    'Thoughts on {name} long term?',
    '{tag} position check',
    'Holding {tag} or rotating out?',
  ],
};

/** First sentences: every one names the cashtag. */
const LEADS: Record<Tone, readonly string[]> = {
  bullish: [
    '{tag} looks really strong and I am adding to my position.',
    'I think {tag} rallies further from here, very bullish.',
    'Buyers stepped in hard, {tag} could make new highs.',
    'Great momentum on {tag}, the trend is clearly up.',
  ],
  bearish: [
    '{tag} looks weak and I am trimming my position.',
    'I think {tag} drops further from here, very bearish.',
    'Sellers are in control, {tag} could make new lows.',
    'Ugly price action on {tag}, the trend is clearly down.',
  ],
  neutral: [
    'Not sure where {tag} goes next, waiting for more data.',
    'Holding my {tag} shares for now, no changes.',
    '{tag} is trading in a range, nothing exciting.',
    'Keeping {tag} on my watchlist this week.',
  ],
};

/** Follow-up sentences, often naming the company. */
const FOLLOWS: Record<Tone, readonly string[]> = {
  bullish: [
    '{name} keeps beating expectations.',
    'Fundamentals at {name} are excellent, long and strong.',
    'Earnings growth looks great and the outlook is positive.',
  ],
  bearish: [
    '{name} keeps disappointing.',
    'The valuation of {name} makes no sense to me.',
    'Margins are shrinking and the outlook looks poor.',
  ],
  neutral: [
    'Anyone have a view on the {name} guidance?',
    'Curious what others think about {name}.',
    'Mostly waiting for the next earnings report.',
  ],
};

function fill(template: string, tag: string, name: string): string {
  return template.replaceAll('{tag}', tag).replaceAll('{name}', name);
}

function chooseTone(rng: SeededRng, zScore: number): Tone {
  // A quarter of posts are neutral; the rest lean with the day's move (tanh of its z-score).
  const lean = Math.tanh(zScore);
  const u = rng.float();
  if (u < 0.25) return 'neutral';
  return u < 0.25 + (0.75 * (1 + lean)) / 2 ? 'bullish' : 'bearish';
}

/**
 * Social posts about `spec` for each day in `moves`, appended to `out`. The number of posts is
 * Poisson with mean `postsPerDay * (0.4 + 0.75 |z|)` (about `postsPerDay` on average), their times
 * are uniform over the UTC day, and their tone leans bullish on up days and bearish on down days.
 */
export function generatePosts(
  spec: SymbolSpec,
  universe: readonly SymbolSpec[],
  moves: readonly DayMove[],
  postsPerDay: number,
  seed: number,
  out: Record<string, unknown>[],
): void {
  if (postsPerDay <= 0) return;
  const rng = SeededRng.derive(seed, 'posts', spec.symbol);
  const tag = `$${spec.symbol}`;
  const name = displayName(spec);
  const others = universe.filter((s) => s.symbol !== spec.symbol);
  for (const move of moves) {
    const absZ = Math.min(Math.abs(move.zScore), 6);
    const rate = (postsPerDay * (0.4 + 0.75 * absZ)) / MICROS_PER_DAY;
    let t = 0;
    let seq = 0;
    for (;;) {
      t += rng.exponential(rate);
      if (t >= MICROS_PER_DAY) break;
      seq++;
      const tone = chooseTone(rng, move.zScore);
      const postId = `${move.compact}-${spec.symbol.toLowerCase()}-${String(seq).padStart(4, '0')}`;
      const sentences = [fill(rng.pick(LEADS[tone]), tag, name)];
      if (rng.chance(0.6)) sentences.push(fill(rng.pick(FOLLOWS[tone]), tag, name));
      const pct = `${(Math.abs(Math.expm1(move.logReturn)) * 100).toFixed(1)}%`;
      if (tone === 'bullish' && move.logReturn > 0) sentences.push(`${tag} is up ${pct} today.`);
      if (tone === 'bearish' && move.logReturn < 0) sentences.push(`${tag} is down ${pct} today.`);
      const cashtags = [spec.symbol];
      if (others.length > 0 && rng.chance(0.15)) {
        const other = rng.pick(others).symbol;
        cashtags.push(other);
        sentences.push(`Also watching $${other}.`);
      }
      const score = Math.round(Math.exp(rng.normal(1.5 + 0.4 * absZ, 1.3))) - 1;
      const commentCount = Math.floor(Math.max(0, score) * 0.3 * rng.float()) + rng.int(0, 3);
      out.push({
        post_id: postId,
        source: 'simulator',
        created_at: formatMicros(move.utcMidnight + Math.floor(t)),
        author: rng.pick(AUTHORS),
        title: fill(rng.pick(TITLES[tone]), tag, name),
        body: sentences.join(' '),
        url: `https://example.com/posts/${postId}`,
        score,
        comment_count: commentCount,
        community: rng.pick(COMMUNITIES),
        cashtags,
      });
    }
  }
}
