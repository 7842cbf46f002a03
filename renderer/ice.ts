/**
 * ICE candidates between the browser's WebRTC types and the call schema (shared/schema/call.ts),
 * for both ends of a video call-back: the console page and the leader's field page.
 */
import type { IceCandidate } from '../shared/schema/call';

/** A local candidate as the signalling message carries it. */
export function candidateSignal(candidate: RTCIceCandidate): IceCandidate {
  const c = candidate.toJSON();
  return { candidate: c.candidate ?? '', sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null, usernameFragment: c.usernameFragment ?? null };
}

/** A remote candidate from a signalling message, for addIceCandidate. */
export function candidateInit(c: IceCandidate): RTCIceCandidateInit {
  return { candidate: c.candidate, sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null };
}
