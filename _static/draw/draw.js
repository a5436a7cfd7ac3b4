// The drawing page: a canvas, MNIST's preprocessing (preprocess.js) and a
// network run by ONNX Runtime Web in this browser: by default the one trained at
// the full profile and archived with the book, or this build's own
// (draw/networks.json lists them, scripts/export_model.py writes it). Nothing is
// fetched from outside the book.
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
  const choice = app.querySelector("#draw-choice");
  const chooser = app.querySelector("#draw-network");
  const pen = canvas.getContext("2d", { willReadFrequently: true });
  const SIDE = canvas.width; // drawn at 280x280, whatever size the page shows it
  let session = null, inputName = null, drawing = false, last = null, busy = false;
  let pending = false, strokeEnd = 0, networks = [];
  const sessions = {}; // network id -> its ONNX Runtime session, once loaded

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
    delete app.dataset.predictedBy;
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
    const running = session, name = inputName, by = app.dataset.network;
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
      const output = await running.run({ [name]: input });
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
      app.dataset.predictedBy = by;
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

  function describe(network) {
    const epochs = `${network.epochs} ${network.epochs === 1 ? "epoch" : "epochs"}`;
    const images = network.train_images.toLocaleString("en");
    const trained = network.trained ? `, ${network.trained}` : "";
    return `Running ${network.name}: ${epochs} on ${images} images ` +
      `(${network.profile} profile${trained}), test accuracy ` +
      `${network.test_accuracy.toFixed(4)} on ` +
      `${network.test_images.toLocaleString("en")} test images; ` +
      `${(network.bytes / 1e6).toFixed(2)} MB.`;
  }

  // Load a network (once) and run the drawing through it, if there is one.
  async function use(id) {
    const network = networks.find((n) => n.id === id);
    session = null;
    app.dataset.ready = "";
    app.dataset.network = id;
    about.textContent = describe(network);
    say("Loading the network…");
    if (!sessions[id]) {
      sessions[id] = await ort.InferenceSession.create(`${base}draw/${network.file}`, {
        executionProviders: ["wasm"],
      });
    }
    if (app.dataset.network !== id) return; // the reader chose another meanwhile
    session = sessions[id];
    inputName = network.input;
    app.dataset.ready = "true";
    say("Draw a digit in the box.");
    if (app.dataset.prediction) predict();
  }

  async function start() {
    networks = (await fetch(`${base}draw/networks.json`).then((r) => r.json()))
      .networks;
    if (!networks.length) {
      say("This build has no network to run: build the book after executing " +
          "chapter 6 on MNIST, or with the archive's network in helpers/archive/.");
      return;
    }
    for (const network of networks) {
      chooser.add(new Option(network.choice, network.id));
    }
    choice.hidden = networks.length < 2;
    about.textContent = describe(networks[0]);
    if (typeof WebAssembly === "undefined" || typeof ort === "undefined") {
      say("This browser cannot run WebAssembly, so the network cannot run here; " +
          "the rest of the page still explains what it would do.");
      return;
    }
    ort.env.wasm.numThreads = 1; // threads would need cross-origin isolation
    ort.env.wasm.wasmPaths = `${base}ort/`;
    chooser.addEventListener("change", () => {
      use(chooser.value).catch((error) =>
        say(`The network could not be loaded: ${error}`));
    });
    await use(networks[0].id);
  }

  clear();
  start().catch((error) => say(`The network could not be loaded: ${error}`));
})();
