// Camera, microphone and the two peer connections (DESIGN.md "Media path"): the
// publisher offers sendonly audio + video; the subscriber answers kamerd's offers.

const PC_CONFIG = { iceServers: [], bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };
const VIDEO = { width: 640, height: 480 };

/**
 * Asks for camera and microphone; when one is missing or refused, settles for the
 * other, and for nothing at all rather than failing the join.
 * Resolves to { stream, audio, video } where a missing track is null.
 */
export async function getLocalMedia() {
  const tries = [{ audio: true, video: VIDEO }, { audio: true }, { video: VIDEO }];
  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    for (const c of tries) {
      try {
        const stream = await navigator.mediaDevices.getUserMedia(c);
        return {
          stream,
          audio: stream.getAudioTracks()[0] || null,
          video: stream.getVideoTracks()[0] || null,
        };
      } catch { /* try with less */ }
    }
  }
  return { stream: new MediaStream(), audio: null, video: null };
}

export function stopLocalMedia(local) {
  if (!local) return;
  for (const tr of local.stream.getTracks()) tr.stop();
}

/** Calls onFailed once when the connection fails for good. */
function watch(pc, onFailed) {
  pc.addEventListener('connectionstatechange', () => {
    if (pc.connectionState === 'failed' && onFailed) {
      const fn = onFailed;
      onFailed = null;
      fn();
    }
  });
}

/** The publishing connection: one audio and one video m-section, both sendonly. */
export class Publisher {
  constructor(local, onFailed) {
    this.pc = new RTCPeerConnection(PC_CONFIG);
    for (const kind of ['audio', 'video']) {
      const track = local[kind];
      if (track) this.pc.addTransceiver(track, { direction: 'sendonly', streams: [local.stream] });
      else this.pc.addTransceiver(kind, { direction: 'sendonly' });
    }
    watch(this.pc, onFailed);
  }

  /** The offer's SDP, to send in a `publish` message. kamerd is ICE-lite and learns our address from STUN. */
  async offer() {
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    return this.pc.localDescription.sdp;
  }

  async answer(sdp) {
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
  }

  close() {
    this.pc.close();
  }
}

/**
 * The receiving connection, created on the first `subscribe_offer`. onTrack(participantId,
 * track) is called for every track that arrives; the participant is the stream id that
 * kamerd puts in a=msid, or failing that the `tracks` list of the offer, by mid.
 */
export class Subscriber {
  constructor(onTrack, onFailed) {
    this.pc = new RTCPeerConnection(PC_CONFIG);
    this.byMid = new Map();
    this.queue = Promise.resolve();
    this.pc.addEventListener('track', (ev) => {
      const mid = ev.transceiver && ev.transceiver.mid;
      const pid = (ev.streams[0] && ev.streams[0].id) || this.byMid.get(mid);
      if (pid) onTrack(pid, ev.track);
    });
    watch(this.pc, onFailed);
  }

  /** Answers one offer; offers are handled strictly in order. Resolves to the answer SDP. */
  handleOffer(msg) {
    const run = async () => {
      if (Array.isArray(msg.tracks)) {
        for (const tr of msg.tracks) if (tr && tr.mid != null) this.byMid.set(String(tr.mid), tr.participant);
      }
      await this.pc.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
      const answer = await this.pc.createAnswer();
      await this.pc.setLocalDescription(answer);
      return this.pc.localDescription.sdp;
    };
    const p = this.queue.then(run);
    this.queue = p.catch(() => {});
    return p;
  }

  close() {
    this.pc.close();
  }
}
