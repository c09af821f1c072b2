// Loads the Rust app that wasm-bindgen --target web wrote to pkg/ (see
// spa/README.md). Everything else is Rust: its start function runs on load.
import("./pkg/spa.js")
  .then((app) => app.default())
  .catch((e) => {
    const el = document.getElementById("error");
    el.textContent = "The app did not load (is it built? see spa/README.md): " + e;
    el.setAttribute("data-error", "not_loaded");
    el.hidden = false;
  });
