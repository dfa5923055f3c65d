import type {
  MediaAnswerRequest,
  MediaBlockRequest,
  MediaOfferRequest,
  MediaRelay,
  MediaRelayStatus,
  MediaStats,
} from '../../../src/media/media-relay.js';

/**
 * A stand-in for the media relay in the B2BUA's signalling tests, until the rtpengine relay (branch `media`) is
 * merged: it hands SDP through unchanged and keeps what it was asked, so the tests prove which offer and answer
 * went toward which side and that every call's media is deleted. It can be made unavailable like a stopped
 * rtpengine. The audio tests use the real relay.
 */
export class SignallingRelay implements MediaRelay {
  readonly offers: MediaOfferRequest[] = [];
  readonly answers: MediaAnswerRequest[] = [];
  readonly deleted: string[] = [];
  readonly blocks: MediaBlockRequest[] = [];
  unavailable: string | undefined;

  status(): MediaRelayStatus {
    return this.unavailable
      ? { state: 'unavailable', reason: this.unavailable }
      : { state: 'available', relay: 'signalling-only' };
  }

  offer(request: MediaOfferRequest): Promise<string> {
    this.offers.push(request);
    return Promise.resolve(request.sdp);
  }

  answer(request: MediaAnswerRequest): Promise<string> {
    this.answers.push(request);
    return Promise.resolve(request.sdp);
  }

  block(request: MediaBlockRequest): Promise<void> {
    this.blocks.push(request);
    return Promise.resolve();
  }

  delete(callId: string): Promise<MediaStats | undefined> {
    this.deleted.push(callId);
    return Promise.resolve(undefined);
  }

  query(): Promise<MediaStats | undefined> {
    return Promise.resolve(undefined);
  }
}
