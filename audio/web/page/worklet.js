// parley's audio worklets: capture (microphone to 16 kHz s16le frames) and
// player (parley's sounds through a jitter buffer). They run on the audio
// thread; they only talk to the page through their ports.
'use strict';

const CAPTURE_RATE = 16000;
const FRAME = 320; // 20 ms at 16 kHz
const FIRST = 1;
const LAST = 2;

// Resampler converts a mono stream between two rates with a Kaiser-windowed
// sinc (16 zero crossings each side, pass band to 90 % of the lower Nyquist
// frequency), from a table of 128 phases with linear interpolation between
// them. push() takes the next block and returns what it completes; the
// block marked last is padded with silence so that the stream ends whole.
class Resampler {
  constructor(from, to) {
    this.step = from / to;
    const cutoff = 0.45 * Math.min(1, to / from); // cycles per input sample
    const halfLen = 16 / (2 * cutoff);
    this.half = Math.ceil(halfLen);
    this.phases = 128;
    this.table = Resampler.table(this.half, this.phases, cutoff, halfLen);
    this.buf = new Float32Array(this.half); // leading silence: history of the first sample
    this.t = this.half; // position of the next output, in samples of buf
  }

  static table(half, phases, cutoff, halfLen) {
    const taps = 2 * half;
    const table = new Float32Array((phases + 1) * taps);
    const beta = 8;
    const norm = besselI0(beta);
    for (let p = 0; p <= phases; p++) {
      let sum = 0;
      for (let j = 0; j < taps; j++) {
        const d = p / phases + half - 1 - j;
        let w = 0;
        if (Math.abs(d) < halfLen) {
          const s = d === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * d) / (Math.PI * d);
          const r = d / halfLen;
          w = s * besselI0(beta * Math.sqrt(1 - r * r)) / norm;
        }
        table[p * taps + j] = w;
        sum += w;
      }
      for (let j = 0; j < taps; j++) table[p * taps + j] /= sum;
    }
    return table;
  }

  push(input, last) {
    let buf = concat(this.buf, input);
    if (last) buf = concat(buf, new Float32Array(this.half));
    const out = [];
    const taps = 2 * this.half;
    while (Math.floor(this.t) + this.half < buf.length) {
      const base = Math.floor(this.t);
      const pos = (this.t - base) * this.phases;
      const p = Math.floor(pos);
      const w = pos - p;
      const r0 = p * taps;
      const r1 = r0 + taps;
      const first = base - this.half + 1;
      let acc = 0;
      for (let j = 0; j < taps; j++) {
        const c = this.table[r0 + j] + w * (this.table[r1 + j] - this.table[r0 + j]);
        acc += c * buf[first + j];
      }
      out.push(acc);
      this.t += this.step;
    }
    const keep = Math.max(0, Math.floor(this.t) - this.half + 1);
    this.buf = buf.slice(keep);
    this.t -= keep;
    return Float32Array.from(out);
  }
}

function besselI0(x) {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50 && term > 1e-12 * sum; k++) {
    const f = x / (2 * k);
    term *= f * f;
    sum += term;
  }
  return sum;
}

function concat(a, b) {
  const out = new Float32Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

// Capture turns the microphone into 20 ms frames of 16 kHz s16le, each
// posted with its level.
class Capture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.rs = sampleRate === CAPTURE_RATE ? null : new Resampler(sampleRate, CAPTURE_RATE);
    this.frame = new Int16Array(FRAME);
    this.n = 0;
    this.sq = 0;
    this.peak = 0;
  }

  process(inputs) {
    const ch = inputs[0] && inputs[0][0];
    if (!ch) return true;
    const x = this.rs ? this.rs.push(ch, false) : ch;
    for (let i = 0; i < x.length; i++) this.add(x[i]);
    return true;
  }

  add(v) {
    const s = Math.max(-1, Math.min(1, v));
    this.frame[this.n++] = Math.round(s * 32767);
    this.sq += s * s;
    this.peak = Math.max(this.peak, Math.abs(s));
    if (this.n < FRAME) return;
    const buf = this.frame.buffer;
    this.port.postMessage({ frame: buf, rms: Math.sqrt(this.sq / FRAME), peak: this.peak }, [buf]);
    this.frame = new Int16Array(FRAME);
    this.n = 0;
    this.sq = 0;
    this.peak = 0;
  }
}

