// The drawing page: a canvas, MNIST's preprocessing (preprocess.js) and the
// build's network, run by ONNX Runtime Web in this browser. Nothing is fetched
// from outside the book.
(function () {
  "use strict";
  const app = document.getElementById("draw-app");
  if (!app) return;
  // the book's _static folder as an absolute URL: ONNX Runtime resolves relative
  // paths against its own script, not against the page
  const base = new URL(app.dataset.static, document.baseURI).href;
  const canvas = app.querySelector("#draw-canvas");
  const seen = app.querySelector("#draw-seen");
  const bars = app.querySelector("#draw-bars");
  const digit = app.querySelector("#draw-digit");
  const status = app.querySelector("#draw-status");
  const about = app.querySelector("#draw-about");
  const pen = canvas.getContext("2d", { willReadFrequently: true });
  const SIDE = canvas.width; // drawn at 280x280, whatever size the page shows it
  let session = null, inputName = null, drawing = false, last = null, busy = false;
  let pending = false, strokeEnd = 0;

  for (let k = 0; k < 10; k++) {
    const row = document.createElement("div");
    row.className = "draw-bar";
    row.innerHTML = `<span>${k}</span><span class="draw-fill"></span><span class="draw-p"></span>`;
    bars.appendChild(row);
  }

  function say(text) { status.textContent = text; }

  function clear() {
    pen.clearRect(0, 0, SIDE, SIDE);
    seen.getContext("2d").clearRect(0, 0, seen.width, seen.height);
    digit.textContent = "–";
    app.dataset.prediction = "";
    app.dataset.probabilities = "";
    delete app.dataset.latency;
    for (const row of bars.children) {
      row.querySelector(".draw-fill").style.width = "0";
      row.querySelector(".draw-p").textContent = "";
    }
    say(session ? "Draw a digit in the box." : status.textContent);
  }

  function point(event) {
    const box = canvas.getBoundingClientRect();
    return [((event.clientX - box.left) * SIDE) / box.width,
            ((event.clientY - box.top) * SIDE) / box.height];
  }

  function stroke(to) {
    pen.lineWidth = SIDE / 15;
    pen.lineCap = pen.lineJoin = "round";
    pen.strokeStyle = "#000";
    pen.beginPath();
    pen.moveTo(...(last || to));
    pen.lineTo(...to);
    pen.stroke();
    last = to;
  }

  function show(image) {
    const context = seen.getContext("2d");
    const pixels = context.createImageData(28, 28);
    for (let k = 0; k < 784; k++) {
      const v = 255 - Math.round(255 * image[k]);
      pixels.data.set([v, v, v, 255], 4 * k);
    }
    context.putImageData(pixels, 0, 0);
  }

  async function predict() {
    if (!session) return;
    if (busy) { pending = true; return; }
    busy = true;
    const alpha = pen.getImageData(0, 0, SIDE, SIDE).data;
    const ink = new Float64Array(SIDE * SIDE);
    for (let k = 0; k < ink.length; k++) ink[k] = alpha[4 * k + 3] / 255;
    const image = MnistDrawing.toMnist(ink, SIDE, SIDE);
    if (!image) {
      clear();
      say("The canvas is empty: draw a digit first.");
    } else {
      show(image);
      const input = new ort.Tensor("float32", image, [1, 28, 28, 1]);
      const output = await session.run({ [inputName]: input });
      const p = Array.from(Object.values(output)[0].data);
      const best = p.indexOf(Math.max(...p));
      p.forEach((value, k) => {
        const row = bars.children[k];
        row.classList.toggle("draw-best", k === best);
        row.querySelector(".draw-fill").style.width = `${(100 * value).toFixed(1)}%`;
        row.querySelector(".draw-p").textContent = value.toFixed(3);
      });
      digit.textContent = String(best);
      app.dataset.prediction = String(best);
      app.dataset.probabilities = JSON.stringify(p);
      if (strokeEnd) {
        app.dataset.latency = String(performance.now() - strokeEnd);
        say(`Predicted ${(performance.now() - strokeEnd).toFixed(0)} ms after the last stroke.`);
        strokeEnd = 0;
      }
    }
    busy = false;
    if (pending) { pending = false; predict(); }
  }

  canvas.addEventListener("pointerdown", (event) => {
    drawing = true;
    last = null;
    canvas.setPointerCapture(event.pointerId);
    stroke(point(event));
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    stroke(point(event));
    predict(); // updated as the reader draws; busy calls collapse into one
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    strokeEnd = performance.now();
    predict();
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  app.querySelector("#draw-clear").addEventListener("click", clear);

  async function start() {
    const model = await fetch(`${base}draw/model.json`).then((r) => r.json());
    if (!model.available) {
      say("This build has no MNIST network of chapter 6 to run: build the book " +
          "after executing chapter 6 on MNIST.");
      return;
    }
    about.textContent = `Network 1 of this build's ensemble (${model.profile} profile, ` +
      `${model.epochs} ${model.epochs === 1 ? "epoch" : "epochs"} on ${model.train_images.toLocaleString("en")} images, ` +
      `test accuracy ${model.test_accuracy.toFixed(4)}; ` +
      `${(model.bytes / 1e6).toFixed(2)} MB).`;
    if (typeof WebAssembly === "undefined" || typeof ort === "undefined") {
      say("This browser cannot run WebAssembly, so the network cannot run here; " +
          "the rest of the page still explains what it would do.");
      return;
    }
    ort.env.wasm.numThreads = 1; // threads would need cross-origin isolation
    ort.env.wasm.wasmPaths = `${base}ort/`;
    say("Loading the network…");
    inputName = model.input;
    session = await ort.InferenceSession.create(`${base}draw/model.onnx`, {
      executionProviders: ["wasm"],
    });
    app.dataset.ready = "true";
    say("Draw a digit in the box.");
  }

  clear();
  start().catch((error) => say(`The network could not be loaded: ${error}`));
})();
