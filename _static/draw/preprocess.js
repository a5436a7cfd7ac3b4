// What a network sees of a digit drawn on the page: MNIST's own preprocessing.
// The twin of helpers/drawing.py (a unit test runs both on the same strokes).
(function (root) {
  "use strict";
  const THRESHOLD = 0.05; // ink below this counts as paper when finding the digit
  const BOX = 20; // MNIST's digits fit a 20x20 box ...
  const SIZE = 28; // ... centred by mass in 28x28

  // Shrink or grow by averaging blocks of pixels: thin strokes survive.
  function boxResize(ink, h, w, height, width) {
    const out = new Float64Array(height * width);
    for (let i = 0; i < height; i++) {
      const r0 = Math.floor((i * h) / height);
      const r1 = Math.max(r0 + 1, Math.floor(((i + 1) * h) / height));
      for (let j = 0; j < width; j++) {
        const c0 = Math.floor((j * w) / width);
        const c1 = Math.max(c0 + 1, Math.floor(((j + 1) * w) / width));
        let sum = 0;
        for (let r = r0; r < r1; r++) {
          for (let c = c0; c < c1; c++) sum += ink[r * w + c];
        }
        out[i * width + j] = sum / ((r1 - r0) * (c1 - c0));
      }
    }
    return out;
  }

  // ink: row-major values from 0 to 1, h rows of w. Returns 784 floats or null.
  function toMnist(ink, h, w) {
    let top = h, bottom = -1, left = w, right = -1;
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        if (ink[r * w + c] > THRESHOLD) {
          top = Math.min(top, r); bottom = Math.max(bottom, r);
          left = Math.min(left, c); right = Math.max(right, c);
        }
      }
    }
    if (bottom < 0) return null; // an empty canvas holds no digit
    const ch = bottom - top + 1, cw = right - left + 1;
    const crop = new Float64Array(ch * cw);
    for (let r = 0; r < ch; r++) {
      for (let c = 0; c < cw; c++) crop[r * cw + c] = ink[(top + r) * w + left + c];
    }
    const scale = BOX / Math.max(ch, cw);
    const height = Math.max(1, Math.round(ch * scale));
    const width = Math.max(1, Math.round(cw * scale));
    const patch = boxResize(crop, ch, cw, height, width);
    let max = 0, total = 0, sy = 0, sx = 0;
    for (const v of patch) max = Math.max(max, v);
    for (let i = 0; i < height; i++) {
      for (let j = 0; j < width; j++) {
        const v = patch[i * width + j] / max;
        patch[i * width + j] = v;
        total += v; sy += v * i; sx += v * j;
      }
    }
    // pixel k covers [k, k + 1): the centre of mass goes to the field's centre, 14
    const y0 = Math.min(Math.max(Math.floor(SIZE / 2 - sy / total), 0), SIZE - height);
    const x0 = Math.min(Math.max(Math.floor(SIZE / 2 - sx / total), 0), SIZE - width);
    const image = new Float32Array(SIZE * SIZE);
    for (let i = 0; i < height; i++) {
      for (let j = 0; j < width; j++) image[(y0 + i) * SIZE + x0 + j] = patch[i * width + j];
    }
    return image;
  }

  const api = { toMnist, boxResize, THRESHOLD, BOX, SIZE };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.MnistDrawing = api;
})(typeof self !== "undefined" ? self : this);
