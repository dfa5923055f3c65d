import { PNG } from 'pngjs';

/** Pixel sizes Teams asks of an app package's icons (manifest schema: color 192x192, outline 32x32). */
export const COLOR_ICON_SIZE = 192;
export const OUTLINE_ICON_SIZE = 32;

type Rgb = readonly [number, number, number];

/** `#1a73e8` -> [26, 115, 232]. The brand schema already guarantees the `#rrggbb` form. */
export function rgbOf(hex: string): Rgb {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}

/**
 * Coverage (0..1) of a keypad glyph at pixel (x, y) of a `size` square: twelve round keys in a 3x4 grid, the
 * picture of a dialler. Sampled 4x4 per pixel so the edges are smooth at 32 px too.
 */
function keypadCoverage(x: number, y: number, size: number, margin: number): number {
  const inner = size - 2 * margin;
  const pitchX = inner / 3;
  const pitchY = inner / 4;
  const radius = Math.min(pitchX, pitchY) * 0.36;
  let hits = 0;
  for (let sy = 0; sy < 4; sy++) {
    for (let sx = 0; sx < 4; sx++) {
      const px = x + (sx + 0.5) / 4 - margin;
      const py = y + (sy + 0.5) / 4 - margin;
      const cx = (Math.floor(px / pitchX) + 0.5) * pitchX;
      const cy = (Math.floor(py / pitchY) + 0.5) * pitchY;
      const inside = px >= 0 && py >= 0 && px < inner && py < inner;
      if (inside && (px - cx) ** 2 + (py - cy) ** 2 <= radius ** 2) hits++;
    }
  }
  return hits / 16;
}

function encode(png: PNG): Buffer {
  return PNG.sync.write(png, { colorType: 6 });
}

/**
 * The full-colour icon: the brand colour edge to edge with a white keypad (Teams draws its own rounded frame).
 * A few thousand pixels: cheap enough to draw on request.
 */
export function colorIcon(brandColor: string): Buffer {
  const size = COLOR_ICON_SIZE;
  const [r, g, b] = rgbOf(brandColor);
  const png = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const cover = keypadCoverage(x, y, size, 44);
      const i = (y * size + x) * 4;
      png.data[i] = Math.round(r + (255 - r) * cover);
      png.data[i + 1] = Math.round(g + (255 - g) * cover);
      png.data[i + 2] = Math.round(b + (255 - b) * cover);
      png.data[i + 3] = 255;
    }
  }
  return encode(png);
}

/** The outline icon as Teams requires it: white on a transparent background, 32x32. */
export function outlineIcon(): Buffer {
  const size = OUTLINE_ICON_SIZE;
  const png = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      png.data[i] = 255;
      png.data[i + 1] = 255;
      png.data[i + 2] = 255;
      png.data[i + 3] = Math.round(255 * keypadCoverage(x, y, size, 3));
    }
  }
  return encode(png);
}
