import { RtpPeer } from '../../../src/media/peer/rtp-peer.js';
import { RtpengineRelay } from '../../../src/media/rtpengine-relay.js';
import { createTeamsPki, type TeamsPki } from '../../sip/support/teams-pki.js';
import { RtpengineDaemon } from '../../support/rtpengine-daemon.js';

/** The media parts of the audio interop suites: certificates, a real rtpengine, its relay, and Teams' media peer. */
export interface TeamsMedia {
  pki: TeamsPki;
  daemon: RtpengineDaemon;
  relay: RtpengineRelay;
  /** Teams' media processor: an SDES-SRTP (AES_CM_128_HMAC_SHA1_80) peer sending a 1 kHz tone. */
  teams: RtpPeer;
  /**
   * The emulator's `mediaSdp`: the Teams peer's SDP, after taking the offer rtpengine made toward Teams when
   * `offerToAnswer` gives one (answering a call to Teams, its answer must echo that offer's crypto tag).
   */
  answerWith(offerToAnswer: () => string | undefined): () => Buffer;
  stop(): Promise<void>;
}

/**
 * Starts the media parts shared by the B2BUA and trunk audio suites.
 *
 * @example const media = await startTeamsMedia(); h = await startCallHarness(media.pki, { relay: media.relay, ... });
 */
export async function startTeamsMedia(): Promise<TeamsMedia> {
  const pki = await createTeamsPki();
  const daemon = await RtpengineDaemon.start();
  const relay = await RtpengineRelay.open({ target: daemon.target });
  const teams = await RtpPeer.open({ srtp: true, toneHz: 1000 });
  return {
    pki,
    daemon,
    relay,
    teams,
    answerWith: (offerToAnswer) => () => {
      const offer = offerToAnswer();
      if (offer) teams.setRemote(offer);
      return Buffer.from(teams.sdp());
    },
    async stop() {
      teams.close();
      relay.close();
      await daemon.stop();
      await pki.remove();
    },
  };
}
