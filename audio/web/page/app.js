// parley's browser audio page: microphone to parley, parley's voice to the
// speaker, the transcript, and the connection's state. Plain JavaScript,
// served by parley itself.
'use strict';

const PROTOCOL = 1;
const SILENT_LIMIT_MS = 5000; // parley pings every second: this long without a word means the link is dead
const MAX_BACKLOG = 64 * 1024; // bytes of unsent capture (2 s) before frames are dropped
const $ = (id) => document.getElementById(id);

const page = {
  token: new URLSearchParams(location.search).get('token') || '',
  ctx: null,
  track: null,
  capture: null,
  player: null,
  ws: null,
  attached: false,
  retry: 0,
  framesSent: 0,
  framesDropped: 0,
  playerStats: {},
  arrivals: new Map(), // playback id -> performance.now() when its first chunk arrived
  delays: [], // recent first-sample delays, ms
  jitterMs: 100,
  lastHeard: 0,
  pttDown: false,
};

function setConn(text, cls) {
  const el = $('conn');
  el.textContent = text;
  el.className = 'state ' + cls;
}

function hint(text) {
  $('hint').textContent = text || '';
  $('hint').hidden = !text;
}

// ---- audio ----

// openContext runs audio at 16 kHz, parley's rate, where the browser allows
// it (the browser then resamples the microphone and the output with its own
// filters); elsewhere (Firefox refuses a microphone at another rate than its
// own), or when the address asks for another rate (&rate=48000, for
// troubleshooting), the worklets resample.
async function openContext(stream) {
  const rate = Number(new URLSearchParams(location.search).get('rate')) || 16000;
  try {
    const ctx = new AudioContext({ sampleRate: rate, latencyHint: 'interactive' });
    try {
      return { ctx, source: ctx.createMediaStreamSource(stream) };
    } catch (e) {
      await ctx.close();
    }
  } catch (e) {
    // this rate is not supported: the device's own below
  }
  const ctx = new AudioContext({ latencyHint: 'interactive' });
  return { ctx, source: ctx.createMediaStreamSource(stream) };
}

function clicked(button) {
  button.hidden = false;
  return new Promise((resolve) => button.addEventListener('click', () => { button.hidden = true; resolve(); }, { once: true }));
}

async function startAudio() {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
  });
  page.track = stream.getAudioTracks()[0];
  const { ctx, source } = await openContext(stream);
  if (ctx.state !== 'running') {
    setConn('click "Start audio"', 'connecting');
    await clicked($('start'));
    await ctx.resume();
  }
  await ctx.audioWorklet.addModule('/assets/worklet.js');
  page.capture = new AudioWorkletNode(ctx, 'parley-capture', { numberOfOutputs: 1, outputChannelCount: [1] });
  source.connect(page.capture);
  page.capture.connect(ctx.destination); // it outputs silence; connected so that it is always pulled
  page.capture.port.onmessage = (e) => onFrame(e.data);
  page.player = new AudioWorkletNode(ctx, 'parley-player', {
    numberOfInputs: 0, numberOfOutputs: 1, outputChannelCount: [1],
    processorOptions: { jitterMs: page.jitterMs },
  });
  page.player.connect(ctx.destination);
  page.player.port.onmessage = (e) => onPlayer(e.data);
  page.ctx = ctx;
  ctx.onstatechange = () => watchContext(ctx);
}

// watchContext offers to resume audio the browser paused (parley drops
// sounds the page does not play, so nothing piles up meanwhile).
function watchContext(ctx) {
  if (ctx.state === 'running') {
    $('start').hidden = true;
    hint('');
  } else if (ctx.state !== 'closed') {
    hint('The browser paused the audio. Click "Start audio" to resume.');
    clicked($('start')).then(() => ctx.resume());
  }
}

function onFrame(m) {
  $('level').style.width = Math.min(100, Math.sqrt(m.rms) * 200) + '%';
  const ws = page.ws;
  if (!ws || ws.readyState !== WebSocket.OPEN || !page.attached) return;
  if (ws.bufferedAmount > MAX_BACKLOG) {
    page.framesDropped++;
    return;
  }
  ws.send(m.frame);
  page.framesSent++;
}

