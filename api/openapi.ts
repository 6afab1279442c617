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
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
  /** Routes read with a recipient's access key. */
  accessKey?: boolean;
}

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'openapi-3.0' }) as Record<string, unknown>;

export class OpenApiRegistry {
  private readonly routes: RouteDoc[] = [];

  add(doc: RouteDoc): void {
    this.routes.push(doc);
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
          Object.entries(r.responses).map(([status, res]) => [
            status,
            { description: res.description, ...(res.schema ? { content: { [res.contentType ?? 'application/json']: { schema: jsonSchema(res.schema) } } } : {}) },
          ]),
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
