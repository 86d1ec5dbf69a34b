// The GUI page's entry (placeholder until the screens land).
import { render } from 'preact';
import { html } from 'htm/preact';

const root = document.getElementById('app');
if (root) render(html`<h1>relocate</h1>`, root);
