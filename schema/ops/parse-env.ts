import type { z } from 'zod';

/**
 * Parses a deployable's environment with its zod schema, once at startup. On a bad value it throws
 * one line naming the first bad variable, e.g. `invalid ingest configuration: AMQP_URL is required`.
 */
export function parseEnv<Schema extends z.ZodType>(
  schema: Schema,
  env: NodeJS.ProcessEnv,
  configName: string,
): z.infer<Schema> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const variable = issue?.path.join('.') || 'environment';
  throw new Error(`invalid ${configName} configuration: ${variable} ${issue?.message ?? 'is invalid'}`);
}
