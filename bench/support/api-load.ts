/**
 * Child process of bench/api.bench.ts: drives one URL with autocannon (so the load generator does
 * not share the server's event loop) and sends back every response's latency.
 */
import autocannon from 'autocannon';

interface LoadRequest {
  url: string;
  connections: number;
  seconds: number;
  /** Make every URL different (the `limit` parameter counts down), so no answer is shared or kept. */
  distinct: boolean;
}

process.once('message', (message: LoadRequest) => {
  const latencies: number[] = [];
  let non2xx = 0;
  const base = new URL(message.url);
  let n = 0;
  const instance = autocannon(
    {
      url: message.url,
      connections: message.connections,
      duration: message.seconds,
      ...(message.distinct
        ? {
            requests: [
              {
                setupRequest: (req) => {
                  base.searchParams.set('limit', String(10_000 - (n++ % 9_000)));
                  return { ...req, path: `${base.pathname}${base.search}` };
                },
              },
            ],
          }
        : {}),
    },
    (err, result) => {
      const reply = err
        ? { error: String(err) }
        : {
            latencies,
            non2xx: non2xx + result.non2xx,
            errors: result.errors,
            requests: result.requests.total,
          };
      process.send!(reply, () => process.exit(0));
    },
  );
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode !== 200) non2xx++;
    latencies.push(responseTime);
  });
});
