import { useQuery } from '@tanstack/react-query';
import { request } from './client.js';
import { v1 } from './queries.js';
import type { TeamsEdgeState } from './types.js';

/**
 * The Teams edge's state (platform operators). Polled every 15 s: "healthy" follows Microsoft's 3-minute rule,
 * which the server evaluates at each read, so a proxy that stopped answering turns unhealthy without a reload.
 */
export function useTeamsEdge(enabled: boolean) {
  return useQuery({
    queryKey: ['teams-edge'] as const,
    queryFn: () => request<TeamsEdgeState>('GET', v1('/teams-edge')),
    enabled,
    refetchInterval: 15_000,
  });
}
