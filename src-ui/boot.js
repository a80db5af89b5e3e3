// Plain ES5, run before the app's module. Where this WebView cannot run the app (no module
// scripts, no WebAssembly, a module it cannot evaluate, a wasm it cannot compile), the
// plain-HTML message in index.html shows instead of a white screen.
(function () {
  var started = false;
  function unable() {
    if (!started) document.getElementById('boot-message').hidden = false;
  }
  window.redvestBoot = {
    // main.js has been parsed and evaluated: errors from here on are the app's, not the
    // WebView's age.
    evaluated: function () { window.removeEventListener('error', unable); },
    started: function () { started = true; },
    unable: unable
  };
  if (!('noModule' in document.createElement('script')) || typeof WebAssembly !== 'object') {
    unable();
    return;
  }
  // A module this engine cannot parse or evaluate reports here, before the app has started.
  window.addEventListener('error', unable);
})();
