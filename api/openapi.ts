import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

/**
 * The OpenAPI 3.1 description of the JSON API, generated from the same zod schemas the routes validate with: each
 * route registers its schemas here when it is defined, and `GET /api/openapi.json` serves the document.
 */
export interface RouteDoc {
  method: 'get' | 'post';
  /** Fastify-style path (`/api/runs/:runId`). */
  path: string;
  summary: string;
  tags: string[];
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: { contentType: string; schema: z.ZodType };
  /** Each status the route answers; a body may come in several media types (a download in the file's own). */
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string | string[] }>;
  /** Routes read with a recipient's access key. */
  accessKey?: boolean;
}

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'openapi-3.0' }) as Record<string, unknown>;

export class OpenApiRegistry {
  private readonly routes: RouteDoc[] = [];

  add(doc: RouteDoc): void {
    this.routes.push(doc);
  }

  /**
   * Answers 405 Method Not Allowed, with the Allow header, for every method a documented path does not have (Fastify
   * alone would answer 404, or 400 for a QUERY without a body type). Called once every route is registered; the check
   * runs before the body is read.
   */
  refuseOtherMethods(app: FastifyInstance): void {
    const byPath = new Map<string, Set<string>>();
    for (const r of this.routes) (byPath.get(r.path) ?? byPath.set(r.path, new Set()).get(r.path))?.add(r.method.toUpperCase());
    for (const [path, methods] of byPath) {
      // Fastify answers HEAD for every GET route by itself.
      const allowed = [...methods, ...(methods.has('GET') ? ['HEAD'] : [])].sort();
      const others = app.supportedMethods.filter((m) => !allowed.includes(m));
      app.route({
        method: others,
        url: path,
        onRequest: async (request, reply) => {
          await reply
            .status(405)
            .header('Allow', allowed.join(', '))
            .send({ error: `${request.method} er ikke en metode for ${path}; bruk ${allowed.join(', ')}` });
        },
        handler: async () => undefined,
      });
    }
  }

  document(info: { title: string; version: string }): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of this.routes) {
      const path = r.path.replace(/:([A-Za-z]+)/g, '{$1}');
      const parameters = [
        ...Object.entries(r.params?.shape ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema: jsonSchema(schema as z.ZodType) })),
        ...Object.entries(r.query?.shape ?? {}).map(([name, schema]) => ({
          name,
          in: 'query',
          required: !(schema as z.ZodType).safeParse(undefined).success,
          schema: jsonSchema(schema as z.ZodType),
        })),
      ];
      (paths[path] ??= {})[r.method] = {
        summary: r.summary,
        tags: r.tags,
        ...(parameters.length ? { parameters } : {}),
        ...(r.body ? { requestBody: { required: true, content: { [r.body.contentType]: { schema: jsonSchema(r.body.schema) } } } } : {}),
        ...(r.accessKey ? { security: [{ accessKey: [] }] } : {}),
        responses: Object.fromEntries(
          Object.entries(r.responses).map(([status, res]) => {
            const types = [res.contentType ?? 'application/json'].flat();
            const schema = res.schema;
            return [status, { description: res.description, ...(schema ? { content: Object.fromEntries(types.map((t) => [t, { schema: jsonSchema(schema) }])) } : {}) }];
          }),
        ),
      };
    }
    return {
      openapi: '3.1.0',
      info,
      paths,
      components: { securitySchemes: { accessKey: { type: 'http', scheme: 'bearer', description: 'a recipient access key from `arshjul access add`' } } },
    };
  }
}

/** The body of every 4xx/5xx answer. */
export const errorBody = z.object({
  error: z.string().describe('what was wrong and how to fix it'),
  issues: z.array(z.object({ path: z.string(), message: z.string() }).loose()).optional(),
});
