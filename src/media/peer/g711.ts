/**
 * G.711 µ-law and A-law (ITU-T G.711) for the test peer's tone, and a Goertzel filter to tell which tone arrived.
 * A few lines each; no maintained npm package offers them without a whole media stack.
 */

const BIAS = 0x84;
const CLIP = 32635;

/** Linear 16-bit sample to µ-law. */
export function linearToUlaw(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  let magnitude = Math.min(Math.abs(sample), CLIP) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent -= 1;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  magnitude = ~(sign | (exponent << 4) | mantissa) & 0xff;
  return magnitude;
}

/** µ-law to linear. */
export function ulawToLinear(code: number): number {
  const value = ~code & 0xff;
  const exponent = (value >> 4) & 0x07;
  const magnitude = ((((value & 0x0f) << 3) + BIAS) << exponent) - BIAS;
  return value & 0x80 ? -magnitude : magnitude;
}

/** Linear 16-bit sample to A-law. */
export function linearToAlaw(sample: number): number {
  const sign = sample >= 0 ? 0x80 : 0;
  const magnitude = Math.min(Math.abs(sample), 32767) >> 3;
  let code: number;
  if (magnitude < 32) code = magnitude >> 1;
  else {
    let exponent = 1;
    while (magnitude >> (exponent + 5) > 0 && exponent < 7) exponent += 1;
    code = (exponent << 4) | ((magnitude >> exponent) & 0x0f);
  }
  return (code | sign) ^ 0x55;
}

/** A-law to linear. */
export function alawToLinear(code: number): number {
  const value = code ^ 0x55;
  const exponent = (value >> 4) & 0x07;
  const mantissa = value & 0x0f;
  const magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return value & 0x80 ? magnitude : -magnitude;
}

/** The G.711 codecs the peer speaks, by static payload type. */
export type G711 = 'PCMU' | 'PCMA';
export const G711_PAYLOAD_TYPE: Record<G711, number> = { PCMU: 0, PCMA: 8 };

/** 20 ms (160 samples at 8 kHz) of a sine tone at `frequency`, starting at sample `offset`, encoded. */
export function toneFrame(codec: G711, frequency: number, offset: number, amplitude = 8000): Buffer {
  const frame = Buffer.alloc(160);
  for (let i = 0; i < 160; i += 1) {
    const sample = Math.round(amplitude * Math.sin((2 * Math.PI * frequency * (offset + i)) / 8000));
    frame[i] = codec === 'PCMU' ? linearToUlaw(sample) : linearToAlaw(sample);
  }
  return frame;
}

/** Decodes a G.711 frame to linear samples. */
export function decodeFrame(codec: G711, frame: Buffer): number[] {
  return [...frame].map(codec === 'PCMU' ? ulawToLinear : alawToLinear);
}

/** Relative power of `frequency` in `samples` (Goertzel), normalised by the frame's total energy: ~0.5 for a pure tone. */
export function toneShare(samples: number[], frequency: number): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * frequency) / 8000);
  let previous = 0;
  let beforePrevious = 0;
  let energy = 0;
  for (const sample of samples) {
    const current = sample + coefficient * previous - beforePrevious;
    beforePrevious = previous;
    previous = current;
    energy += sample * sample;
  }
  const power =
    previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
  return energy === 0 ? 0 : power / (energy * samples.length);
}
