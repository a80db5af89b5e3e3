// Kept out of index.html so the CSP needs no inline script.
import init from './redvest_ui.js';
// The theme chosen last time, before the first paint (no white flash at night); the app
// keeps it in step from then on (src/theme.rs).
const chosen = localStorage.getItem('redvest.theme');
const dark = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches;
document.documentElement.setAttribute('data-theme', chosen === 'night' || (chosen !== 'day' && dark) ? 'night' : 'day');
init();
