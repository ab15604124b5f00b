import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { registry } from '../../ops/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const composeBin = ['/usr/bin/docker-compose', '/usr/local/bin/docker-compose'].find((p) => existsSync(p));

interface ComposeService {
  command?: string[];
  restart?: string;
  healthcheck?: { test?: string[]; disable?: boolean };
  environment?: Record<string, string>;
  ports?: unknown[];
  container_name?: string;
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  image?: string;
}

/** Names of the series the registry exports, with the suffixes histograms add. */
async function exportedNames(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const m of await registry.getMetricsAsJSON()) {
    names.add(m.name);
    if (String(m.type) === 'histogram')
      for (const s of ['_bucket', '_sum', '_count']) names.add(`${m.name}${s}`);
  }
  return names;
}

describe('deployment files', () => {
  it.skipIf(!composeBin)(
    'docker-compose.yml validates and every service has a health check and a restart policy',
    () => {
      const args = ['--env-file', '.env.example', '--profile', 'monitoring', '--profile', 'cli', 'config'];
      const r = spawnSync(composeBin!, args, { cwd: root, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const services = (parse(r.stdout) as { services: Record<string, ComposeService> }).services;
      expect(Object.keys(services).sort()).toEqual(
        [
          'minio',
          'minio-init',
          'postgres',
          'redis',
          'init',
          'scheduler',
          'worker',
          'stream',
          'ui',
          'marketlake',
          'prometheus',
          'grafana',
        ].sort(),
      );
      const oneShot = ['minio-init', 'init', 'marketlake'];
      for (const [name, s] of Object.entries(services)) {
        expect(s.restart, name).toBeDefined();
        // docker-compose renders `disable: true` as test [NONE].
        if (oneShot.includes(name)) expect(s.healthcheck?.test, name).toEqual(['NONE']);
        else expect(s.healthcheck?.test?.length, name).toBeGreaterThan(0);
      }
      // The long-running marketlake services: one image, the same environment, /healthz probed.
      const core = ['scheduler', 'worker', 'stream', 'ui'];
      for (const name of core) {
        const s = services[name]!;
        expect(s.image).toBe('marketlake:local');
        expect(s.healthcheck?.test?.join(' ')).toContain('/healthz');
        expect(s.depends_on?.init?.condition).toBe('service_completed_successfully');
        for (const key of ['LAKE_URL', 'S3_ENDPOINT', 'DATABASE_URL', 'REDIS_URL', 'METRICS_PORT'])
          expect(s.environment?.[key], `${name} ${key}`).toBe(services.worker!.environment?.[key]);
      }
      expect(services.worker?.environment?.LAKE_URL).toMatch(/^s3:\/\//);
      expect(services.scheduler?.command).toEqual(['schedule', '--watch']);
      expect(services.worker?.command?.[0]).toBe('worker');
      // Scalable: no fixed name, no published port.
      expect(services.worker?.container_name).toBeUndefined();
      expect(services.worker?.ports).toBeUndefined();
      expect(services.prometheus?.profiles).toEqual(['monitoring']);
      expect(services.grafana?.profiles).toEqual(['monitoring']);
    },
  );

  it('commits no secrets: every password in the compose file comes from .env', () => {
    const compose = read('docker-compose.yml');
    for (const line of compose.split('\n')) {
      const m = /^\s*([A-Z_]*(?:PASSWORD|SECRET[A-Z_]*))\s*:\s*(.+)$/.exec(line);
      if (m) expect(m[2], line).toMatch(/^\$\{[A-Z_]+:\?[^}]*\}$|^\$\{[A-Z_]+:-\}$/);
    }
    expect(compose).not.toMatch(/postgres:\/\/[^:$]+:[^$@]+@/);
    expect(read('.env.example')).toMatch(/POSTGRES_PASSWORD=CHANGE-ME/);
  });

  it('alert rules and the Grafana dashboard use only series marketlake exports', async () => {
    const names = await exportedNames();
    const alerts = read('infra/prometheus/alerts.yml');
    const rules = (
      parse(alerts) as { groups: { rules: { alert: string; expr: string }[] }[] }
    ).groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThanOrEqual(8);
    const dashboard = JSON.parse(read('infra/grafana/dashboards/marketlake-overview.json')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const exprs = [
      ...rules.map((r) => r.expr),
      ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)),
    ];
    const used = new Set(exprs.flatMap((e) => [...e.matchAll(/\bmarketlake_\w+/g)].map((m) => m[0])));
    expect(used.size).toBeGreaterThanOrEqual(12);
    expect([...used].filter((n) => !names.has(n))).toEqual([]);
    // The dashboard covers what the issue names.
    const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join(' | ');
    for (const t of ['ingested', 'quarantine', 'run duration', 'queue depth', 'stream lag'])
      expect(titles).toContain(t);
    const prometheus = parse(read('infra/prometheus/prometheus.yml')) as {
      rule_files: string[];
      scrape_configs: { dns_sd_configs: { port: number }[] }[];
    };
    expect(prometheus.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
    expect(prometheus.scrape_configs[0]?.dns_sd_configs[0]?.port).toBe(9464);
  });

  it('the image is multi-stage, non-root, compiled JavaScript only, with a /healthz health check', () => {
    const dockerfile = read('Dockerfile');
    const stages = [...dockerfile.matchAll(/^FROM \S+ AS (\S+)$/gm)].map((m) => m[1]);
    expect(stages).toEqual(['toolchain', 'deps', 'build', 'prod-deps', 'runtime']);
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*\n?.*\/healthz/m);
    const copies = [...runtime.matchAll(/^COPY (.*)$/gm)].map((m) => m[1]!);
    // Only production dependencies, compiled output, SQL, static assets and the launcher.
    expect(copies.every((c) => /--from=(prod-deps|build)|^(package\.json|bin|sql|web\/public)/.test(c))).toBe(
      true,
    );
    expect(runtime).toContain('--from=prod-deps /app/node_modules');
    expect(dockerfile.slice(dockerfile.indexOf('AS prod-deps'))).toMatch(/npm ci --omit=dev/);
    const ignore = read('.dockerignore').split('\n');
    for (const path of ['test/', 'lake/', 'dist/', '**/node_modules', '**/.env'])
      expect(ignore).toContain(path);
    // The Dockerfile lints clean (hadolint is in neither Debian nor npm: dockerfile-utils).
    const lint = spawnSync(join(root, 'node_modules/.bin/dockerfile-utils'), ['lint', 'Dockerfile'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
  });
});
