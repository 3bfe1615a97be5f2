import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { NavigationProvider } from './app/navigation';
import { SessionProvider } from './session/session';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <NavigationProvider>
      <SessionProvider>
        <App />
      </SessionProvider>
    </NavigationProvider>
  </StrictMode>,
);
