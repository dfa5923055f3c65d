/** The call log's API shapes, from the generated API types (src/calls/records/call-records.schema.ts on the server). */
import type { ApiResponse } from '../api/api-response.js';

export type CallsPage = ApiResponse<'/api/v1/accounts/{accountId}/calls'>;
export type Call = CallsPage['items'][number];
export type CallResult = Call['result'];
export type CallLeg = Call['legs'][number];
export type CallDetail = ApiResponse<'/api/v1/accounts/{accountId}/calls/{callId}'>;
export type FailureAdvice = NonNullable<CallDetail['advice']>;
export type LadderEntry = ApiResponse<'/api/v1/accounts/{accountId}/calls/{callId}/ladder'>['items'][number];
