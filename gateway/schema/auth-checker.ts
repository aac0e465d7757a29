import type { AuthChecker } from 'type-graphql';
import type { ApiKeyRole } from '../../schema';
import type { GatewayContext } from '../context';
import { ForbiddenError, UnauthenticatedError } from '../errors/gateway-errors';

/**
 * `@Authorized(roles)`: the operation's key must hold one of `roles`. Throws (rather than returning
 * false) so the client sees FORBIDDEN from the one error enum.
 */
export const roleAuthChecker: AuthChecker<GatewayContext, ApiKeyRole> = ({ context }, roles) => {
  const role = context?.auth?.role;
  if (role === undefined) throw new UnauthenticatedError();
  if (roles.length === 0 || roles.includes(role)) return true;
  throw new ForbiddenError(`this operation needs a key with role ${roles.join(' or ')}; this key is ${role}`);
};
