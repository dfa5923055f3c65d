// The overview's API shapes, taken from the server's zod schemas (types only).
import type { z } from 'zod';
import type { accountHealthView, clientHealthPage } from '../../../src/api/routes/health-overview.schema.js';

export type AccountHealth = z.infer<typeof accountHealthView>;
export type ClientHealthPage = z.infer<typeof clientHealthPage>;
export type ClientHealth = ClientHealthPage['items'][number];
