import type { paths } from './api-types.generated.js';

/**
 * The JSON body a route answers with (200), read from the generated API types, so a portal type follows its route.
 *
 * @example type CallsPage = ApiResponse<'/api/v1/accounts/{accountId}/calls'>;
 */
export type ApiResponse<
  P extends keyof paths,
  M extends 'get' | 'post' | 'put' | 'patch' = 'get',
> = paths[P][M] extends { responses: { 200: { content: { 'application/json': infer T } } } } ? T : never;
