import { render } from 'preact';
import { App } from './app';
import './styles/app.css';

render(<App />, document.getElementById('app')!);

// The service worker keeps the app's files, so a page reloads with no
// network (src/sw/sw.ts). Not in `npm run dev`, which has no sw.js.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
      // No service worker (private mode, an old browser): the app works online.
    });
  });
}
