import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { configureAmplify, loadOutputs } from './amplify.ts';
import { configureStorage } from './lib/storage.ts';
import { startSession } from './session.tsx';
import './styles.css';

const root = createRoot(document.getElementById('root') as HTMLElement);

loadOutputs().then(
  (outputs) => {
    configureAmplify(outputs);
    configureStorage(outputs);
    startSession();
    root.render(
      <StrictMode>
        <App />
      </StrictMode>,
    );
  },
  (error: unknown) => {
    root.render(
      <main className="content narrow">
        <h1>Plaza cannot be reached</h1>
        <p role="alert">The app could not load its configuration ({String(error)}). Reload to try again.</p>
      </main>,
    );
  },
);
