// Kept out of index.html so the CSP needs no inline script. `cargo xtask ui` bundles this
// with the wasm-bindgen glue and lowers both to the WebView 69 floor (esbuild).
import init from './redvest_ui.js';

// This engine could parse and evaluate the bundle: from here, boot.js only hears from us.
window.redvestBoot.evaluated();

const root = document.documentElement;
// The theme chosen last time, before the first paint (no white flash at night); the app
// keeps it in step from then on (src/theme.rs).
const chosen = localStorage.getItem('redvest.theme');
const dark = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches;
root.setAttribute('data-theme', chosen === 'night' || (chosen !== 'day' && dark) ? 'night' : 'day');

// Flexbox `gap` came in Chrome 84; older WebViews get margins instead (style.css).
const probe = document.createElement('div');
probe.style.cssText = 'display:flex;flex-direction:column;row-gap:1px;position:absolute';
probe.appendChild(document.createElement('div'));
probe.appendChild(document.createElement('div'));
document.body.appendChild(probe);
if (probe.scrollHeight !== 1) root.classList.add('no-flex-gap');
document.body.removeChild(probe);

// A wasm that does not compile (an engine without a feature, a CSP that forbids it) is the
// WebView's age: boot.js shows the plain-HTML message. A panic once running is ours and is
// logged by the panic hook.
init({ module_or_path: 'redvest_ui_bg.wasm' }).then(
  () => window.redvestBoot.started(),
  (e) => {
    console.error('红马甲巡防 cannot start:', e);
    // For the end-to-end tests, which cannot read the console.
    window.redvestBootError = String((e && e.stack) || e);
    if (e instanceof WebAssembly.RuntimeError) window.redvestBoot.started();
    else window.redvestBoot.unable();
  },
);
