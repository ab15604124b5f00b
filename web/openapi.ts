import { z } from 'zod';
import type { ApiRoute } from './api-routes.js';
import { LivePath, LiveQuery } from './api-schemas.js';

export const API_PREFIX = '/api/v1';

type JsonSchema = Record<string, unknown>;

function schemaOf(field: z.ZodType): JsonSchema {
  const { $schema: _drop, ...schema } = z.toJSONSchema(field, {
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  return schema;
}

function parameters(object: z.ZodObject | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!object) return [];
  return Object.entries(object.shape).map(([name, field]) => {
    const schema = schemaOf(field as z.ZodType);
    const { description, ...rest } = schema;
    return {
      name,
      in: where,
      required: where === 'path' || !(field as z.ZodType).safeParse(undefined).success,
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

const errorResponse = {
  description: 'Bad parameters (400) or nothing found (404)',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: {
          error: { type: 'string' },
          message: { type: 'string' },
          issues: {
            type: 'array',
            items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
          },
        },
        required: ['error', 'message'],
      },
    },
  },
};

/** The OpenAPI 3.1 document of /api/v1, generated from the routes' zod schemas. */
export function buildOpenApi(routes: readonly ApiRoute[], version: string): JsonSchema {
  const paths: Record<string, JsonSchema> = {};
  for (const r of routes) {
    const path = API_PREFIX + r.path.replace(/:([a-z_]+)/g, '{$1}');
    paths[path] = {
      get: {
        summary: r.summary,
        tags: [r.tag],
        parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query')],
        responses: {
          '200': { description: r.returns, content: { 'application/json': { schema: { type: 'object' } } } },
          '304': { description: 'Not modified (If-None-Match matched the ETag)' },
          '400': errorResponse,
          '404': errorResponse,
        },
      },
    };
  }
  paths[`${API_PREFIX}/live/{kind}`] = {
    get: {
      summary:
        'Server-Sent Events: live alerts, 1-minute bars or trades as the stream worker commits them (event name = kind)',
      tags: ['live'],
      parameters: [...parameters(LivePath, 'path'), ...parameters(LiveQuery, 'query')],
      responses: {
        '200': { description: 'text/event-stream; each event is one JSON object (streaming/live-events.ts)' },
        '400': errorResponse,
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'marketlake API',
      version,
      description:
        'Read-only access to the gold tables of a marketlake lake (PostgreSQL when DATABASE_URL is set, else the lake through DuckDB), its run history, data-quality report and live events.',
    },
    paths,
  };
}
