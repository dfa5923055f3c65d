/** The overview's API shapes, from the generated API types. */
import type { components } from '../api/api-types.generated.js';

export type AccountHealth = components['schemas']['AccountHealth'];
export type ClientHealthPage = components['schemas']['ClientHealthPage'];
export type ClientHealth = ClientHealthPage['items'][number];
