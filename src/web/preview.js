// The join page's preview: your camera as others will see it, the choice of camera and
// microphone, and "join with my microphone / camera off".

import { t, onLangChange } from './i18n.js';
import { getLocalMedia, stopLocalMedia } from './media.js';

const $ = (id) => document.getElementById(id);

export class Preview {
  constructor() {
    this.local = null;
    this.busy = null;
    for (const id of ['dev-video', 'dev-audio']) $(id).addEventListener('change', () => this.restart());
    $('join-cam-off').addEventListener('change', () => this.show());
    onLangChange(() => this.fill());
    this.devices = [];
  }

  choice() {
    return { video: $('dev-video').value || undefined, audio: $('dev-audio').value || undefined };
  }

  /** Opens the chosen devices and lists them (labels need a granted permission). */
  start() {
    const run = async () => {
      stopLocalMedia(this.local);
      this.local = await getLocalMedia(this.choice());
      if (navigator.mediaDevices && navigator.mediaDevices.enumerateDevices) {
        this.devices = await navigator.mediaDevices.enumerateDevices().catch(() => []);
      }
      this.fill();
      this.show();
      return this.local;
    };
    this.busy = (this.busy || Promise.resolve()).then(run, run);
    return this.busy;
  }

  restart() {
    return this.start();
  }

  fill() {
    const cur = { video: this.local && this.local.video, audio: this.local && this.local.audio };
    for (const [kind, sel] of [['video', $('dev-video')], ['audio', $('dev-audio')]]) {
      const want = sel.value || (cur[kind] && cur[kind].getSettings().deviceId) || '';
      sel.replaceChildren();
      const list = this.devices.filter((d) => d.kind === `${kind}input` && d.deviceId);
      list.forEach((d, i) => {
        const o = document.createElement('option');
        o.value = d.deviceId;
        o.textContent = d.label || `${t(kind === 'video' ? 'join.camera' : 'join.mic')} ${i + 1}`;
        sel.append(o);
      });
      const none = document.createElement('option');
      none.value = 'none';
      none.textContent = t('join.nodevice');
      sel.append(none);
      sel.value = [...sel.options].some((o) => o.value === want) ? want : (list[0] ? list[0].deviceId : 'none');
    }
  }

  show() {
    const v = $('preview');
    const track = this.local && this.local.video;
    const off = !track || $('join-cam-off').checked;
    const want = off ? null : track;
    const cur = v.srcObject && v.srcObject.getVideoTracks()[0];
    if (cur !== (want || undefined)) {
      v.srcObject = want ? new MediaStream([want]) : null;
      if (want) v.play().catch(() => {});
    }
    $('preview-off').hidden = !off;
  }

  /**
   * Hands the open devices to the meeting, with "off on entry" applied; the preview no
   * longer owns them.
   */
  async take() {
    if (this.busy) await this.busy.catch(() => {});
    const local = this.local || await getLocalMedia(this.choice());
    this.local = null;
    $('preview').srcObject = null;
    if (local.audio && $('join-mic-off').checked) local.audio.enabled = false;
    if (local.video && $('join-cam-off').checked) local.video.enabled = false;
    return local;
  }

  stop() {
    stopLocalMedia(this.local);
    this.local = null;
    $('preview').srcObject = null;
  }
}
