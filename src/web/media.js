// Camera, microphone and the two peer connections (DESIGN.md "Media path"): the
// publisher offers sendonly audio + video; the subscriber answers kamerd's offers.

const PC_CONFIG = { iceServers: [], bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };
const VIDEO = { width: 640, height: 480 };

/**
 * Asks for camera and microphone (the devices chosen on the join page, when given); when
 * one is missing or refused, settles for the other, and for nothing at all rather than
 * failing the join. Resolves to { stream, audio, video } where a missing track is null.
 */
export async function getLocalMedia(devices = {}) {
  const audio = devices.audio ? { deviceId: { exact: devices.audio } } : true;
  const video = devices.video ? { ...VIDEO, deviceId: { exact: devices.video } } : VIDEO;
  const tries = [{ audio, video }, { audio }, { video }];
  if (devices.audio === 'none') tries.splice(0, 2, { video });
  if (devices.video === 'none') tries.splice(0, 3, { audio });
  if (devices.audio === 'none' && devices.video === 'none') tries.length = 0;
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

/** The screen (or a window) to share: a video track, or null when refused. */
export async function getScreen() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getDisplayMedia) return null;
  try {
    const s = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: 15 }, audio: false });
    return s.getVideoTracks()[0] || null;
  } catch {
    return null;
  }
}

export function stopLocalMedia(local) {
  if (!local) return;
  for (const tr of local.stream.getTracks()) tr.stop();
}

/**
 * Calls onTrouble once when the connection fails, or stays disconnected for longer than
 * DISCONNECTED_MS: the caller then reconnects (a new connection is the ICE restart).
 */
const DISCONNECTED_MS = 3000;
function watch(pc, onTrouble) {
  let timer = 0;
  const fire = () => {
    const fn = onTrouble;
    onTrouble = null;
    if (fn) fn();
  };
  pc.addEventListener('connectionstatechange', () => {
    clearTimeout(timer);
    if (pc.connectionState === 'failed') fire();
    else if (pc.connectionState === 'disconnected') timer = setTimeout(fire, DISCONNECTED_MS);
  });
}

/**
 * The publishing connection: audio and video sendonly, and the screen as a second video
 * m-section when one is shared. kamerd builds a new transport for every `publish`, so a
 * change (a screen added or stopped, a reconnect) is a new Publisher with a new offer.
 */
export class Publisher {
  constructor(local, screen, onTrouble) {
    this.pc = new RTCPeerConnection(PC_CONFIG);
    for (const kind of ['audio', 'video']) {
      const track = local[kind];
      if (track) this.pc.addTransceiver(track, { direction: 'sendonly', streams: [local.stream] });
      else this.pc.addTransceiver(kind, { direction: 'sendonly' });
    }
    this.screen = screen ? this.pc.addTransceiver(screen, { direction: 'sendonly', streams: [new MediaStream([screen])] }) : null;
    watch(this.pc, onTrouble);
  }

  /** The `publish` message for this connection: its offer, and screen_mid when sharing. */
  async offer() {
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    const msg = { type: 'publish', sdp: this.pc.localDescription.sdp };
    if (this.screen && this.screen.mid != null) msg.screen_mid = this.screen.mid;
    return msg;
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
 * track, source) is called for every track that arrives and again when an offer moves a
 * transceiver to another participant or source; the participant is the stream id that
 * kamerd puts in a=msid, or failing that the `tracks` list of the offer, by mid.
 */
export class Subscriber {
  constructor(onTrack, onTrouble) {
    this.pc = new RTCPeerConnection(PC_CONFIG);
    this.byMid = new Map(); // mid -> { participant, source }
    this.queue = Promise.resolve();
    this.onTrack = onTrack;
    this.pc.addEventListener('track', (ev) => {
      const mid = ev.transceiver && ev.transceiver.mid;
      const info = this.byMid.get(mid) || {};
      const pid = info.participant || (ev.streams[0] && ev.streams[0].id);
      if (pid) onTrack(pid, ev.track, info.source || (ev.track.kind === 'audio' ? 'microphone' : 'camera'));
    });
    watch(this.pc, onTrouble);
  }

  /** Answers one offer; offers are handled strictly in order. Resolves to the answer SDP. */
  handleOffer(msg) {
    const run = async () => {
      if (Array.isArray(msg.tracks)) {
        for (const tr of msg.tracks) {
          if (tr && tr.mid != null) this.byMid.set(String(tr.mid), { participant: tr.participant, source: tr.source });
        }
      }
      await this.pc.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
      // A transceiver that kamerd reuses for another track fires no new 'track' event.
      for (const tr of this.pc.getTransceivers()) {
        const info = tr.mid != null && this.byMid.get(tr.mid);
        if (info && tr.receiver.track && tr.kamerFor !== `${info.participant}/${info.source}`) {
          if (tr.kamerFor) this.onTrack(info.participant, tr.receiver.track, info.source);
          tr.kamerFor = `${info.participant}/${info.source}`;
        }
      }
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