function onPlayer(m) {
  if (m.type === 'stats') {
    page.playerStats = m;
    return;
  }
  if (m.type === 'started') noteDelay(m.id, m.at);
  send(m); // started, ended: parley waits for them
}

// noteDelay records how long a sound's first sample took from arriving on
// the socket to reaching the audio output: getOutputTimestamp maps context
// time to the moment the output presents it, so the jitter buffer's wait,
// the rendering and the output latency are all included.
function noteDelay(id, at) {
  const arrival = page.arrivals.get(id);
  page.arrivals.delete(id);
  const ts = page.ctx.getOutputTimestamp();
  if (arrival === undefined || !ts.performanceTime) return;
  page.delays.push(ts.performanceTime + (at - ts.contextTime) * 1000 - arrival);
  if (page.delays.length > 200) page.delays.shift();
}

function summary(values) {
  if (values.length === 0) return { n: 0, mean: 0, p95: 0, max: 0 };
  const s = values.slice().sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return { n: s.length, mean, p95: s[Math.ceil(0.95 * s.length) - 1], max: s[s.length - 1] };
}

function stats() {
  const s = page.track ? page.track.getSettings() : {};
  const p = page.playerStats;
  return {
    rate: page.ctx.sampleRate,
    context: page.ctx.state,
    base_latency_ms: (page.ctx.baseLatency || 0) * 1000,
    output_latency_ms: (page.ctx.outputLatency || 0) * 1000,
    capture_latency_ms: (s.latency || 0) * 1000,
    echo_cancellation: !!s.echoCancellation,
    noise_suppression: !!s.noiseSuppression,
    auto_gain_control: !!s.autoGainControl,
    frames_sent: page.framesSent,
    played: p.played || 0,
    underruns: p.underruns || 0,
    buffered_ms: p.buffered_ms || 0,
    jitter_ms: p.jitter_ms || page.jitterMs,
    first_ms: summary(page.delays),
  };
}

function showStats() {
  const s = stats();
  $('stats').textContent =
    `${s.rate} Hz · sent ${s.frames_sent} frames (${page.framesDropped} dropped) · played ${(s.played / s.rate).toFixed(1)} s · ` +
    `underruns ${s.underruns} · jitter buffer ${s.jitter_ms.toFixed(0)} ms, first sample ${s.first_ms.mean.toFixed(0)} ms (p95 ${s.first_ms.p95.toFixed(0)})`;
}

// ---- connection ----

function send(m) {
  if (page.ws && page.ws.readyState === WebSocket.OPEN) page.ws.send(JSON.stringify(m));
}

function connect() {
  $('reconnect').hidden = true;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const ws = new WebSocket(`${scheme}://${location.host}/ws?token=${encodeURIComponent(page.token)}`);
  ws.binaryType = 'arraybuffer';
  page.ws = ws;
  page.attached = false;
  setConn('connecting…', 'connecting');
  ws.onopen = () => {
    page.lastHeard = performance.now();
    ws.send(JSON.stringify({ type: 'hello', version: PROTOCOL, stats: stats() }));
  };
  ws.onmessage = (e) => {
    page.lastHeard = performance.now();
    if (typeof e.data === 'string') onText(JSON.parse(e.data));
    else onChunk(e.data);
  };
  ws.onclose = (e) => onClose(ws, e);
}

function onText(m) {
  switch (m.type) {
    case 'welcome':
      page.attached = true;
      page.retry = 0;
      hint('');
      setConn('connected', 'connected');
      $('ptt').disabled = false;
      page.player.port.postMessage({ type: 'jitter', ms: m.jitter_ms });
      $('log').replaceChildren();
      (m.events || []).forEach(addEvent);
      break;
    case 'event':
      addEvent(m);
      break;
    case 'flush':
      page.player.port.postMessage({ type: 'flush' });
      page.arrivals.clear();
      break;
  }
}

function onChunk(buf) {
  const h = new DataView(buf, 0, 12);
  const id = h.getUint32(0, true);
  const flags = h.getUint32(8, true);
  if (flags & 1) page.arrivals.set(id, performance.now());
  const pcm = new Int16Array(buf, 12);
  page.player.port.postMessage({ type: 'chunk', id, rate: h.getUint32(4, true), flags, pcm }, [buf]);
}

