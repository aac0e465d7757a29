import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { ApiKeyRole } from '../../schema';
import type { GatewayContext } from '../context';
import { BadUserInputError, NotFoundError } from '../errors/gateway-errors';
import type { GatewayServices } from '../gateway-services';
import { ApiKeyInfo } from './api-key-info.type';
import { CreatedApiKey } from './created-api-key.type';

const MAX_NAME_LENGTH = 100;

@Resolver()
export class ApiKeyResolver {
  constructor(private readonly services: GatewayServices) {}

  @Query(() => ApiKeyInfo, { description: 'The API key this request runs under.' })
  me(@Ctx() ctx: GatewayContext): ApiKeyInfo {
    return { id: ctx.auth.id, name: ctx.auth.name, role: ctx.auth.role, createdAt: null, revokedAt: null };
  }

  @Authorized(ApiKeyRole.ADMIN)
  @Query(() => [ApiKeyInfo], { description: 'Every API key, newest first. ADMIN only.' })
  async apiKeys(): Promise<ApiKeyInfo[]> {
    return this.services.apiKeys.list();
  }

  @Authorized(ApiKeyRole.ADMIN)
  @Mutation(() => CreatedApiKey, { description: 'Creates an API key; the key is in the answer, once. ADMIN only.' })
  async createApiKey(
    @Arg('name') name: string,
    @Arg('role', () => ApiKeyRole) role: ApiKeyRole,
    @Ctx() ctx: GatewayContext,
  ): Promise<CreatedApiKey> {
    const trimmed = name.trim();
    if (trimmed.length === 0 || trimmed.length > MAX_NAME_LENGTH)
      throw new BadUserInputError(`\`name\` must hold 1..${MAX_NAME_LENGTH} characters`, { argument: 'name' });
    const created = await this.services.apiKeys.create(trimmed, role);
    ctx.logger.info({ createdKeyId: created.id, role }, 'API key created');
    return created;
  }

  @Authorized(ApiKeyRole.ADMIN)
  @Mutation(() => Boolean, {
    description:
      'Revokes an API key at once on this gateway, closing its open websockets (4403); other replicas follow within the key cache TTL (seconds). True when revoked (also if it already was). ADMIN only.',
  })
  async revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<boolean> {
    if (!/^[0-9a-fA-F]{24}$/.test(id)) throw new BadUserInputError('`id` is not an API key id', { argument: 'id' });
    if (!(await this.services.apiKeys.revoke(id))) throw new NotFoundError(`no API key with id ${id}`, { id });
    ctx.logger.info({ revokedKeyId: id }, 'API key revoked');
    return true;
  }
}
