// Kept out of index.html so the CSP needs no inline script.
import init from './redvest_ui.js';
init();
