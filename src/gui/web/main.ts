// The GUI page's entry: drop the one-time token from the address bar (the
// server has set the session cookie by now; a token left in the URL would
// end up in history and bookmarks), then draw the app.
import { render } from 'preact';
import { html } from 'htm/preact';
import { App } from './app.js';

if (new URLSearchParams(location.search).has('token')) history.replaceState(null, '', `${location.pathname}${location.hash}`);
const root = document.getElementById('app');
if (root) render(html`<${App} />`, root);
