import type { ApiKeyRole } from '../../schema';

/** The API key an operation runs under, as established once per HTTP request or websocket connection. */
export interface AuthenticatedKey {
  /** Id of the stored key (hex ObjectId); the rate-limit and log identity. */
  id: string;
  /** Human name given at creation. */
  name: string;
  role: ApiKeyRole;
}