// Player plays parley's sounds in order. A sound starts once the jitter
// buffer holds the target (or the whole sound); if the buffer runs dry
// inside a sound, that is an underrun and it waits for the target again.
// It reports each sound's start (with the context time of its first
// sample) and end, and every half second its stats.
class Player extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.target = (options.processorOptions.jitterMs / 1000) * sampleRate;
    this.reset();
    this.played = 0;
    this.underruns = 0;
    this.lastReport = 0;
    this.port.onmessage = (e) => this.onMessage(e.data);
  }

  reset() {
    this.queue = [];
    this.buffered = 0;
    this.lasts = 0; // queued chunks that end a sound
    this.waiting = true;
    this.cur = null; // the sound being played: {id, n, sq}
    this.rs = null;
    this.rsId = -1;
  }

  onMessage(m) {
    if (m.type === 'chunk') this.add(m);
    else if (m.type === 'flush') this.reset();
    else if (m.type === 'jitter') this.target = (m.ms / 1000) * sampleRate;
  }

  add(m) {
    const first = (m.flags & FIRST) !== 0;
    const last = (m.flags & LAST) !== 0;
    if (first || m.id !== this.rsId) {
      this.rs = m.rate === sampleRate ? null : new Resampler(m.rate, sampleRate);
      this.rsId = m.id;
    }
    const f = new Float32Array(m.pcm.length);
    for (let i = 0; i < f.length; i++) f[i] = m.pcm[i] / 32768;
    const data = this.rs ? this.rs.push(f, last) : f;
    this.queue.push({ id: m.id, data, pos: 0, first, last });
    this.buffered += data.length;
    if (last) this.lasts++;
  }

  process(inputs, outputs) {
    const out = outputs[0][0];
    if (this.waiting && (this.buffered >= this.target || this.lasts > 0)) this.waiting = false;
    let i = 0;
    while (!this.waiting && i < out.length && this.queue.length > 0) {
      i = this.copy(this.queue[0], out, i);
    }
    out.fill(0, i);
    if (this.queue.length === 0 && !this.waiting) {
      if (this.cur) this.underruns++;
      this.waiting = true;
    }
    for (let c = 1; c < outputs[0].length; c++) outputs[0][c].set(out);
    this.report();
    return true;
  }

  // copy plays from chunk c into out at i and returns the new position.
  copy(c, out, i) {
    if (c.pos === 0 && c.first) this.start(c, i);
    const n = Math.min(out.length - i, c.data.length - c.pos);
    for (let k = 0; k < n; k++) {
      const v = c.data[c.pos + k];
      out[i + k] = v;
      if (this.cur) this.cur.sq += v * v;
    }
    if (this.cur) this.cur.n += n;
    c.pos += n;
    this.buffered -= n;
    this.played += n;
    if (c.pos === c.data.length) {
      this.queue.shift();
      if (c.last) this.end(c);
    }
    return i + n;
  }

  start(c, i) {
    this.cur = { id: c.id, n: 0, sq: 0 };
    this.port.postMessage({ type: 'started', id: c.id, at: currentTime + i / sampleRate });
  }

  end(c) {
    this.lasts--;
    const s = this.cur && this.cur.id === c.id ? this.cur : { n: 0, sq: 0 };
    this.port.postMessage({ type: 'ended', id: c.id, samples: s.n, rms: s.n ? Math.sqrt(s.sq / s.n) : 0 });
    this.cur = null;
  }

  report() {
    if (currentTime - this.lastReport < 0.5) return;
    this.lastReport = currentTime;
    this.port.postMessage({
      type: 'stats',
      played: this.played,
      underruns: this.underruns,
      buffered_ms: (this.buffered / sampleRate) * 1000,
      jitter_ms: (this.target / sampleRate) * 1000,
    });
  }
}

registerProcessor('parley-capture', Capture);
registerProcessor('parley-player', Player);