async function onClose(ws, e) {
  if (page.ws !== ws) return;
  page.ws = null;
  page.attached = false;
  $('ptt').disabled = true;
  page.player.port.postMessage({ type: 'flush' }); // parley dropped these sounds
  page.arrivals.clear();
  if (e.code === 4001) {
    setConn('another page took over', 'replaced');
    clicked($('reconnect')).then(connect);
    return;
  }
  if (e.code === 1008) {
    setConn('refused', 'failed');
    hint(`parley refused this page (${e.reason}). Reload it.`);
    return;
  }
  if (await staleToken()) {
    setConn('address out of date', 'failed');
    hint('This address is from an earlier run of parley. Open the address parley printed when it started.');
    return;
  }
  setConn(e.code === 1001 && e.reason ? e.reason + '; reconnecting…' : 'disconnected; reconnecting…', 'disconnected');
  if (page.retry >= 3) hint('parley does not answer. Is it running, and is the SSH tunnel (ssh -L) still open?');
  const delay = Math.min(5000, 250 * 2 ** page.retry++);
  setTimeout(connect, delay);
}

// staleToken reports whether parley answers but no longer knows this
// page's token (it was restarted).
async function staleToken() {
  try {
    const r = await fetch(location.href, { cache: 'no-store' });
    return r.status === 403;
  } catch (e) {
    return false; // parley or the tunnel is down: keep trying
  }
}

function watchdog() {
  const ws = page.ws;
  if (ws && ws.readyState === WebSocket.OPEN && performance.now() - page.lastHeard > SILENT_LIMIT_MS) ws.close();
}

// ---- transcript ----

let live = null; // the entry still growing: a partial transcript or a streaming answer

function entry(cls, text) {
  const el = document.createElement('div');
  el.className = 'entry ' + cls;
  el.textContent = text;
  $('log').appendChild(el);
  el.scrollIntoView({ block: 'end' });
  return el;
}

function dropLive() {
  if (live) live.remove();
  live = null;
}

function lastAnswer() {
  const all = $('log').querySelectorAll('.entry.parley:not(.partial)');
  return all[all.length - 1];
}

function addEvent(m) {
  switch (m.kind) {
    case 'partial':
      dropLive();
      live = entry('you partial', m.text);
      break;
    case 'delta':
      if (!live || !live.classList.contains('parley')) { dropLive(); live = entry('parley partial', ''); }
      live.textContent += m.text;
      break;
    case 'heard':
      dropLive();
      entry('you', m.text);
      break;
    case 'answer':
      dropLive();
      entry('parley', m.text);
      break;
    case 'said': {
      const a = lastAnswer();
      if (a) a.classList.add('spoken');
      break;
    }
    case 'interrupted': {
      const a = lastAnswer();
      if (a) a.classList.add('interrupted');
      break;
    }
    default:
      entry('notice', m.kind === 'notice' ? m.text : `${m.kind}: ${m.text}`);
  }
}

// ---- push-to-talk ----

function ptt(down) {
  if (page.pttDown === down) return;
  page.pttDown = down;
  $('ptt').classList.toggle('down', down);
  send({ type: 'ptt', down });
}

function bindPTT() {
  const b = $('ptt');
  b.addEventListener('pointerdown', (e) => { b.setPointerCapture(e.pointerId); ptt(true); });
  for (const ev of ['pointerup', 'pointercancel', 'lostpointercapture']) b.addEventListener(ev, () => ptt(false));
  document.addEventListener('keydown', (e) => {
    if (e.code === 'Space' && !e.repeat && !b.disabled) { e.preventDefault(); ptt(true); }
  });
  document.addEventListener('keyup', (e) => { if (e.code === 'Space') ptt(false); });
}

// ---- start ----

async function boot() {
  bindPTT();
  if (!window.AudioWorkletNode || !navigator.mediaDevices) {
    setConn('unsupported browser', 'failed');
    hint('This browser lacks AudioWorklet or microphone access (the page must be opened as http://127.0.0.1 or localhost, or over https).');
    return;
  }
  try {
    await startAudio();
  } catch (e) {
    setConn('no audio', 'failed');
    hint('Audio could not start: ' + e.message);
    return;
  }
  connect();
  setInterval(() => { send({ type: 'stats', stats: stats() }); showStats(); watchdog(); }, 500);
}

boot();
